"""Pick the passage that answers a question: synonyms, typo repair, TF-IDF fields, fuzzy titles.

The retriever only ranks and scores; deciding what to say (fallback, small talk, safety) is
`bot.chat`'s job. Everything it needs is built once in `Retriever.build` so `search` stays cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from bot.corpus.passages import Passage
from bot.retrieval.data import RetrievalData
from bot.retrieval.index import FieldIndex, terms_of_words
from bot.retrieval.intents import IntentCues, intent_boost
from bot.retrieval.synonyms import Synonyms
from bot.retrieval.typos import TypoRepair
from bot.retrieval.vocabulary import Vocabulary, stems_of, trusted_spellings, vocabulary_words
from bot.text.normalise import normalise
from bot.text.sentences import asking_sentences
from bot.text.stems import stem
from bot.text.words import QUESTION_WORDS, STOP_WORDS

SPAN_WORDS = frozenset({"long", "longer", "short", "prolong", "extend", "several", "few", "some"})


@dataclass(frozen=True)
class RetrieverConfig:
    """Scoring weights and thresholds; defaults are calibrated on `knowledge/eval/`."""

    question_weight: float = 0.50  # the question, its context and every phrasing as one text
    answer_weight: float = 0.50
    fuzzy_weight: float = 0.25
    topic_term_weight: float = 0.2  # share of weight kept by the domain's topic words
    min_confidence: float = 0.12
    did_you_mean_ratio: float = 0.6  # below the threshold but above this share of it: offer "did you mean"
    suggestion_min_score: float = 0.08
    fuzzy_candidates: int = 12
    related_only_factor: float = 0.4  # confidence kept without a topic anchor but with a related word
    off_domain_factor: float = 0.3  # confidence kept with neither
    other_topic_factor: float = 0.3  # confidence kept when another kind of cramp is named
    intent_weight: float = 0.2  # most a passage's score grows when its phrasings ask what the question asks
    intent_depth: int = 3  # how many of the best passages the intent and the focus may reorder
    focus_share: float = 0.75  # a word in this share of a passage's phrasings is what the passage is about
    focus_penalty: float = 0.1  # share of score lost, among those, by a passage whose focus the question never names
    ask_repeats: int = 2  # extra times the asking sentences of a long message count (see text.asking_sentences)
    answer_cache: int = 1024  # answers to messages read alone that a Bot keeps (least recently used dropped; 0: none)


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    score: float


@dataclass(frozen=True)
class Retrieval:
    """What the retriever found for one question, with the evidence a staff view would show."""

    candidates: tuple[Candidate, ...]
    confidence: float
    matched: bool
    corrections: Mapping[str, str] = field(default_factory=dict)  # typed word -> corpus word
    synonyms_used: tuple[str, ...] = ()
    coverage: float = 0.0
    has_anchor: bool = False  # names the topic (cramp, spasm...) or its neighbourhood (calf, magnesium...)
    intents: tuple[str, ...] = ()  # kinds of answer asked for (cause, prevent...), see bot.intent
    other_topic: bool = False  # names another kind of cramp ("cramps in my hands", "period cramps")
    stems: frozenset[str] = frozenset()  # of the question's words, after typo repair and synonyms

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def is_near_miss(self, config: RetrieverConfig) -> bool:
        """Close to an answer without reaching the threshold: worth a "did you mean"."""
        return (
            not self.matched
            and self.has_anchor
            and self.confidence >= config.did_you_mean_ratio * config.min_confidence
        )


MIN_FOCUS_PHRASINGS = 4  # the question and three phrasings


def focus_stems(phrasings: Sequence[Sequence[str]], ignore: frozenset[str], share: float) -> frozenset[str]:
    """The stems at least `share` of a passage's phrasings (as stems) use, apart from `ignore`.

    For most passages this is empty; for one about a condition or a group of people it names it
    ("pregnancy", "kidney", "quinine"), and such a passage should not answer a question that never
    mentions it, however well the rest of its phrasings fit. `ignore` holds the words every
    question shares and the intent cues' words (a kind of question, such as "cause", is not a topic).
    With fewer than `MIN_FOCUS_PHRASINGS` phrasings every word would look like the focus: none.
    """
    if len(phrasings) < MIN_FOCUS_PHRASINGS:
        return frozenset()
    counts = Counter(s for stems in phrasings for s in set(stems) - ignore)
    return frozenset(s for s, n in counts.items() if n >= share * len(phrasings))


class Retriever:
    def __init__(
        self,
        passages: Sequence[Passage],
        index: FieldIndex,
        synonyms: Synonyms,
        lexicon: Vocabulary,
        quality: np.ndarray,
        config: RetrieverConfig,
        intents: IntentCues | None = None,
    ) -> None:
        self.passages = tuple(passages)
        self.index = index
        self.synonyms = synonyms
        self.lexicon = lexicon
        self.config = config
        self.typos = TypoRepair(lexicon)
        self._quality = quality
        self._titles = [[normalise(q) for q in (p.question, *p.alternates)] for p in self.passages]
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self.intents = intents or IntentCues.from_mapping({})
        self._intent_profiles = [self.intents.profile(titles) for titles in self._titles]
        self._focus_ignore = (
            lexicon.topic | STOP_WORDS | QUESTION_WORDS | frozenset(stem(w) for w in self.intents.words)
        )
        # Filled on first use: only passages that reach a best three need it (a 10,000-passage build saves ~2 s).
        self._focus: list[frozenset[str] | None] = [None] * len(self.passages)
        self._max_weight = float(index.idf.max()) if index.idf.size else 1.0
        self._tfidf = index.blend({"question": config.question_weight, "answer": config.answer_weight})

    @classmethod
    def build(cls, data: RetrievalData, config: RetrieverConfig | None = None) -> Retriever:
        """Index the passages and prepare everything `search` needs (one value in, see RetrievalData)."""
        passages, synonyms = data.passages, data.synonyms
        headings = [normalise(p.search_question) for p in passages]
        phrasings = [[normalise(a) for a in p.alternates] for p in passages]
        answers = [normalise(p.answer) for p in passages]
        index = FieldIndex.build(
            {"question": [" ".join((h, *ph)) for h, ph in zip(headings, phrasings, strict=True)], "answer": answers}
        )
        expansions = [expansion for _, expansion in synonyms.phrases.values()]
        edited = Counter(vocabulary_words(" ".join((*answers, *headings, *expansions))))
        phrased = Counter(vocabulary_words(" ".join(text for texts in phrasings for text in texts)))
        lexicon = Vocabulary(
            corpus=edited + phrased,
            common=data.common_words,
            spelled=trusted_spellings(edited, phrased),
            anchors=stems_of(data.topic_anchors),
            related=stems_of(data.related_words),
            other_topics=stems_of(data.other_topics),
            topic=stems_of(data.topic_words),
        )
        quality = np.array([data.source_quality.get(p.source, 1.0) for p in passages], dtype=np.float64)
        return cls(passages, index, synonyms, lexicon, quality, config or RetrieverConfig(), data.intents)

    def correct(self, word: str) -> str | None:
        """The corpus word a mistyped word most likely meant (cached), or None: see `TypoRepair`."""
        return self.typos.correct(word)

    def _word_weight(self, word: str) -> float:
        term_id = self.index.vocabulary.get(stem(word))
        return float(self.index.idf[term_id]) if term_id is not None else self._max_weight

    def _prepare(self, question: str) -> tuple[list[str], list[str], dict[str, str], tuple[str, ...], float]:
        """The question's words: as typed (normalised); after typo repair and synonym expansion.
        Then the evidence (corrections, synonyms used) and the topic coverage.

        Coverage is the IDF-weighted share of the question's content words the corpus knows: a
        question about "acne" shares "treat" with the articles, but its telling word is unknown.
        """
        corrections: dict[str, str] = {}
        repaired: list[str] = []
        content = known = 0.0
        typed = normalise(question).split()
        for typed_word in typed:
            word = typed_word
            if word in STOP_WORDS or word in QUESTION_WORDS:
                repaired.append(word)  # function words say nothing about the topic: not counted
                continue
            if word not in self.lexicon.spelled and word.isalpha():
                fixed = self.typos.correct(word)
                if fixed is not None:
                    if stem(fixed) != stem(word):  # "tightens" -> "tighten" is no repair worth reporting
                        corrections[word] = fixed
                    word = fixed
            repaired.append(word)
            if word in self.lexicon.corpus:
                weight = self._word_weight(word)
                known += weight
                content += weight
            elif len(word) > 3:
                content += self._max_weight  # an unknown word is as telling as the rarest known one
        expanded, used = self.synonyms.expand(repaired)
        if used:  # a lay phrase the synonyms know is as good as a corpus word
            known_phrases = sum(self._max_weight for _ in used)
            known, content = known + known_phrases, content + known_phrases
        coverage = min(1.0, known / content) if content else 0.0
        return typed, expanded, corrections, used, coverage

    def _names_other_topic(self, stems: Sequence[str], window: int = 3) -> bool:
        """Another kind of cramp ("stomach cramps", "cramps in my stomach"), not just the word:
        "I sleep on my stomach" is still about leg cramps."""
        other = self.lexicon.other_topics
        cramp_at = [i for i, s in enumerate(stems) if s in self.lexicon.topic and s in self.lexicon.anchors]

        def names(j: int) -> bool:  # "for long periods", "periods of time": a span of time, not a period
            return stems[j] in other and not (
                (j > 0 and stems[j - 1] in SPAN_WORDS) or (j + 1 < len(stems) and stems[j + 1] == "of")
            )

        return any(names(j) for i in cramp_at for j in range(max(0, i - window), min(len(stems), i + window + 1)))

    def _fuzzy(self, text: str, shortlist: np.ndarray) -> np.ndarray:
        """For each shortlisted passage, how close the text is to its nearest phrasing (0..1).

        One rapidfuzz call over every phrasing of the shortlist (C, no Python loop per pair).
        """
        titles = [t for i in shortlist for t in self._titles[i]]
        sizes = [len(self._titles[i]) for i in shortlist]
        ratios = process.cdist([text], titles, scorer=fuzz.ratio, dtype=np.uint8)[0]
        return np.maximum.reduceat(ratios, np.cumsum([0, *sizes[:-1]])).astype(np.float64) / 100.0

    def _focus_of(self, i: int) -> frozenset[str]:
        focus = self._focus[i]
        if focus is None:  # two threads may both compute it: same value, no harm
            phrasings = [[stem(w) for w in self.synonyms.expand(t.split())[0]] for t in self._titles[i]]
            focus = self._focus[i] = focus_stems(phrasings, self._focus_ignore, self.config.focus_share)
        return focus

    def _reorder_head(
        self, order: np.ndarray, scores: np.ndarray, asked: tuple[int, ...], stems: frozenset[str]
    ) -> np.ndarray:
        """The best few, reordered by how well each passage's phrasings ask what the question asks,
        and with a passage whose focus (see `focus_stems`) the question's stems never name set back.

        Only the first `intent_depth` move, so the top three stay the same passages (which one
        answers, and so the suggestions, may change): the intent separates near neighbours, it does
        not find new ones.
        `scores` is updated in place so the candidates' scores match their order.
        """
        depth = self.config.intent_depth
        if len(order) < 2 or depth < 2:
            return order
        head = order[:depth].tolist()
        for i in head:
            scores[i] *= intent_boost(asked, self._intent_profiles[i], self.config.intent_weight)
            focus = self._focus_of(i)
            if focus and not focus & stems:
                scores[i] *= 1.0 - self.config.focus_penalty
        head.sort(key=lambda i: -scores[i])  # stable: ties keep their TF-IDF order
        return np.concatenate([np.asarray(head, dtype=order.dtype), order[depth:]])

    def search(self, question: str, k: int = 5) -> Retrieval:
        k = max(k, 0)
        cfg = self.config
        typed, words, corrections, used, coverage = self._prepare(question)
        terms = terms_of_words(words)
        ask = asking_sentences(question) if cfg.ask_repeats > 0 else ""
        ask_typed = typed
        if ask:  # only the terms weigh more: typos, intents, fuzzy titles and topic checks read the message as sent
            ask_typed, ask_words, *_ = self._prepare(ask)
            terms += terms_of_words(ask_words) * cfg.ask_repeats
        query = self.index.vectorise(terms, self.lexicon.topic, cfg.topic_term_weight)
        asked = self.intents.detect(ask_typed) or self.intents.detect(typed)
        if not query or not self.passages:
            return Retrieval(
                candidates=(),
                confidence=0.0,
                matched=False,
                corrections=corrections,
                synonyms_used=used,
                coverage=coverage,
                intents=self.intents.labels(asked),
            )
        tfidf = self._tfidf.scores(query, len(self.passages))  # question_weight, answer_weight: see `blend`
        n_fuzzy = min(cfg.fuzzy_candidates, len(self.passages))
        shortlist = np.argpartition(-tfidf, n_fuzzy - 1)[:n_fuzzy]
        scores = np.zeros(len(self.passages))
        scores[shortlist] = tfidf[shortlist] + cfg.fuzzy_weight * self._fuzzy(" ".join(words), shortlist)
        scores[shortlist] *= self._quality[shortlist]
        order = shortlist[np.argsort(-scores[shortlist], kind="stable")][: max(k, cfg.intent_depth)]
        relevance = float(scores[order[0]]) if len(order) else 0.0
        stem_list = [stem(w) for w in words]
        stems = frozenset(stem_list)
        order = self._reorder_head(order, scores, asked, stems)[:k]
        candidates = tuple(Candidate(self.passages[i], float(scores[i])) for i in order if scores[i] > 0)
        on_topic, related = bool(stems & self.lexicon.anchors), bool(stems & self.lexicon.related)
        top = relevance if candidates else 0.0  # before the reorder: it never decides whether to answer
        confidence = top * coverage**0.5
        if not on_topic:
            confidence *= cfg.related_only_factor if related else cfg.off_domain_factor
        other_topic = self._names_other_topic(stem_list)
        if other_topic:
            confidence *= cfg.other_topic_factor
        confidence = float(min(1.0, max(0.0, confidence)))
        return Retrieval(
            candidates=candidates,
            confidence=confidence,
            matched=confidence >= cfg.min_confidence,
            corrections=corrections,
            synonyms_used=used,
            coverage=coverage,
            has_anchor=on_topic or related,
            intents=self.intents.labels(asked),
            other_topic=other_topic,
            stems=stems,
        )

    def about(self, passage: Passage) -> frozenset[str]:
        """The stems that say what a passage is about: its own question's (with synonyms) and its
        focus, the words most of its phrasings share ("magnesium")."""
        i = self._position[passage.id]
        return frozenset(stem(w) for w in self.synonyms.expand(self._titles[i][0].split())[0]) | self._focus_of(i)
