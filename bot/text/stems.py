"""The one stemmer: cramp, cramps, cramping and cramped share one form."""

from __future__ import annotations

from functools import lru_cache

_STEM_RULES: tuple[tuple[str, str, int], ...] = (
    # (suffix, replacement, minimum stem length left)
    ("ies", "y", 3),
    ("sses", "ss", 2),
    ("ness", "", 4),
    ("ings", "", 3),
    ("ing", "", 3),
    ("edly", "", 3),
    ("ed", "", 3),
    ("ly", "", 4),
    ("ches", "ch", 2),
    ("shes", "sh", 2),
    ("xes", "x", 2),
    ("zes", "z", 2),
    ("s", "", 3),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper so that cramp/cramps/cramping/cramped share one form.

    Deliberately conservative: it only has to make a query and a passage agree, not to produce
    dictionary forms, and a missed conflation costs less than a wrong one.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    base = word
    for suffix, replacement, min_len in _STEM_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            base = word[: len(word) - len(suffix)] + replacement
            if suffix in ("ing", "ed", "ings") and len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # stopped -> stop
            break
    if len(base) > 3 and base.endswith("e"):
        base = base[:-1]  # cause/caused, muscle/muscles meet at caus, muscl
    return base
