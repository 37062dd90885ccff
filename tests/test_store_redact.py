"""`bot.store.redact`: emails, phone numbers and long digit runs never reach the database."""

from __future__ import annotations

import pytest

from bot.store.redact import redact


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("mail me at jo.smith+cramps@example.co.uk please", "mail me at [email] please"),
        ("call +44 20 7946 0958 tonight", "call [phone] tonight"),
        ("my number is (555) 123-4567.", "my number is [phone]."),
        ("07700 900123", "[phone]"),
        ("555-123-4567 or 555.123.4567", "[phone] or [phone]"),
        ("tel:0123456789", "tel:[phone]"),
        ("my NHS number is 943 476 5919", "my NHS number is [phone]"),
        ("card 4111111111111111 expired", "card [number] expired"),
        ("born 12.05.1961, cramps since", "born [number], cramps since"),
        ("patient id 123456", "patient id [number]"),
    ],
)
def test_personal_numbers_and_addresses_are_replaced(text: str, stored: str) -> None:
    assert redact(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "I take 400 mg of magnesium",
        "cramps 3 times a night, 5 nights a week",
        "between 1000-2000 mg a day?",
        "for 2-3 weeks since 2023",
        "I am 65 and my calf hurts",
        "from 10 to 15 minutes, at 3:30 am",
        "is 12345 a zip code",
    ],
)
def test_doses_durations_and_ages_are_kept(text: str) -> None:
    assert redact(text) == text
