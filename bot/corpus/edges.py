"""Where a passage's answer starts or ends mid-thought, and what of that can simply go.

An article is written to be read top to bottom. Split into passages that are read alone, a section
may open with a sentence that leans on the one before it ("Other factors that may contribute...
include:") or close with a lead-in to what follows it in the article ("let's look a little deeper
into what they really are."). Pure functions: the word lists come from `knowledge/edges.yaml`
(read by `passages.read_edge_words`), the answers from the splitter or a curated entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NamedTuple

from bot.corpus.splitter import BULLET
from bot.text.normalise import normalise
from bot.text.sentences import ARTICLE_SENTENCE_SPLIT_RE
from bot.text.stems import stem
from bot.text.words import QUESTION_WORDS, STOP_WORDS

EdgeKind = Literal["connective", "dependent", "pronoun", "lead_in", "no_list", "no_stop"]
_END_MARKS = (".", "!", "?", "\u2026")
_CLOSERS = "\"')]\u201d\u2019"
_FUNCTION_STEMS = frozenset(stem(w) for w in STOP_WORDS | QUESTION_WORDS)


def edge_phrase(text: str) -> str:
    """A phrase as it is matched: lower case, one space between words, ’ written as '."""
    return " ".join(text.replace("\u2019", "'").casefold().split())


@dataclass(frozen=True)
class EdgeWords:
    """The word lists of `knowledge/edges.yaml` as `edge_phrase`s; that file says what each is for."""

    connectives: tuple[str, ...] = ()
    dependent_openings: tuple[str, ...] = ()
    independent_openings: tuple[str, ...] = ()
    pronouns: tuple[str, ...] = ()
    lead_ins: tuple[str, ...] = ()
    lead_in_endings: tuple[str, ...] = ()

    @classmethod
    def of(cls, lists: Mapping[str, Iterable[str]]) -> EdgeWords:
        """The lists by section name (the names of this class's fields), cleaned."""
        return cls(**{name: tuple(p for p in map(edge_phrase, phrases) if p) for name, phrases in lists.items()})

    @cached_property
    def _connective_re(self) -> re.Pattern[str] | None:
        return _phrases_re(self.connectives, r"^(?:{})\s*")

    @cached_property
    def _dependent_re(self) -> re.Pattern[str] | None:
        return _phrases_re(self.dependent_openings, r"^(?:{})")

    @cached_property
    def _independent_re(self) -> re.Pattern[str] | None:
        return _phrases_re(self.independent_openings, r"^(?:{})")

    @cached_property
    def _lead_in_re(self) -> re.Pattern[str] | None:
        return _phrases_re(self.lead_ins, r"(?<![\w'])(?:{})")

    @cached_property
    def _ending_re(self) -> re.Pattern[str] | None:
        return _phrases_re(self.lead_in_endings, r"(?<![\w'])(?:{})[\s.!?:;,\u2026\"')\]\u201d\u2019]*$")

    def connective(self, sentence: str) -> str | None:
        """The connective `sentence` starts with, as written ("Additionally,"), or None."""
        return _match(self._connective_re, sentence, search=False)

    def dependent_opening(self, sentence: str) -> str | None:
        """The listed word or phrase `sentence` starts with that points back at earlier text, or None."""
        if _match(self._independent_re, sentence, search=False):
            return None
        return _match(self._dependent_re, sentence, search=False)

    def unnamed_pronoun(self, sentence: str, question: str) -> str | None:
        """A pronoun in `sentence` that comes before any word of `question`: what it stands for was
        named before the passage began ("Most people who experience them..." answering "How to get
        rid of leg cramps?"). An independent opening ("It is important...") is skipped first."""
        if not self.pronouns or not question:
            return None
        named = {stem(w) for w in normalise(question).split()} - _FUNCTION_STEMS
        opening = _match(self._independent_re, sentence, search=False) or ""
        for word in normalise(sentence[len(opening) :]).split():
            if stem(word) in named:
                return None
            if word in self.pronouns:
                return word
        return None

    def lead_in(self, sentence: str) -> str | None:
        """The listed phrase that makes `sentence` a lead-in to text after it, or None."""
        return _match(self._lead_in_re, sentence, search=True) or _match(self._ending_re, sentence, search=True)


def _phrases_re(phrases: tuple[str, ...], shape: str) -> re.Pattern[str] | None:
    """One pattern for the phrases, longest first, each ending on a word boundary unless it ends in
    punctuation ("also," needs its comma; "it" must not match "items")."""
    if not phrases:
        return None
    alternatives = [
        re.escape(p).replace(r"\ ", r"\s+") + (r"(?![\w'])" if p[-1].isalnum() else "")
        for p in sorted(set(phrases), key=len, reverse=True)
    ]
    return re.compile(shape.format("|".join(alternatives)), re.IGNORECASE)


