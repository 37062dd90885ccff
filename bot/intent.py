"""Which kind of answer a question asks for (a cause, prevention, relief...), from cue phrases.

TF-IDF lets the rarest word decide: in "does walking help prevent cramps" the topic word
"walking" outweighs "prevent", which nearly every passage's phrasings share, so a passage on
walking during a cramp beats one on prevention. The cues in `knowledge/intents.yaml` give the
kind of question its own small say, next to the topic, when ranking near neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.text import normalise


@dataclass(frozen=True)
class IntentCues:
    """Cue phrases (whole normalised words, as written) -> the intent each one signals."""

    names: tuple[str, ...]
    by_first_word: Mapping[str, tuple[tuple[tuple[str, ...], int], ...]]  # word -> (cue words, intent), longest first

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Sequence[str]]) -> IntentCues:
        names = tuple(str(name) for name in mapping)
        cues: dict[tuple[str, ...], int] = {}
        for i, phrases in enumerate(mapping.values()):
            for phrase in phrases:
                key = tuple(normalise(str(phrase)).split())
                if key:
                    cues.setdefault(key, i)  # a cue listed twice keeps its first intent
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for key, i in sorted(cues.items(), key=lambda item: -len(item[0])):
            by_first.setdefault(key[0], []).append((key, i))
        return cls(names=names, by_first_word={w: tuple(c) for w, c in by_first.items()})

    def detect(self, words: Sequence[str]) -> np.ndarray:
        """1.0 for each intent a cue of which occurs in the (normalised) words, else 0.0."""
        found = np.zeros(len(self.names))
        found[list(self._found(words))] = 1.0
        return found

    def _found(self, words: Sequence[str]) -> set[int]:
        """Longest cue first, so "at risk" counts once, as itself. Words, not stems: the cues list
        their inflections, and stemming would merge cues that differ ("last" and "lasting")."""
        found: set[int] = set()
        i = 0
        while i < len(words):
            step = 1
            for key, intent in self.by_first_word.get(words[i], ()):
                if tuple(words[i:i + len(key)]) == key:
                    found.add(intent)
                    step = len(key)
                    break
            i += step
        return found

    def profile(self, texts: Sequence[str]) -> np.ndarray:
        """The share of the texts (a passage's question and phrasings, normalised) that ask each kind
        of question."""
        counts = [0] * len(self.names)
        for text in texts:
            for intent in self._found(text.split()):
                counts[intent] += 1
        return np.array(counts, dtype=np.float64) / max(len(texts), 1)

    def labels(self, found: np.ndarray) -> tuple[str, ...]:
        return tuple(name for name, on in zip(self.names, found) if on)


def intent_boost(asked: np.ndarray, profiles: np.ndarray, weight: float) -> np.ndarray:
    """Score multipliers: 1 + weight x how much each passage's phrasings ask what the question asks.

    `profiles` has one row per passage (see `IntentCues.profile`). A question with no cue leaves
    every passage at 1.
    """
    n_asked = float(asked.sum())
    if not n_asked or not profiles.size:
        return np.ones(len(profiles))
    return 1.0 + weight * (profiles @ asked) / n_asked
