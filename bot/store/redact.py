"""Redaction: what a person types about themselves that the store must not keep.

Emails, phone numbers, dates (of birth, most often) and long digit runs (card, insurance or record
numbers) are replaced by a placeholder before anything is written. It errs on the side of removing:
"12.05.1961", "12/05/1961" and "12 May 1961" go too, and so does a local number like "555-1234".
Doses, durations, ranges and years alone ("400 mg", "2-3 weeks", "1000-2000", "24/7", "1/2",
"since 2019") stay, since they are what maintainers need to read.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
NUMBER = "[number]"
PLACEHOLDERS = (EMAIL, PHONE, NUMBER)  # all redaction can leave in a text

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Day, month and year: 12.05.1961, 12/05/61, 1961-05-12, 12 May 1961, May 12, 1961. Never two
# numbers alone (24/7, 1/2, 2-3) nor a year alone.
_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}([./-])\d{1,2}\2\d{1,2})(?![\w/]|[.-]\d)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s*,?\s*\d{{4}}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*\d{{4}}\b",
    re.IGNORECASE,
)
# Digits in groups joined by a space, dot, dash or brackets, possibly after a +.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(\s*)?\d(?:[ ().-]{0,2}\d)+(?!\w)")
# A local number without its area code: three digits (not 0 or 1 first, as exchanges are) and four,
# unless a unit follows ("200-1000 mg" is a dose).
_LOCAL = re.compile(r"^[2-9]\d\d[ .-]\d{4}$")
_UNIT = re.compile(
    r"\s*(?:%|(?:mg|mcg|[µμ]g|g|kg|ml|l|iu|mmol|units?|k?cal|calories|steps|times|m|km|mi|miles|ft|lbs?|per)\b)",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"\d{6,}")
PHONE_MIN_DIGITS = 7
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ANYTHING_TO_REDACT = re.compile(r"[@\d]")  # every pattern above needs an "@" or a digit


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    if _LOCAL.match(text) and not _UNIT.match(match.string, match.end()):
        return PHONE
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


def may_hold_details(text: str) -> bool:
    """True when redaction could change the text: it has a digit or an "@". Such text is kept
    nowhere unredacted, not even in memory (bot.answer_cache)."""
    return _ANYTHING_TO_REDACT.search(text) is not None


def redact(text: str) -> str:
    """`text` with emails, phone numbers, dates and runs of six or more digits replaced by placeholders."""
    if not may_hold_details(text):
        return text  # most questions: four regular expressions spared
    text = _EMAIL.sub(EMAIL, text)
    text = _DATE.sub(NUMBER, text)
    text = _PHONE.sub(_phone, text)
    return _DIGIT_RUN.sub(NUMBER, text)
