"""Redaction: what a person types about themselves that the store must not keep.

Emails, phone numbers and long digit runs (card, insurance or record numbers, dates of birth
or dates of birth) are replaced by a placeholder before anything is written. It errs on
the side of removing: "12.05.1961" goes too. Doses and durations ("400 mg", "2-3 weeks", "1000-2000")
stay, since they are what maintainers need to read.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
NUMBER = "[number]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digits in groups joined by a space, dot, dash or brackets, possibly after a +.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(\s*)?\d(?:[ ().-]{0,2}\d)+(?!\w)")
_DIGIT_RUN = re.compile(r"\d{6,}")
PHONE_MIN_DIGITS = 7
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(c.isdigit() for c in text)
    groups = len(re.findall(r"\d+", text))
    if digits < PHONE_MIN_DIGITS or not (text[0] in "+(" or text.startswith("0") or groups >= 3):
        return text
    dialled = text[0] in "+(" or text.startswith("0") or digits >= 9
    return PHONE if dialled else NUMBER  # "12.05.1961" is a number, not a phone


def storable(text: str) -> str:
    """Text every database can hold: no NUL (PostgreSQL refuses it) and no lone surrogate (no
    database can encode it; JSON can spell one), each replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def redact(text: str) -> str:
    """`text` with emails, phone numbers and runs of six or more digits replaced by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(_phone, text)
    return _DIGIT_RUN.sub(NUMBER, text)
