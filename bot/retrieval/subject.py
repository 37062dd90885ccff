"""What a question asks about, and whether the knowledge base ever mentions it.

A retriever always finds a nearest passage. Asked "is CBD oil good for leg cramps?", the nearest
one shares "good" and "leg cramps" and may begin "They can.": the reply then reads as if the
articles endorsed CBD. So before a passage is shown, the question's subject (the thing said to
help, cause, be safe or work) is read and looked up: a subject the articles never mention gets
"not covered", not the nearest passage.

The reading is lexical and deliberately plain. Every content word of the asking part of the
message that is not a frame word ("help", "good", "true"), a topic word ("cramp", "leg") or a
function word is a subject word; neighbouring subject words form one subject ("tart cherry
juice"). A subject word is known when the articles, their headings, the curated entries or the
synonyms use it in some form, after typo repair (phrasings vouch only for ordinary words, see
`subject_reader`). A subject with one unknown word is unknown as a whole: "tart cherry juice" is not
juice, and "magnesium glycinate" is not magnesium (though a passage may then say what the articles
say about magnesium, after naming what they do not cover).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import OSA

from bot.corpus.knowledge import BODY_SECTION, Knowledge
from bot.retrieval.retriever import Retriever
from bot.retrieval.synonyms import Synonyms
from bot.text.normalise import normalise
from bot.text.phonetic import sound_key
from bot.text.sentences import asking_sentences
from bot.text.stems import stem
from bot.text.words import QUESTION_WORDS, STOP_WORDS

# A word of at most this many letters counts only when it is a real word ("tea", "gin", "cbd") or
# a product code before a number ("WD-40"): others are mostly typos ("wen", "fot").
SHORT_WORD = 3
# Prepositions of place: what follows them, after a first subject, is where, not what ("the position
# of my feet under heavy blankets"). Not "in", "on" or "with": those bring instruments too ("stretching
# on a vibration plate", "magnesium in a float tank").
PLACES = frozenset({"under", "underneath", "beneath", "below", "behind"})
_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "his", "her", "our", "their", "some"})
_BRACKETS = re.compile(r"\s*[()]\s*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_QUESTION_END = re.compile(r"(?<=\?)\s+")
_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{2,5}(?![\w])")
# How much of what the user typed is echoed back as the name of a subject.
MAX_NAME_CHARS = 40
# Words by which an asking sentence points back at the story before it: "Is it worth trying?"
REFERRING = frozenset({"it", "that", "this", "they", "them", "those", "these"})
# How a told message starts, and the words that make it ask after all (see `is_statement`); not "when" among
# the question starts: "when I finally get to sleep my calves cramp" tells.
TELLER = frozenset({"i", "im", "ive", "id", "my", "we", "our", "me", "had", "got", "been", "just", "started"})
# A clause that starts with one of these asks ("is magnesium good for cramps"); "she is 68", "I do yoga" tell.
QUESTION_STARTS = frozenset({"is", "are", "am", "can", "do", "does", "did", "will", "have", "has"})
# These ask wherever they stand: "my grandad is on metformin could that be giving him cramps".
ASKING_ANYWHERE = frozenset(
    {"how", "why", "who", "what", "which", "could", "should", "would"}
    | {"any", "anything", "worth", "wondering", "wonder"}
)
GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "good", "morning", "afternoon", "evening", "dear", "there"})
PRONOUNS = frozenset({"i", "we", "you", "they"})  # "I work nights": a verb of the teller's, not a claim
STORY_WORDS = 12  # a message this long with a clause of the teller's tells a story
_CLAUSE_SPLIT = re.compile(r"[.!;,\n]+")
CLAIMS = frozenset({"help", "helps", "cure", "cures", "stop", "stops", "fix", "fixes", "work", "works", "prevent"})
DEFINITE = frozenset({"the", "that", "this", "those", "these"})
# Verbs that make the word before them a speaker: "my midwife said", "a friend swears".
SPEECH = frozenset(
    {
        "say",
        "says",
        "said",
        "tell",
        "tells",
        "told",
        "think",
        "thinks",
        "thought",
        "reckons",
        "swear",
        "swears",
        "swore",
        "recommend",
        "recommends",
        "recommended",
        "suggest",
        "suggests",
        "suggested",
        "advise",
        "advises",
        "advised",
        "claims",
        "claimed",
    }
)
# Function words people often mistype by one letter: "wen" is "when", "shoud" is "should".
TYPED_FAST = (
    "when",
    "what",
    "the",
    "for",
    "you",
    "are",
    "was",
    "not",
    "and",
    "but",
    "can",
    "how",
    "why",
    "who",
    "off",
    "its",
    "has",
    "had",
    "did",
    "all",
    "any",
    "our",
    "out",
    "now",
    "too",
    "may",
    "one",
    "his",
    "her",
    "she",
    "him",
    "get",
    "got",
    "with",
    "have",
    "from",
    "this",
    "that",
    "they",
    "them",
    "then",
    "should",
    "would",
    "could",
    "where",
    "which",
    "there",
    "their",
    "about",
    "after",
    "does",
    "doing",
)
TYPO_LENGTH = 6  # up to this many letters, a rare word one edit from a function word is that word mistyped
# Words that join two subjects of one question ("CBD or magnesium", "X rather than Y"): only then
# is the known one a question of its own that a passage may answer. An example joins its kind the
# same way ("blood pressure pills like amlodipine", "foods such as kale"): the kind may be answered.
COORDINATORS = frozenset(
    {
        "and",
        "or",
        "nor",
        "vs",
        "versus",
        "than",
        "plus",
        "either",
        "instead",
        "rather",
        "like",
        "such",
        "including",
        "especially",
    }
)
_LINKING = frozenset({"a", "an", "the", "some", "of", "to", "with", "as", "e", "g"})  # "such as a", "e.g."


@dataclass(frozen=True)
class SubjectPhrase:
    """One run of neighbouring subject words, as normalised words and as the user typed them."""

    words: tuple[str, ...]
    text: str  # the span of the original message, for naming it back to the user
    unknown: tuple[str, ...]  # the words the knowledge base never mentions
    speaker: bool = False  # says something ("my midwife said..."): the source of a claim, not its subject
    anchored: bool = False  # an unknown kind of a thing the articles discuss: "magnesium glycinate"

    @property
    def known(self) -> bool:
        return not self.unknown


@dataclass(frozen=True)
class Subject:
    """What one message asks about: its subject phrases, known and unknown."""

    phrases: tuple[SubjectPhrase, ...] = ()
    coordinated: bool = False  # an unknown and a known phrase joined by "and", "or", "than"...

    @property
    def unknown(self) -> tuple[SubjectPhrase, ...]:
        return tuple(p for p in self.phrases if not p.known)

    @property
    def known(self) -> tuple[SubjectPhrase, ...]:
        return tuple(p for p in self.phrases if p.known)

    @property
    def partly_answerable(self) -> bool:
        """True when a passage may answer the rest of the question: a known subject asked about
        side by side with the unknown one ("can CBD or magnesium help?"), or the thing the articles
        discuss that an unknown kind belongs to ("magnesium glycinate": magnesium). Never the
        leftovers of one unknown subject ("tart cherry juice" is not juice)."""
        return (self.coordinated and bool(self.known)) or any(p.anchored for p in self.unknown)

    @property
    def covered(self) -> bool:
        """True unless the message names something the knowledge base never mentions."""
        return not self.unknown

    def unknown_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.text for p in self.unknown))


def join_names(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c": how the reply names what is not covered."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class SubjectReader:
    """Reads a message's subject against what the knowledge base mentions.

    Built once per knowledge version by `subject_reader`: what the knowledge base's editors wrote,
    the retriever's typo repair and synonyms, and the frame words of `knowledge/subjects.yaml`.
    """

    known_stems: frozenset[str]  # stems of every word the knowledge base uses
    known_words: frozenset[str]  # and the words themselves, as written
    known_pairs: frozenset[str]  # "stem stem" pairs it uses side by side (function words skipped)
    not_subject: frozenset[str]  # stems of frame, topic and function words: never a subject
    real_words: frozenset[str]  # common English: short words count only when they are real words
    repair: Callable[[str], str | None]  # typo repair onto a knowledge-base word, None when not a typo
    domain: frozenset[str]  # stems of the things the articles are about (magnesium, quinine...)
    synonym_spans: Callable[[Sequence[str]], Iterable[tuple[int, int]]]  # lay phrases the synonyms know
    kinds: frozenset[str] = frozenset()  # stems of words that make the words before them one name
    uses: frozenset[str] = frozenset()  # those that name a use of the words before them ("massage therapy")
    written_stems: frozenset[str] = frozenset()  # stems the editors wrote (phrasings aside): a use must name one
    name_parts: frozenset[str] = frozenset()  # frame stems that may still be part of a name ("knee")

    def _is_subject_word(self, word: str, next_word: str) -> bool:
        if not word[0].isalpha() or not word.isalnum():
            return False  # "3am", "10": times and amounts, not things
        if len(word) <= SHORT_WORD and word.isalpha() and not next_word.isdigit() and word not in self.real_words:
            return False  # "fot", "lst": typed fast, not a thing
        if (
            len(word) <= TYPO_LENGTH
            and word not in TYPED_FAST
            and (word not in self.real_words or len(word) <= SHORT_WORD)
            and _near_a_fast_word(word)
        ):
            return False  # "wen" is "when", "shoud" is "should"; "gout" is gout
        return stem(word) not in self.not_subject

    def _known(self, word: str) -> bool:
        """True when the knowledge base uses the word in some form, itself or after typo repair."""
        if self._known_form(word):
            return True
        fixed = self.repair(word) if word.isalpha() else None
        return fixed is not None and close_repair(word, fixed) and self._known_form(fixed)

    def _known_form(self, word: str) -> bool:
        if stem(word) not in self.known_stems:
            return False
        # An activity named by "-ing" is known only as itself or its verb ("curling": "curl"):
        # "cupping" is not "cups", "dry needling" is not "pins and needles".
        if not word.endswith("ing") or word in self.known_words:
            return True
        base = word[:-3]
        forms = {base, base + "e"} | ({base[:-1]} if len(base) > 2 and base[-1] == base[-2] else set())
        return bool(forms & self.known_words)

    def read(self, message: str) -> Subject:
        """The subject of the message's asking sentences (of all of it when none ends in "?").

        A story before the question is context, not subject: "I sit at a computer all day...
        why do my calves cramp?" asks about sitting. But an asking sentence with no subject of
        its own that points back ("My nan swears by gin-soaked raisins. Is that a real thing?")
        asks about the story's subject: then the story's unknown subjects count too, apart from
        whoever said something ("my midwife said..."), and so does one that mentions a kind of
        thing again ("I had gastric bypass surgery... could the surgery cause cramps?"). A
        definite mention of a subject the story named in full ("the bypass") stands for it.
        """
        message = _URL.sub(" ", message)  # a link is where something was read, not what is asked about
        if is_statement(message):
            return Subject()  # "I'm a lorry driver and my legs cramp at night": a story, nothing asked about
        message = _BRACKETS.sub(" or ", message)  # "teriparatide (Forteo)": another name, side by side
        acronyms = _acronyms(message)
        asking = asking_sentences(message)
        subject = self._read_sentences(asking or message, acronyms)
        asked = normalise(asking).split()
        if asking and not subject.phrases and (REFERRING & set(asked) or self._mentions_a_kind_again(asked)):
            story = self._read(message, acronyms)
            return Subject(tuple(p for p in story.phrases if not p.speaker), story.coordinated)
        if asking and asking != message and subject.phrases:
            return self._with_story_names(subject, asked, self._read(message, acronyms))
        return subject

    def _participle(self, word: str) -> bool:
        """ "tucked", "pointed", "dried": a common word that is a common verb's past form; not
        "waterbed", "infrared", "hundred" or "flax seed", which only end the same way."""
        if not (word.endswith("ed") and not word.endswith("eed") and word.isalpha() and word in self.real_words):
            return False  # "seed", "weed": things
        bases = {word[:-2], word[:-1], word[:-3] + "y"} | ({word[:-3]} if word[-3] == word[-4] else set())
        return bool(bases & self.real_words)

    def _mentions_a_kind_again(self, words: Sequence[str]) -> bool:
        """ "the surgery", "that tablet", "this new treatment": a kind of thing named before."""
        named = self.kinds | self.uses
        return any(
            stem(word) in named and any(w in DEFINITE for w in words[max(0, i - 2) : i]) for i, word in enumerate(words)
        )

    def _with_story_names(self, subject: Subject, asking: Sequence[str], story: Subject) -> Subject:
        """Each known phrase the asking sentence mentions definitely ("the surgery", "that
        bypass") that the story named in full ("gastric bypass surgery") stands for the full name."""
        phrases = []
        for phrase in subject.phrases:
            fuller = [
                p
                for p in story.unknown
                if len(p.words) > len(phrase.words) and stem(p.words[-1]) == stem(phrase.words[-1]) and not p.speaker
            ]
            phrases.append(fuller[0] if fuller and _definite(asking, phrase.words) else phrase)
        return replace(subject, phrases=tuple(phrases))

    def _read_sentences(self, text: str, acronyms: frozenset[str]) -> Subject:
        """Two questions in one message ("What does magnesium do? And CBD?") are two subjects
        side by side: the known one may be answered."""
        sentences = [s for s in _QUESTION_END.split(text) if normalise(s)]
        if len(sentences) < 2:
            return self._read(text, acronyms)
        parts = [self._read(s, acronyms) for s in sentences]
        phrases = tuple(p for part in parts for p in part.phrases)
        a_known_question = any(part.phrases and part.covered for part in parts)
        mixed = a_known_question and any(not part.covered for part in parts)
        return Subject(phrases, mixed or any(part.coordinated for part in parts))

    def _read(self, text: str, acronyms: frozenset[str] = frozenset()) -> Subject:
        words = normalise(text).split()
        in_synonym = {i for start, end in self.synonym_spans(words) for i in range(start, end)}
        runs: list[list[int]] = []
        current: list[int] = []
        for i, word in enumerate(words):
            if (
                word in acronyms
                or self._is_subject_word(word, words[i + 1] if i + 1 < len(words) else "")
                or (current and current[-1] == i - 1 and _is_letter_name(word))
            ):
                current.append(i)
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        # "a heavy duvet tucked in", "my feet pointed down": a word ending a name in "-ed" says what is
        # done to the thing named, it is no part of it
        runs = [run[:-1] if len(run) > 1 and self._participle(words[run[-1]]) else run for run in runs]
        runs, names = self._with_names(words, runs, acronyms)
        phrases = tuple(self._phrase(words, run, in_synonym, text, k in names) for k, run in enumerate(runs))
        phrases = tuple(
            replace(p, speaker=run[-1] + 1 < len(words) and words[run[-1] + 1] in SPEECH)
            for p, run in zip(phrases, runs, strict=True)
        )
        # "the position of my feet under heavy blankets": after a first subject, a place is a circumstance
        kept = [k for k, run in enumerate(runs) if k == 0 or not _after_place(words, run[0])]
        phrases, runs = tuple(phrases[k] for k in kept), [runs[k] for k in kept]
        coordinated = any(
            phrases[k].known != phrases[k + 1].known and _joined(words[runs[k][-1] + 1 : runs[k + 1][0]])
            for k in range(len(runs) - 1)
        )
        return Subject(phrases, coordinated)

    def _with_names(
        self, words: Sequence[str], runs: list[list[int]], acronyms: frozenset[str]
    ) -> tuple[list[list[int]], set[int]]:
        """The runs, with each kind word and the words before it joined into one name ("red light
        therapy", "knee replacement"), and which runs are such names."""
        spans = []
        for i, word in enumerate(words):
            if stem(word) in self.kinds or stem(word) in self.uses:
                start = i
                while start > 0 and (words[start - 1] in acronyms or self._name_part(words[start - 1])):
                    start -= 1
                if start < i:
                    spans.append((start, i))
        spans = [(a, b) for a, b in spans if not any(c <= a and b <= d and (a, b) != (c, d) for c, d in spans)]
        if not spans:
            return runs, set()
        joined = [run for run in runs if not any(start <= run[-1] and run[0] <= end for start, end in spans)]
        joined += [list(range(start, end + 1)) for start, end in spans]
        joined.sort(key=lambda run: run[0])
        return joined, {k for k, run in enumerate(joined) if (run[0], run[-1]) in spans}

    def _name_part(self, word: str) -> bool:
        if not word.isalnum() or word in STOP_WORDS or word in QUESTION_WORDS:
            return False
        s = stem(word)
        return s not in self.not_subject or s in self.name_parts or s in self.kinds or s in self.uses

    def _phrase(
        self, words: Sequence[str], run: Sequence[int], in_synonym: Collection[int], text: str, name: bool = False
    ) -> SubjectPhrase:
        """`name`: a run ending in a kind word ("knee replacement"), known as a whole only when the
        knowledge base says its last two words side by side (or a synonym does); or in a use word
        ("massage therapy", "red light therapy"), known when the editors wrote what is used."""
        phrase = tuple(words[i] for i in run)
        if name:
            said = f"{stem(phrase[-2])} {stem(phrase[-1])}" in self.known_pairs
            use = stem(phrase[-1]) in self.uses
            if use and len(phrase) > 2:  # "red light therapy": what is used is itself one name
                said = said or f"{stem(phrase[-3])} {stem(phrase[-2])}" in self.known_pairs
            unknown_words = tuple(
                w
                for i, w in zip(run, phrase, strict=True)
                if i not in in_synonym
                and (
                    (not self._known(w) and not (use and i == run[-1]))
                    or (not said and stem(w) in self.kinds)
                    or (use and not said and i != run[-1] and (len(run) > 2 or stem(w) not in self.written_stems))
                )
            )
            anchored = bool(unknown_words) and any(stem(w) in self.domain for w in phrase if w not in unknown_words)
            return SubjectPhrase(phrase, span_in(text, phrase), unknown_words, anchored=anchored)
        unknown = [
            words[i]
            for i in run
            if i not in in_synonym
            and not (
                self._known(words[i])
                if not _is_letter_name(words[i])
                else f"{stem(words[i - 1])} {words[i]}" in self.known_pairs
            )
        ]
        phrase = tuple(words[i] for i in run)
        anchored = bool(unknown) and any(stem(w) in self.domain for w in phrase if w not in unknown)
        return SubjectPhrase(words=phrase, text=span_in(text, phrase), unknown=tuple(unknown), anchored=anchored)


@lru_cache(maxsize=4096)
def _near_a_fast_word(word: str) -> bool:
    """One edit from a word typed fast ("wen": "when"); asked of every short word of every message."""
    return any(OSA.distance(word, fast) <= 1 for fast in TYPED_FAST)


def is_statement(message: str) -> bool:
    """True for a message that tells rather than asks ("I work nights in a warehouse and my calves
    cramp", "Hello, I'm from Italy. I get cramps at night"): no question mark, no clause that starts
    like a question, no question word anywhere ("any", "wondering"), no claim reported ("my aunt
    says X stops cramps" asks about X), and the teller speaks: it starts with the teller after any
    greeting, or a long message has a clause that does."""
    if "?" in message:
        return False
    clauses = [_without_greeting(normalise(c).split()) for c in _CLAUSE_SPLIT.split(message)]
    clauses = [c for c in clauses if c]
    words = [w for c in clauses for w in c]
    if not words or any(c[0] in QUESTION_STARTS for c in clauses) or set(words) & (ASKING_ANYWHERE | SPEECH):
        return False
    claims = any(w in CLAIMS and (i == 0 or words[i - 1] not in PRONOUNS) for i, w in enumerate(words))
    tells = words[0] in TELLER or (len(words) >= STORY_WORDS and any(c[0] in TELLER for c in clauses))
    return tells and not claims


def _without_greeting(words: list[str]) -> list[str]:
    start = 0
    while start < len(words) and words[start] in GREETINGS:
        start += 1
    return words[start:]


def _acronyms(text: str) -> frozenset[str]:
    """Short words typed in capitals in a message that is not shouted: "THC", "NAC", "TENS".

    Normalising lower-cases them, and a short lower-case word that is no common English word is
    most likely a typo ("wen"); in capitals it names something.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return frozenset()
    return frozenset(m.group(0).casefold() for m in _ACRONYM.finditer(text))


def close_repair(word: str, fixed: str) -> bool:
    """A typo repair sure enough for a subject: one edit between the word forms of a word of six
    letters or more, or the same sound.

    Ranking may guess more freely; here a wrong repair makes an unknown thing known ("creatine"
    is not "creating", "hylands" is not "hands", "kelp" is not "keep", "limes" are not "limbs"),
    while "bannana" is "bananas" and "kwinine" is "quinine".
    """
    return (len(word) >= 6 and OSA.distance(stem(word), stem(fixed)) <= 1) or sound_key(word) == sound_key(fixed)


def _is_letter_name(word: str) -> bool:
    """A lone letter that names a kind after a word: "vitamin B", "hepatitis C"."""
    return len(word) == 1 and word.isalpha() and word not in "aiu"


def _definite(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when the phrase follows "the", "that", "this"... in the words: it mentions something again."""
    n = len(phrase)
    return any(
        list(words[i : i + n]) == list(phrase) and i > 0 and words[i - 1] in DEFINITE for i in range(len(words) - n + 1)
    )


def _after_place(words: Sequence[str], start: int) -> bool:
    """True when the words before `start` are a preposition of place ("under my", "in the")."""
    i = start - 1
    while i >= 0 and words[i] in _DETERMINERS:
        i -= 1
    return i >= 0 and words[i] in PLACES


def _joined(between: Sequence[str]) -> bool:
    """True when the words between two subjects join them ("or", "and a", "rather than")."""
    return any(w in COORDINATORS for w in between) and all(w in COORDINATORS or w in _LINKING for w in between)


def span_in(text: str, words: Sequence[str]) -> str:
    """The part of `text` that normalises to `words`, as the user typed it (falls back to the words),
    with its article ("a chiropractor") and a number joined by a hyphen ("WD-40"); only letters,
    digits, spaces, hyphens and apostrophes, and at most `MAX_NAME_CHARS` (it is echoed back)."""
    pattern = r"\W+".join(re.escape(w) for w in words)
    found = re.search(rf"(?<!\w)(?:(?:a|an|the)\s+)?{pattern}(?:-\d+)?(?!\w)", text, flags=re.IGNORECASE)
    span = " ".join(found.group(0).split()) if found else " ".join(words)
    span = re.sub(r"[^\w' -]+", " ", span).strip() if not re.fullmatch(r"[\w' -]+", span) else span
    span = " ".join(span.split())
    if len(span) > MAX_NAME_CHARS:
        span = span[:MAX_NAME_CHARS].rsplit(" ", 1)[0] + "…"
    return span


def framing_stems(*word_lists: Iterable[str]) -> frozenset[str]:
    """The stems that never name a subject: function and question words plus the given lists
    (subjects.yaml's frame words, domain.yaml's topic words...)."""
    phrases = (*STOP_WORDS, *QUESTION_WORDS, *(w for words in word_lists for w in words))
    return frozenset(stem(w) for phrase in phrases for w in normalise(phrase).split())


def subject_words(text: str, not_subject: frozenset[str]) -> list[str]:
    """The words of a well-formed question that name its subject ("sports drinks" in "Do sports
    drinks help with leg cramps?"): everything but frame, topic and function words."""
    return [w for w in normalise(text).split() if w.isalpha() and len(w) >= SHORT_WORD and stem(w) not in not_subject]


def without_unknown(message: str, subject: Subject) -> str:
    """The message with what the articles do not cover taken out, to answer the rest of it: an
    unknown subject goes whole, an unknown kind leaves the thing it is a kind of."""
    text = _BRACKETS.sub(" or ", message)
    asking = normalise(asking_sentences(text)).split()
    # "I've heard bananas and tonic water help. Which of these work?": the things side by side are in the story
    in_story = subject.coordinated and not any(set(p.words) & set(asking) for p in subject.phrases)
    words = normalise(text).split() if in_story or not asking else asking
    drop: set[str] = set()
    for phrase in subject.unknown:
        drop |= set(phrase.unknown) if phrase.anchored else set(phrase.words)
    return " ".join(w for w in words if w not in drop)


def not_subject_stems(knowledge: Knowledge) -> frozenset[str]:
    """The stems that never name what a question asks about, for this knowledge folder: the frame
    words, the topic words and every word of the intent cues ("protect against", "brought on")."""
    cues = [cue for cues in knowledge.intents.values() for cue in cues]
    return framing_stems(
        knowledge.frame_words, knowledge.topic_anchors, knowledge.topic_words, knowledge.other_topics, cues
    )


def name_part_stems(knowledge: Knowledge) -> frozenset[str]:
    """Frame stems that may still be part of a name before a kind word: where in the body ("knee
    replacement") and intent cue words ("red light therapy"), unless they also ask, frame or name
    the topic ("best", "cramp")."""
    cues = [cue for cues in knowledge.intents.values() for cue in cues]
    framing = [w for section, words in knowledge.frame_sections.items() if section != BODY_SECTION for w in words]
    never = framing_stems(framing, knowledge.topic_anchors, knowledge.topic_words)
    return framing_stems(knowledge.place_words, cues) - never


def subject_reader(knowledge: Knowledge, retriever: Retriever) -> SubjectReader:
    """Known means written by the knowledge base's editors: the articles, their headings, the
    curated entries and the synonyms (lay phrases mapped on purpose), but not the related phrases
    (pilates is close to stretching; the articles say nothing about pilates). Phrasings say how
    people ask for a passage: they vouch for ordinary words, but a phrasing that names a product or
    a therapy does not make the articles say anything about it."""
    synonyms = Synonyms.from_mapping(knowledge.synonyms)
    edited = [normalise(text) for p in knowledge.passages for text in (p.question, p.search_question, p.answer)]
    edited += [expansion for _, expansion in synonyms.phrases.values()]
    edited += [phrase for phrase, _ in synonyms.phrases.values()]
    edited += [normalise(w) for w in (*knowledge.topic_anchors, *knowledge.related_words)]
    words = {w for text in edited for w in text.split()}
    written = frozenset(stem(w) for w in words)
    pairs = {f"{a} {b}" for text in edited for a, b in pairwise(stem(w) for w in text.split() if w not in STOP_WORDS)}
    # Phrasings may vouch for ordinary English words ("woken", "beer"), not for names only they use.
    words |= {
        w
        for p in knowledge.passages
        for text in p.alternates
        for w in normalise(text).split()
        if w in knowledge.common_words
    }
    not_subject = not_subject_stems(knowledge)
    return SubjectReader(
        known_stems=frozenset(stem(w) for w in words),
        known_words=frozenset(words),
        known_pairs=frozenset(t for t in retriever.index.vocabulary if " " in t) | pairs,
        not_subject=not_subject,
        kinds=frozenset(stem(w) for w in knowledge.kind_words),
        uses=frozenset(stem(w) for w in knowledge.use_words),
        written_stems=written,
        name_parts=name_part_stems(knowledge),
        real_words=knowledge.common_words,
        repair=retriever.correct,
        synonym_spans=synonyms.spans,
        domain=frozenset(stem(w) for phrase in knowledge.related_words for w in normalise(phrase).split()),
    )
