"""The short form of an answer: its first complete sentences, never cut inside one."""

from __future__ import annotations

from functools import lru_cache

from bot.text.sentences import ARTICLE_SENTENCE_SPLIT_RE


@lru_cache(maxsize=1024)  # a pure function of a passage's text: a few hundred passages, asked again and again
def summarise(text: str, max_chars: int = 300) -> str:
    """The leading sentences of `text` that fit in `max_chars`, always at least the first: a
    sentence is never cut, even a long one. List items keep their own lines. A summary never ends
    on a sentence that introduces what follows ("...try the following steps:"): it keeps the
    first thing that follows, or leaves the introduction out."""
    units: list[tuple[str, str]] = []  # (sentence, what joins it to the one before)
    for line in text.strip().splitlines():
        sentences = [s.strip() for s in ARTICLE_SENTENCE_SPLIT_RE.split(line.strip()) if s.strip()]
        for k, sentence in enumerate(sentences):
            units.append((sentence, "\n" if k == 0 and units else " "))
    if not units:
        return text.strip()
    kept = [units[0]]
    for unit in units[1:]:
        if _length(kept) + len(unit[0]) + 1 > max_chars and not kept[-1][0].endswith(":"):
            break
        kept.append(unit)
        if _length(kept) > max_chars:
            break
    while len(kept) > 1 and kept[-1][0].endswith(":"):
        kept.pop()
    return "".join(sep + sentence if i else sentence for i, (sentence, sep) in enumerate(kept))


def _length(units: list[tuple[str, str]]) -> int:
    return sum(len(sentence) + 1 for sentence, _ in units)
