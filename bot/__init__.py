"""crampbot: answers questions about leg cramps from a curated knowledge base (not medical advice)."""

from __future__ import annotations

__version__ = "0.1.0"

from bot.chat import Bot, Reply  # noqa: E402

__all__ = ["Bot", "Reply", "__version__"]
