"""TF-IDF over passage fields, with a single-query vectoriser fast enough for the hot path.

scikit-learn fits the vocabulary and IDF weights once at build time; answering a question then
needs only a dictionary look-up per term and a few numpy additions over posting lists, instead of
`TfidfVectorizer.transform`'s per-call overhead (about 100x slower for one short query).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.text.normalise import words
from bot.text.stems import stem
from bot.text.words import STOP_WORDS


def analyse(text: str) -> list[str]:
    """Terms of a text: stemmed content words plus adjacent-word bigrams."""
    return terms_of_words(words(text))


def _analyse_normalised(text: str) -> list[str]:
    return terms_of_words(text.split())


def terms_of_words(tokens: Sequence[str]) -> list[str]:
    stems = [stem(w) for w in tokens if w not in STOP_WORDS]
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]


@dataclass(frozen=True)
class Postings:
    """Column-wise (CSC) view of one field's TF-IDF matrix: a term's rows are one slice away."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    starts: tuple[int, ...] = field(init=False)  # indptr as Python ints: slicing by them skips numpy scalars

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(self.indptr.tolist()))

    @classmethod
    def from_matrix(cls, matrix: sparse.spmatrix) -> Postings:
        csc = sparse.csc_matrix(matrix, dtype=np.float64)
        csc.sort_indices()
        return cls(indptr=csc.indptr, indices=csc.indices, data=csc.data)

    def matrix(self, n_rows: int) -> sparse.csc_matrix:
        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=(n_rows, len(self.indptr) - 1))

    def scores(self, query: dict[int, float], n_rows: int) -> np.ndarray:
        """Each row's dot product with the query: the query's posting lists, summed in one bincount
        (a numpy call per term would cost more than the arithmetic)."""
        starts = self.starts
        rows, weights = [], []
        for term_id, weight in query.items():
            start, end = starts[term_id], starts[term_id + 1]
            if end > start:
                rows.append(self.indices[start:end])
                weights.append(self.data[start:end] * weight)
        if not rows:
            return np.zeros(n_rows)
        return np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=n_rows)


@dataclass(frozen=True)
class FieldIndex:
    """TF-IDF for several text fields of the same documents, sharing one vocabulary and IDF."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    fields: dict[str, Postings]
    n_docs: int

    @classmethod
    def build(cls, fields: dict[str, Sequence[str]]) -> FieldIndex:
        """Index texts already passed through `bot.text.normalise` (callers normalise once, reuse twice)."""
        lengths = {len(texts) for texts in fields.values()}
        if len(lengths) != 1:
            raise ValueError(f"every field needs one text per document, got lengths {sorted(lengths)}")
        (n_docs,) = lengths
        vectoriser = TfidfVectorizer(analyzer=_analyse_normalised, sublinear_tf=True, norm="l2", smooth_idf=True)
        all_texts = [text for texts in fields.values() for text in texts]
        matrix = sparse.csr_matrix(vectoriser.fit_transform(all_texts or [""]))  # one analysis pass for all fields
        vocabulary = {term: int(i) for term, i in vectoriser.vocabulary_.items()}
        postings = {name: Postings.from_matrix(matrix[k * n_docs : (k + 1) * n_docs]) for k, name in enumerate(fields)}
        return cls(vocabulary=vocabulary, idf=vectoriser.idf_.astype(np.float64), fields=postings, n_docs=n_docs)

    def vectorise(
        self, terms: Sequence[str], damped: frozenset[str] = frozenset(), damping: float = 1.0
    ) -> dict[int, float]:
        """The query's l2-normalised, sublinear TF-IDF weights, as TfidfVectorizer would give them.

        Terms containing a word of `damped` keep only `damping` of their weight: words every
        question shares ("leg", "cramp") should not decide which passage answers it.
        """
        counts = Counter(t for t in terms if t in self.vocabulary)
        weights = {}
        for term, count in counts.items():
            term_id = self.vocabulary[term]
            weight = (1.0 + math.log(count)) * self.idf[term_id]
            if damped and any(part in damped for part in term.split(" ")):
                weight *= damping
            weights[term_id] = weight
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {k: w / norm for k, w in weights.items()} if norm else {}

    def cosine(self, field: str, query: dict[int, float]) -> np.ndarray:
        return self.fields[field].scores(query, self.n_docs)

    def blend(self, weights: dict[str, float]) -> Postings:
        """One field that scores as the weighted sum of the fields' cosines, with one pass over the
        query's terms instead of one a field."""
        total = sparse.csc_matrix((self.n_docs, len(self.idf)))
        for name, weight in weights.items():
            total = total + self.fields[name].matrix(self.n_docs) * weight
        return Postings.from_matrix(total)
