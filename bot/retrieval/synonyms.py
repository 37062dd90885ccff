"""Lay phrases the articles say in other words: "water pills" -> diuretics (knowledge/synonyms.yaml)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.text.normalise import normalise
from bot.text.stems import stem


@dataclass(frozen=True)
class Synonyms:
    """Lay phrases -> the words the articles use, added to a question before searching.

    Phrases match on word stems, so "water pill" and "water pills" are one entry.
    """

    phrases: Mapping[tuple[str, ...], tuple[str, str]]  # stems -> (phrase as written, expansion)
    # first stem -> the lengths of the phrases starting with it, longest first: most words start none
    lengths_by_first: Mapping[str, tuple[int, ...]] = field(init=False)

    def __post_init__(self) -> None:
        lengths: dict[str, set[int]] = {}
        for key in self.phrases:
            if key:
                lengths.setdefault(key[0], set()).add(len(key))
        object.__setattr__(self, "lengths_by_first", {s: tuple(sorted(n, reverse=True)) for s, n in lengths.items()})

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Sequence[str] | str]) -> Synonyms:
        phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        for phrase, targets in mapping.items():
            key = tuple(stem(w) for w in normalise(phrase).split())
            if key:
                values = [targets] if isinstance(targets, str) else list(targets)
                phrases[key] = (normalise(phrase), " ".join(normalise(v) for v in values))
        return cls(phrases=phrases)

    def matches(self, words: Sequence[str]) -> list[tuple[int, int, tuple[str, str]]]:
        """Each lay phrase found in the words, longest first at each position: (start, end, entry)."""
        stems = [stem(w) for w in words]
        found: list[tuple[int, int, tuple[str, str]]] = []
        i, end = 0, len(stems)
        while i < end:
            step = 1
            for n in self.lengths_by_first.get(stems[i], ()):
                hit = self.phrases.get(tuple(stems[i : i + n])) if i + n <= end else None
                if hit is not None:
                    found.append((i, i + n, hit))
                    step = n
                    break
            i += step
        return found

    def spans(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Where the lay phrases the synonyms know are in the words: (start, end) pairs."""
        return [(start, end) for start, end, _ in self.matches(words)]

    def expand(self, words: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
        """The words with each lay phrase's expansion appended, and the phrases that fired."""
        extra: list[str] = []
        used: list[str] = []
        for _, _, (phrase, expansion) in self.matches(words):
            if phrase not in used:
                used.append(phrase)
                extra.extend(expansion.split())
        return [*words, *extra], tuple(used)
