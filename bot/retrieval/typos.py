"""Typo repair: the correctly spelt corpus word a mistyped word most likely meant."""

from __future__ import annotations

from functools import lru_cache, partial

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.retrieval.vocabulary import Vocabulary
from bot.text.phonetic import sound_key


class TypoRepair:
    """Built once per index from its vocabulary; `correct` is cached (questions repeat)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        vocab_words = [w for w, _ in vocabulary.corpus.most_common() if w in vocabulary.spelled]
        self._by_sound: dict[str, list[str]] = {}  # sound key -> corpus words, most frequent first
        for word in vocab_words:
            if len(word) >= 4:
                self._by_sound.setdefault(sound_key(word), []).append(word)
        # Cached over a function of the data, not a method: a cache holding `self` would be a reference
        # cycle, and the index a reload replaces would wait for the cycle collector.
        self.correct = lru_cache(maxsize=8192)(partial(_correct, vocabulary, vocab_words, self._by_sound))


def _correct(vocabulary: Vocabulary, vocab_words: list[str], by_sound: dict[str, list[str]], word: str) -> str | None:
    """The correctly spelt corpus word a mistyped word most likely meant, or None when nothing is close.

    Only for words that are neither spelt right in the corpus nor common English ("woken"
    stays woken, not "women"). One edit (a transposition counts as one) for words of up to six
    letters, two for longer ones, and the first letter must agree: people rarely mistype it.
    Failing that, a word spelt by ear ("kwinine", "krampz") may take a corpus word that sounds
    the same and is at most two edits away (five letters or more). A word only a phrasing or
    two use may be a rare real word ("relaxers"), so it gets one edit and no sound-alike.
    """
    if len(word) < 4 or not word.isalpha() or word in vocabulary.common or word in vocabulary.spelled:
        return None
    in_phrasings = word in vocabulary.corpus
    max_edits = 1 if len(word) <= 6 or in_phrasings else 2
    hits = process.extract(word, vocab_words, scorer=OSA.distance, score_cutoff=max_edits, limit=5)
    hits = [h for h in hits if h[0][0] == word[0]]
    if hits:
        return str(min(hits, key=lambda h: (h[1], -vocabulary.corpus[h[0]]))[0])
    if in_phrasings:
        return None
    key = sound_key(word)
    if len(word) < 5 or len(key) < 3:  # "feta" and "feet" sound alike too; short words are left alone
        return None
    alike = [w for w in by_sound.get(key, ()) if OSA.distance(word, w, score_cutoff=2) <= 2]
    return alike[0] if alike else None
