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
        ("call 555-1234 after six", "call [phone] after six"),
        ("call 555 1234", "call [phone]"),
        ("or 555.1234?", "or [phone]?"),
        ("born 12/05/1961, cramps since", "born [number], cramps since"),
        ("dob 5/12/61", "dob [number]"),
        ("born 12.05.61", "born [number]"),
        ("born 1961-05-12", "born [number]"),
        ("born 12 May 1961", "born [number]"),
        ("born on the 3rd of march 1961", "born on the [number]"),
        ("born May 12, 1961.", "born [number]."),
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
        "2 to 3 times a day",
        "cramps for 10 minutes",
        "500 mg twice a day",
        "200-1000 mg of magnesium",
        "100-1000 times",
        "it hurts 24/7",
        "I eat 1/2 a banana",
        "cramps since 2019",
        "in May 2019 it started",
        "on 12/05 it was bad",
        "from 2019-2021",
        "1.5 litres of water",
        "at 10.30 or 11.45",
        "version 2.3.1 of the app",
    ],
)
def test_doses_durations_and_ages_are_kept(text: str) -> None:
    assert redact(text) == text
