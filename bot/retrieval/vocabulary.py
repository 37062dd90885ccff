"""What the retriever knows about words: the corpus's own, common English, the domain's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.text.normalise import normalise
from bot.text.stems import stem


@dataclass(frozen=True)
class Vocabulary:
    """What the retriever knows about words: the corpus's own, common English, the domain's."""

    corpus: Counter[str]  # normalised corpus word -> count
    common: frozenset[str]  # real English words: never "corrected"
    spelled: frozenset[str]  # corpus words known to be spelt right: typo repair's targets (see `trusted_spellings`)
    anchors: frozenset[str]  # stems naming the topic: cramp, spasm, charley horse...
    related: frozenset[str]  # stems of the topic's neighbourhood: calf, magnesium, doctor...
    other_topics: frozenset[str]  # stems naming another kind of cramp: period, stomach...
    topic: frozenset[str]  # stems every question shares; damped when ranking


def stems_of(phrases: Sequence[str]) -> frozenset[str]:
    return frozenset(stem(w) for phrase in phrases for w in normalise(phrase).split())


def vocabulary_words(text: str) -> list[str]:
    return [w for w in text.split() if len(w) > 2 and w.isalpha()]


# A word this many phrasings use was chosen on purpose; rarer phrasing-only words may be typos.
DELIBERATE_PHRASING_COUNT = 3


def trusted_spellings(edited: Iterable[str], phrased: Mapping[str, int]) -> frozenset[str]:
    """The words typo repair may trust: every word of the edited texts (articles, headings,
    synonyms), and the words several phrasings use (`phrased`: word -> how often).

    Phrasings are written the way users type, typos included ("crmaps", "potasium"). Trusting
    those would make the typo a known word, so "leg crmaps" would never be repaired to cramps.
    """
    return frozenset(edited) | {w for w, n in phrased.items() if n >= DELIBERATE_PHRASING_COUNT}
