"""Red-flag detection: the user's message -> the escalation advice it needs, if any.

Pure and dependent only on its lexicon and `bot.text`: whatever the retriever does, the same
message always gets the same escalation. Negation never suppresses a flag: "no chest pain" still
escalates, because a missed emergency costs far more than an unneeded reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from bot.text import normalise

Level = Literal["emergency", "doctor"]
LEVELS: tuple[Level, ...] = ("emergency", "doctor")  # most urgent first


@dataclass(frozen=True)
class Escalation:
    level: Level
    terms: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Lexicon:
    messages: dict[str, str]
    phrases: dict[str, tuple[tuple[str, str], ...]]  # level -> (normalised phrase, flag name)


def load_lexicon(path: Path) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages: dict[str, str] = {}
    phrases: dict[str, tuple[tuple[str, str], ...]] = {}
    for level in LEVELS:
        entry = data["levels"][level]
        messages[level] = str(entry["message"]).strip()
        phrases[level] = tuple((normalise(p), flag["name"]) for flag in entry["flags"] for p in flag["phrases"])
    return Lexicon(messages=messages, phrases=phrases)


def detect(text: str, lexicon: Lexicon) -> Escalation | None:
    padded = f" {normalise(text)} "
    for level in LEVELS:
        terms = tuple(dict.fromkeys(name for phrase, name in lexicon.phrases[level] if f" {phrase} " in padded))
        if terms:
            return Escalation(level=level, terms=terms, message=lexicon.messages[level])
    return None
