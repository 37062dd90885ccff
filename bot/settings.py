"""Settings from CRAMPBOT_ environment variables, built by a function and passed in explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.corpus import BUNDLED_KNOWLEDGE

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


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Not a valid integer.") from None
    if not low <= value <= high:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Expected {low}..{high}.")
    return value


def _unit_float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Not a valid number.") from None
    if not 0.0 <= value <= 1.0:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Expected a number from 0 to 1.")
    return value


def _seconds(env: Mapping[str, str], name: str) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Not a valid number of seconds.") from None
    if not 0.0 <= value <= 86400.0:
        raise SettingsError(f"Config '{PREFIX}{name}' has value {raw!r}. Expected 0 (off) to 86400 seconds.")
    return value


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
        port=_int(env, "PORT", 8000, 0, 65535),
        min_confidence=_unit_float(env, "MIN_CONFIDENCE"),
        max_question_chars=_int(env, "MAX_QUESTION_CHARS", 1000, 1, 100_000),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        admin_token=env.get(PREFIX + "ADMIN_TOKEN") or None,
        log_level=level,
        reload_interval=_seconds(env, "RELOAD_INTERVAL"),
    )
