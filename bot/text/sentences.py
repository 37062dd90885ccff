"""Sentences: of a user's message (which ones ask, the first) and of article text (where they end).

The two kinds split differently on purpose: a message splits after any end mark, article text
never after "...", which marks where a scraper spliced two snippets together.
"""

from __future__ import annotations

import re

# Sentence ends in article text (a closing quote or bracket may follow the mark).
ARTICLE_SENTENCE_END_RE = re.compile(r"[.!?](?:[\"')\]]*)(?=\s|$)")
ELLIPSES = ("...", "\u2026")
# Where article text splits into sentences: never after "...", which marks a scraped splice.
ARTICLE_SENTENCE_SPLIT_RE = re.compile(r"(?<=[^.][.!?])\s+")

# Where a user's message splits into sentences (after the mark and any closing quote or bracket).
MESSAGE_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?\u3002\uff1f\uff01])[\"')\]]*\s+")
_CLOSERS = " \"')]"


def asking_sentences(text: str) -> str:
    """The sentences of a message of several that ask something (end in "?"), or "".

    People put two or three sentences of their story first ("I'm 34 weeks pregnant... my midwife
    said..."); the story's words should not outvote the ask. Without a "?" nothing is singled
    out: the last sentence may as well be "Please help."
    """
    sentences = [s for s in MESSAGE_SENTENCE_SPLIT_RE.split(text.strip()) if s]
    if len(sentences) < 2:
        return ""
    return " ".join(s for s in sentences if s.rstrip(_CLOSERS).endswith(("?", "\uff1f")))


def first_sentence(text: str) -> str:
    """The text up to its first sentence end ("It can." of "It can. Standing up...")."""
    stripped = text.strip()
    return MESSAGE_SENTENCE_SPLIT_RE.split(stripped, maxsplit=1)[0] if stripped else ""
