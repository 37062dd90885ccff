"""A spelling-by-sound key, so typo repair can catch misspellings that change the first letter.

Edit-distance repair insists on the first letter ("people rarely mistype it"), but people who
spell by ear do change it: "kwinine" for quinine, "krampz" for cramps, "fisio" for physio. Two
words with the same key sound alike in English: letters that spell one sound are unified
(ph/f, c/k/q, x/ks, z/s), and vowels and doubled letters after the first letter are dropped.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^kn", "n"),
        (r"^wr", "r"),
        (r"^ps", "s"),
        (r"ph", "f"),
        (r"tch", "ch"),
        (r"dg", "j"),
        (r"ck", "k"),
        (r"qu", "kw"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"wh", "w"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"z", "s"),
    )
)
_AFTER_FIRST = re.compile(r"[aeiouyh]")
_DOUBLE = re.compile(r"(.)\1+")


def sound_key(word: str) -> str:
    """'quinine' and 'kwinine' both give 'kwn'; '' for anything but letters."""
    if not word.isalpha():
        return ""
    key = word.lower()
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return _DOUBLE.sub(r"\1", key[0] + _AFTER_FIRST.sub("", key[1:]))
