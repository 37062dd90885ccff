"""crampbot: answers questions about leg cramps from a curated knowledge base (not medical advice)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crampbot")  # one version: pyproject.toml's, as installed
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

from bot.chat import Bot, Reply

__all__ = ["Bot", "Reply", "__version__"]
