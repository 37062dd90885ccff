"""TF-IDF over passage fields, with a single-query vectoriser fast enough for the hot path.

scikit-learn fits the vocabulary and IDF weights once at build time; answering a question then
needs only a dictionary look-up per term and a few numpy additions over posting lists, instead of
`TfidfVectorizer.transform`'s per-call overhead (about 100x slower for one short query).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from bot.text import stem, words

# Question words and a few others carry intent in short questions ("how long", "when ... worry").
QUESTION_WORDS = frozenset({"how", "why", "when", "who", "what"})
_KEEP = QUESTION_WORDS | {"last", "serious", "side", "move", "back", "front", "keep", "get", "stop", "off", "down"}
STOP_WORDS = frozenset(w for w in ENGLISH_STOP_WORDS if w not in _KEEP) | {"does", "did", "doing", "im", "just", "really"}


def analyse(text: str) -> list[str]:
    """Terms of a text: stemmed content words plus adjacent-word bigrams."""
    return terms_of_words(words(text))


def terms_of_words(tokens: Sequence[str]) -> list[str]:
    stems = [stem(w) for w in tokens if w not in STOP_WORDS]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


@dataclass(frozen=True)
class Postings:
    """Column-wise view of one field's TF-IDF matrix: term id -> (rows, weights)."""

    rows: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]

    @classmethod
    def from_matrix(cls, matrix: sparse.csr_matrix) -> Postings:
        csc = matrix.tocsc()
        csc.sort_indices()
        rows = tuple(csc.indices[csc.indptr[j]:csc.indptr[j + 1]].copy() for j in range(csc.shape[1]))
        weights = tuple(csc.data[csc.indptr[j]:csc.indptr[j + 1]].astype(np.float64) for j in range(csc.shape[1]))
        return cls(rows=rows, weights=weights)

    def scores(self, query: dict[int, float], n_rows: int) -> np.ndarray:
        out = np.zeros(n_rows)
        for term_id, weight in query.items():
            rows = self.rows[term_id]
            if rows.size:
                out[rows] += weight * self.weights[term_id]
        return out


@dataclass(frozen=True)
class FieldIndex:
    """TF-IDF for several text fields of the same documents, sharing one vocabulary and IDF."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    fields: dict[str, Postings]
    n_docs: int

    @classmethod
    def build(cls, fields: dict[str, Sequence[str]]) -> FieldIndex:
        lengths = {len(texts) for texts in fields.values()}
        if len(lengths) != 1:
            raise ValueError(f"every field needs one text per document, got lengths {sorted(lengths)}")
        (n_docs,) = lengths
        vectoriser = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, norm="l2", smooth_idf=True)
        all_texts = [text for texts in fields.values() for text in texts]
        vectoriser.fit(all_texts or [""])
        vocabulary = {term: int(i) for term, i in vectoriser.vocabulary_.items()}
        postings = {name: Postings.from_matrix(vectoriser.transform(list(texts))) for name, texts in fields.items()}
        return cls(vocabulary=vocabulary, idf=vectoriser.idf_.astype(np.float64), fields=postings, n_docs=n_docs)

    def vectorise(self, terms: Sequence[str]) -> dict[int, float]:
        """The query's l2-normalised, sublinear TF-IDF weights, as TfidfVectorizer would give them."""
        counts = Counter(t for t in terms if t in self.vocabulary)
        weights = {self.vocabulary[t]: (1.0 + math.log(c)) * self.idf[self.vocabulary[t]] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {k: w / norm for k, w in weights.items()} if norm else {}

    def cosine(self, field: str, query: dict[int, float]) -> np.ndarray:
        return self.fields[field].scores(query, self.n_docs)
