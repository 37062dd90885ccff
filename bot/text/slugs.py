"""Slugs: the stable, readable ids passages and curated entries get from their headings and names."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, *, max_words: int | None = 10, empty: str = "section") -> str:
    """Lower-case ASCII words joined by hyphens ("What's a cramp?" -> "what-s-a-cramp"), at most
    `max_words` of them (None: all); `empty` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words[:max_words]) or empty
