"""Settings from CRAMPBOT_ environment variables, built by a function and passed in explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.corpus.passages import BUNDLED_KNOWLEDGE

PREFIX = "CRAMPBOT_"


class SettingsError(ValueError):
    """An environment variable has a value crampbot cannot use."""


@dataclass(frozen=True)
class Settings:
    knowledge: Path = BUNDLED_KNOWLEDGE
    host: str = "127.0.0.1"
    port: int = 8000
    min_confidence: float | None = None  # None: the retriever's calibrated default
    max_question_chars: int = 1000
    cors_origins: tuple[str, ...] = ()
    admin_token: str | None = None
    log_level: str = "INFO"
    reload_interval: float = 0.0  # seconds between checks of knowledge/ for changes; 0 = off


N = TypeVar("N", int, float)


def _number(env: Mapping[str, str], name: str, kind: type[N], low: float, high: float, what: str, default: N) -> N:
    """The variable as a number within [low, high], `default` when unset; errors name it and its value."""
    if not _is_set(env, name):
        return default
    raw = env[PREFIX + name]
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Not a valid {what}.") from None
    if not low <= value <= high:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Expected {low:g} to {high:g}.")
    return value


def _reload_interval(env: Mapping[str, str]) -> float:
    """0 (off) or at least half a second: a smaller value would scan the folder in a busy loop."""
    value = _number(env, "RELOAD_INTERVAL", float, 0.0, 86_400.0, "number of seconds", 0.0)
    if 0 < value < 0.5:
        raise SettingsError(
            f"Config '{PREFIX}RELOAD_INTERVAL' has value {value!r}. Expected 0 (off) or 0.5 seconds or more."
        )
    return value


def _is_set(env: Mapping[str, str], name: str) -> bool:
    return bool(env.get(PREFIX + name, "").strip())


def get_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (the process environment by default); raises SettingsError."""
    env = os.environ if env is None else env
    knowledge = env.get(PREFIX + "KNOWLEDGE")
    origins = env.get(PREFIX + "CORS_ORIGINS", "")
    level = env.get(PREFIX + "LOG_LEVEL", "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingsError(f"Config '{PREFIX}LOG_LEVEL' has value {level!r}. Not a logging level.")
    return Settings(
        knowledge=Path(knowledge).expanduser() if knowledge else BUNDLED_KNOWLEDGE,
        host=env.get(PREFIX + "HOST", "127.0.0.1"),
        port=_number(env, "PORT", int, 0, 65535, "port number", 8000),
        min_confidence=_number(env, "MIN_CONFIDENCE", float, 0.0, 1.0, "number", -1.0)
        if _is_set(env, "MIN_CONFIDENCE")
        else None,
        max_question_chars=_number(env, "MAX_QUESTION_CHARS", int, 1, 100_000, "integer", 1000),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        admin_token=env.get(PREFIX + "ADMIN_TOKEN", "").strip() or None,
        log_level=level,
        reload_interval=_reload_interval(env),
    )
