"""Pick the passage that answers a question: synonyms, typo repair, TF-IDF fields, fuzzy titles.

The retriever only ranks and scores; deciding what to say (fallback, small talk, safety) is
`bot.chat`'s job. Everything it needs is built once in `Retriever.build` so `search` stays cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.corpus import Passage
from bot.index import QUESTION_WORDS, STOP_WORDS, FieldIndex, terms_of_words
from bot.text import normalise, stem


@dataclass(frozen=True)
class RetrieverConfig:
    """Scoring weights and thresholds; defaults are calibrated on `knowledge/eval/`."""

    question_weight: float = 0.10  # the question, its context and every phrasing as one text
    phrasing_weight: float = 0.10  # the single closest phrasing (question or one alternate)
    answer_weight: float = 1.00
    fuzzy_weight: float = 0.20
    min_confidence: float = 0.22
    did_you_mean_ratio: float = 0.6  # below the threshold but above this share of it: offer "did you mean"
    suggestion_min_score: float = 0.08
    fuzzy_candidates: int = 15
    no_anchor_penalty: float = 0.55


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
    has_anchor: bool = False

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def is_near_miss(self, config: RetrieverConfig) -> bool:
        """Close to an answer without reaching the threshold: worth a "did you mean"."""
        return (not self.matched and self.has_anchor
                and self.confidence >= config.did_you_mean_ratio * config.min_confidence)


@dataclass(frozen=True)
class Synonyms:
    """Lay phrases -> the words the articles use, applied to questions before searching."""

    mapping: Mapping[str, str]  # normalised phrase -> normalised expansion
    pattern: re.Pattern[str] | None

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Sequence[str] | str]) -> Synonyms:
        flat: dict[str, str] = {}
        for phrase, targets in mapping.items():
            values = [targets] if isinstance(targets, str) else list(targets)
            flat[normalise(phrase)] = " ".join(normalise(v) for v in values)
        keys = sorted((k for k in flat if k), key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b") if keys else None
        return cls(mapping=flat, pattern=pattern)

    def expand(self, normalised: str) -> tuple[str, tuple[str, ...]]:
        """The text with each lay phrase's expansion appended, and the phrases that fired."""
        if self.pattern is None:
            return normalised, ()
        used = tuple(dict.fromkeys(m.group(1) for m in self.pattern.finditer(normalised)))
        if not used:
            return normalised, ()
        return normalised + " " + " ".join(self.mapping[u] for u in used), used


