"""Every word list the code matches against, in one place.

Lists that differ on purpose have different names: retrieval's STOP_WORDS keep the words that
carry intent in short questions ("how long", "side effects"), a red-flag phrase ignores other
words than a search does, and small talk tolerates its own fillers.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Question words and a few others carry intent in short questions ("how long", "when ... worry").
QUESTION_WORDS = frozenset({"how", "why", "when", "who", "what"})
_KEEP = QUESTION_WORDS | {"last", "serious", "side", "move", "back", "front", "keep", "get", "stop", "off", "down"}
STOP_WORDS = frozenset(w for w in ENGLISH_STOP_WORDS if w not in _KEEP) | {
    "does",
    "did",
    "doing",
    "im",
    "just",
    "really",
}

# Written on their own in a phrase these carry no meaning for matching ("pain in my chest").
PHRASE_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "its",
        "of",
        "to",
        "in",
        "on",
        "at",
        "and",
        "or",
        "is",
        "are",
        "am",
        "was",
        "were",
        "be",
        "been",
        "i",
        "me",
        "it",
        "this",
        "that",
        "with",
        "for",
        "from",
        "up",
    ]
)
# Not counted when measuring how far apart the words of a phrase are in a message.
PHRASE_FILLER_WORDS = PHRASE_STOP_WORDS | frozenset(
    [
        "so",
        "very",
        "really",
        "just",
        "quite",
        "bit",
        "little",
        "all",
        "too",
        "now",
        "also",
        "kind",
        "like",
        "has",
        "have",
        "had",
        "been",
        "being",
        "gets",
        "got",
        "get",
        "feel",
        "feels",
        "felt",
        "look",
        "looks",
        "looked",
        "seems",
        "seem",
        "s",
    ]
)

# Words a small-talk message may add after its pattern and still be small talk ("thanks so much guys").
SMALLTALK_FILLERS = frozenset({"crampbot", "bot", "there", "so", "much", "very", "again", "lot", "guys", "folks"})
