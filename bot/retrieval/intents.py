"""Which kind of answer a question asks for (a cause, prevention, relief...), from cue phrases.

TF-IDF lets the rarest word decide: when a question names an activity and asks how to prevent
cramps, the activity's name outweighs "prevent", which many passages' phrasings share, so a
passage about that activity during a cramp can beat one on prevention. The cues in `knowledge/intents.yaml` give the
kind of question its own small say, next to the topic, when ranking near neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.text.normalise import normalise


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

    def detect(self, words: Sequence[str]) -> tuple[int, ...]:
        """The intents (indices into `names`) a cue of which occurs in the normalised words.

        Longest cue first from left to right, so "at risk" counts once, as itself; a cue that
        starts inside one already matched is not seen. Words, not stems: the cues list their own
        inflections, and exact words measured slightly better than stems.
        """
        found: set[int] = set()
        i = 0
        while i < len(words):
            step = 1
            for key, intent in self.by_first_word.get(words[i], ()):
                if tuple(words[i : i + len(key)]) == key:
                    found.add(intent)
                    step = len(key)
                    break
            i += step
        return tuple(sorted(found))

    def profile(self, texts: Sequence[str]) -> tuple[float, ...]:
        """The share of the texts (a passage's question and phrasings, normalised) that ask each kind
        of question."""
        counts = [0] * len(self.names)
        for text in texts:
            for intent in self.detect(text.split()):
                counts[intent] += 1
        return tuple(c / max(len(texts), 1) for c in counts)

    @property
    def words(self) -> frozenset[str]:
        """Every word of every cue: they say what kind of answer is wanted, not what it is about."""
        return frozenset(w for cues in self.by_first_word.values() for key, _ in cues for w in key)

    def labels(self, found: Sequence[int]) -> tuple[str, ...]:
        """The intents' names, for the evidence a staff view shows."""
        return tuple(self.names[i] for i in found)


def intent_boost(asked: Sequence[int], profile: Sequence[float], weight: float) -> float:
    """A score multiplier: 1 + weight x how much a passage's phrasings ask what the question asks.

    `profile` is the passage's (see `IntentCues.profile`); a question with no cue leaves it at 1.
    Plain floats, not numpy: it runs on three passages per question, where numpy's per-call cost
    would dominate.
    """
    if not asked:
        return 1.0
    return 1.0 + weight * sum(profile[i] for i in asked) / len(asked)