class Retriever:
    def __init__(self, passages: Sequence[Passage], index: FieldIndex, phrasings: FieldIndex,
                 phrasing_owner: np.ndarray, synonyms: Synonyms, anchors: frozenset[str],
                 vocabulary: Counter[str], quality: np.ndarray, config: RetrieverConfig) -> None:
        self.passages = tuple(passages)
        self.index = index
        self.phrasings = phrasings
        self._phrasing_owner = phrasing_owner
        self.synonyms = synonyms
        self.anchors = anchors
        self.config = config
        self._vocabulary = vocabulary
        self._vocab_words = [w for w, _ in vocabulary.most_common()]
        self._quality = quality
        self._titles = [[normalise(q) for q in (p.question, *p.alternates)] for p in self.passages]
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        self._max_weight = float(index.idf.max()) if index.idf.size else 1.0

    @classmethod
    def build(cls, passages: Sequence[Passage], *, synonyms: Synonyms | None = None,
              anchors: Sequence[str] = (), source_quality: Mapping[str, float] | None = None,
              config: RetrieverConfig | None = None) -> Retriever:
        synonyms = synonyms or Synonyms.from_mapping({})
        fields = {
            "question": [normalise(" ".join((p.search_question, *p.alternates))) for p in passages],
            "answer": [normalise(p.answer) for p in passages],
        }
        index = FieldIndex.build(fields)
        phrasing_texts = [normalise(t) for p in passages for t in (p.question, *p.alternates)]
        owner = np.array([i for i, p in enumerate(passages) for _ in (p.question, *p.alternates)], dtype=np.intp)
        phrasings = FieldIndex.build({"phrasing": phrasing_texts})
        vocabulary: Counter[str] = Counter()
        for text in (*fields["question"], *fields["answer"], *synonyms.mapping):
            vocabulary.update(w for w in text.split() if len(w) > 2 and w.isalpha())
        quality = np.array([(source_quality or {}).get(p.source, 1.0) for p in passages], dtype=np.float64)
        anchor_stems = frozenset(stem(w) for a in anchors for w in normalise(a).split())
        return cls(passages, index, phrasings, owner, synonyms, anchor_stems, vocabulary, quality,
                   config or RetrieverConfig())

    def _correct_uncached(self, word: str) -> str | None:
        """The corpus word a mistyped word most likely meant, or None when nothing is close.

        One edit (a transposition counts as one) for words of up to six letters, two for longer
        ones, and the first letter must agree: people rarely mistype it, and without that rule
        "spider" would become "side" and "nice" would become "ice".
        """
        if len(word) < 4 or not word.isalpha():
            return None
        max_edits = 1 if len(word) <= 6 else 2
        hits = process.extract(word, self._vocab_words, scorer=OSA.distance, score_cutoff=max_edits, limit=5)
        hits = [h for h in hits if h[0][0] == word[0]]
        if not hits:
            return None
        best = min(hits, key=lambda h: (h[1], -self._vocabulary[h[0]]))
        return str(best[0])

    def _prepare(self, question: str) -> tuple[list[str], dict[str, str], tuple[str, ...], float]:
        """Normalised words after synonym expansion and typo repair, plus the evidence for them."""
        normalised = normalise(question)
        expanded, used = self.synonyms.expand(normalised)
        corrections: dict[str, str] = {}
        out: list[str] = []
        content = known = 0.0
        for word in expanded.split():
            if word in STOP_WORDS or word in QUESTION_WORDS:
                out.append(word)  # function words say nothing about the topic: not counted in coverage
                continue
            if word not in self._vocabulary and word.isalpha():
                fixed = self._correct(word)
                if fixed is not None:
                    corrections[word] = fixed
                    word = fixed
            out.append(word)
            if word in self._vocabulary:
                weight = self._word_weight(word)
                known += weight
                content += weight
            elif len(word) > 3:
                content += self._max_weight  # an unknown word is as telling as the rarest known one
        coverage = known / content if content else 0.0
        return out, corrections, used, coverage

    def _word_weight(self, word: str) -> float:
        term_id = self.index.vocabulary.get(stem(word))
        return float(self.index.idf[term_id]) if term_id is not None else self._max_weight

    def search(self, question: str, k: int = 5) -> Retrieval:
        words, corrections, used, coverage = self._prepare(question)
        terms = terms_of_words(words)
        query = self.index.vectorise(terms)
        if not query or not self.passages:
            return Retrieval(candidates=(), confidence=0.0, matched=False, corrections=corrections,
                             synonyms_used=used, coverage=coverage)
        cfg = self.config
        closest = np.zeros(len(self.passages))
        phrasing_query = self.phrasings.vectorise(terms)
        if phrasing_query:
            np.maximum.at(closest, self._phrasing_owner, self.phrasings.cosine("phrasing", phrasing_query))
        tfidf = (cfg.question_weight * self.index.cosine("question", query)
                 + cfg.answer_weight * self.index.cosine("answer", query)
                 + cfg.phrasing_weight * closest)
        n_fuzzy = min(cfg.fuzzy_candidates, len(self.passages))
        shortlist = np.argpartition(-tfidf, n_fuzzy - 1)[:n_fuzzy]
        text = " ".join(words)
        scores = np.zeros(len(self.passages))
        for i in shortlist:
            fuzzy = max(fuzz.token_set_ratio(text, title) for title in self._titles[i]) / 100.0
            scores[i] = (tfidf[i] + cfg.fuzzy_weight * fuzzy) * self._quality[i]
        order = shortlist[np.argsort(-scores[shortlist], kind="stable")][:k]
        candidates = tuple(Candidate(self.passages[i], float(scores[i])) for i in order if scores[i] > 0)
        has_anchor = any(stem(w) in self.anchors for w in words)
        top = candidates[0].score if candidates else 0.0
        confidence = top * coverage * (1.0 if has_anchor else cfg.no_anchor_penalty)
        confidence = float(min(1.0, max(0.0, confidence)))
        return Retrieval(candidates=candidates, confidence=confidence, matched=confidence >= cfg.min_confidence,
                         corrections=corrections, synonyms_used=used, coverage=coverage, has_anchor=has_anchor)