def _match(pattern: re.Pattern[str] | None, text: str, *, search: bool) -> str | None:
    if pattern is None:
        return None
    plain = text.replace("\u2019", "'")  # the same length, so positions hold in the original text
    found = pattern.search(plain) if search else pattern.match(plain)
    return text[found.start() : found.end()].strip() if found else None


class Edge(NamedTuple):
    """A mid-thought edge of an answer: which kind, the sentence at it, and what gives it away."""

    kind: EdgeKind
    sentence: str
    cue: str = ""  # the listed word or phrase as written; "" for a missing list or full stop

    @property
    def side(self) -> Literal["start", "end"]:
        return "start" if self.kind in ("connective", "dependent", "pronoun") else "end"

    def describe(self) -> str:
        """What is wrong, in a maintainer's words."""
        if self.kind == "connective":
            return f"starts mid-thought: {self.sentence!r} opens with {self.cue!r}, which leans on text before it"
        if self.kind == "dependent":
            return f"starts mid-thought: {self.sentence!r} opens with {self.cue!r}, which points back at text before it"
        if self.kind == "pronoun":
            return f"starts mid-thought: {self.sentence!r} says {self.cue!r} before naming what it stands for"
        if self.kind == "no_list":
            return f"ends mid-thought: {self.sentence!r} ends in ':' with nothing after it"
        if self.kind == "no_stop":
            return f"ends mid-thought: {self.sentence!r} has no full stop; was it cut off?"
        return f"ends mid-thought: {self.sentence!r} leads in to text that is not there ({self.cue!r})"


def _lines(answer: str) -> list[str]:
    return [line.strip() for line in answer.strip().split("\n") if line.strip()]


def _item(line: str) -> str:
    """A line without its bullet."""
    return line[len(BULLET) :].strip() if line.startswith(BULLET) else line


def _sentences(line: str) -> list[str]:
    return [s for s in ARTICLE_SENTENCE_SPLIT_RE.split(line.strip()) if s]


def opening_edge(answer: str, words: EdgeWords, question: str = "") -> Edge | None:
    """The answer's first sentence when it opens with a connective or a dependent opening, or uses a
    pronoun before it names anything its `question` (when given) asks about."""
    lines = _lines(answer)
    sentences = _sentences(_item(lines[0])) if lines else []
    if not sentences:
        return None
    first = sentences[0]
    if cue := words.connective(first):
        return Edge("connective", first, cue)
    if cue := words.dependent_opening(first):
        return Edge("dependent", first, cue)
    if cue := words.unnamed_pronoun(first, question):
        return Edge("pronoun", first, cue)
    return None


def closing_edge(answer: str, words: EdgeWords) -> Edge | None:
    """The answer's last sentence when it leads in to text that is not there, ends in ':', or has no
    end mark. A list item needs no full stop, but one ending in ':' announces what is missing."""
    lines = _lines(answer)
    sentences = _sentences(_item(lines[-1])) if lines else []
    if not sentences:
        return None
    last = sentences[-1]
    if last.endswith(":"):
        return Edge("no_list", last)
    if lines[-1].startswith(BULLET):
        return None
    if cue := words.lead_in(last):
        return Edge("lead_in", last, cue)
    if not last.rstrip(_CLOSERS).endswith(_END_MARKS):
        return Edge("no_stop", last)
    return None


def find_edges(answer: str, words: EdgeWords, question: str = "") -> list[Edge]:
    """Every mid-thought edge of an answer to `question`: at most one at its start and one at its end."""
    return [e for e in (opening_edge(answer, words, question), closing_edge(answer, words)) if e is not None]


def trim_edges(answer: str, words: EdgeWords, *, min_chars: int = 1) -> str:
    """The answer without what can go without changing what the rest says: connectives at its start
    ("Additionally, rest" -> "Rest") and lead-in sentences at its end ("...let's look a little deeper.").

    Nothing goes that would leave fewer than `min_chars` characters: such an answer keeps its edge
    and `crampbot check` reports it. A dependent opening ("These factors include:") needs a person,
    so it is only found, never changed, here.
    """
    lines = _lines(answer)
    while lines and not lines[0].startswith(BULLET):
        cue = words.connective(lines[0])
        rest = lines[0][len(cue) :].lstrip(" ,") if cue else ""
        if not rest or len("\n".join([rest, *lines[1:]])) < min_chars:
            break
        lines[0] = rest[0].upper() + rest[1:]
    while lines and not lines[-1].startswith(BULLET):
        edge = closing_edge("\n".join(lines), words)
        if edge is None or edge.kind == "no_stop":
            break
        sentences = _sentences(lines[-1])
        kept = lines[:-1] + ([" ".join(sentences[:-1])] if len(sentences) > 1 else [])
        if len("\n".join(kept)) < min_chars:
            break
        lines = kept
    return "\n".join(lines)
