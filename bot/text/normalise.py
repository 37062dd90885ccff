"""Text normalisation shared by the splitter, the retriever and the safety layer.

Everything that compares user text with knowledge text goes through `normalise()` so that
case, curly quotes, contractions and punctuation never decide whether two texts match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

# Every apostrophe look-alike people type, and the invisible characters copy-paste brings along
# (zero-width spaces, soft hyphens, direction marks): "can`t" and "che\u200bst" must still match.
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
    }
)
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# Contractions, with and without the apostrophe people often leave out when typing fast.
_CONTRACTIONS: dict[str, str] = {
    "can't": "can not",
    "cant": "can not",
    "cannot": "can not",
    "won't": "will not",
    "wont": "will not",
    "don't": "do not",
    "dont": "do not",
    "doesn't": "does not",
    "doesnt": "does not",
    "didn't": "did not",
    "didnt": "did not",
    "isn't": "is not",
    "isnt": "is not",
    "aren't": "are not",
    "arent": "are not",
    "wasn't": "was not",
    "wasnt": "was not",
    "weren't": "were not",
    "werent": "were not",
    "haven't": "have not",
    "havent": "have not",
    "hasn't": "has not",
    "hasnt": "has not",
    "couldn't": "could not",
    "couldnt": "could not",
    "shouldn't": "should not",
    "shouldnt": "should not",
    "wouldn't": "would not",
    "wouldnt": "would not",
    "i'm": "i am",
    "im": "i am",
    "i've": "i have",
    "ive": "i have",
    "i'll": "i will",
    "i'd": "i would",
    "it's": "it is",
    "that's": "that is",
    "what's": "what is",
    "whats": "what is",
    "there's": "there is",
    "how's": "how is",
    "who's": "who is",
    "let's": "let us",
    "you're": "you are",
    "youre": "you are",
    "they're": "they are",
    "we're": "we are",
}
# Text-speak for question words, so "wat causes cramps" reads like "what causes cramps".
_CONTRACTIONS.update(
    {
        "wat": "what",
        "wut": "what",
        "wht": "what",
        "whta": "what",
        "hw": "how",
        "u": "you",
        "ur": "your",
        "r": "are",
        "y": "why",
    }
)
# The negative contractions as typed without an apostrophe ("cant" -> "can not"): "not" decides
# many red flags, so the safety layer reads one-letter typos of these ("cnat breathe").
NOT_CONTRACTIONS: Mapping[str, str] = MappingProxyType(
    {typed: spelled for typed, spelled in _CONTRACTIONS.items() if typed.isalpha() and spelled.endswith(" not")}
)
_SUFFIXES = {"re": "are", "ve": "have", "ll": "will", "d": "would", "m": "am", "s": ""}
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _expand(token: str) -> str:
    """A token with an apostrophe (or a known apostrophe-less contraction) spelt out."""
    known = _CONTRACTIONS.get(token)
    if known is not None:
        return known
    if "'" not in token:
        return token
    if token.endswith("n't"):
        return token[:-3] + " not"
    base, _, suffix = token.rpartition("'")
    replacement = _SUFFIXES.get(suffix)
    if replacement is None:
        return base.replace("'", " ") + " " + suffix  # o'clock -> o clock
    return f"{base} {replacement}".rstrip()


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-case, ASCII-quoted, contraction-expanded words separated by single spaces.

    Tokenise first, then look contractions up word by word: one pass, linear in the text.
    Cached: the same question is often asked many times, and this is on the hot path.
    """
    if "`" in text:
        text = text.replace("`", "'")
    if not text.isascii():  # quotes before NFKC, which would split an acute accent off
        text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text.translate(_QUOTES)))
    get = _CONTRACTIONS.get
    return " ".join(get(t, t) if "'" not in t else _expand(t) for t in _TOKEN_RE.findall(text.casefold()))


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order."""
    normalised = normalise(text)
    return normalised.split(" ") if normalised else []
