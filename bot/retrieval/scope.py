"""Whether a question is about a child: the articles are about adults (pure, over words)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.text.stems import stem

ADULT_AGE = 18
_NUMBER = re.compile(r"^(\d{1,2})(yo|y|yr|yrs)?$")
_YEARS = frozenset({"year", "years", "yr", "yrs", "month", "months"})


def mentions_child(words: Sequence[str], child_stems: frozenset[str]) -> bool:
    """True when the words name a child: a word of domain.yaml's `children` list ("toddler",
    "kids") or an age under 18 ("a 12 year old", "my 6yo", "aged 9"); "for 2 years" is no age."""
    if any(stem(w) in child_stems for w in words):
        return True
    for i, word in enumerate(words):
        found = _NUMBER.match(word)
        if not found or int(found.group(1)) >= ADULT_AGE:
            continue
        after = list(words[i + 1 : i + 3])
        if found.group(2) == "yo" or (i > 0 and words[i - 1] == "aged"):
            return True
        if (after[:1] and after[0] in _YEARS and after[1:] == ["old"]) or (found.group(2) and after[:1] == ["old"]):
            return True
    return False
