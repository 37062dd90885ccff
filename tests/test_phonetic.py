"""Words spelt by ear share a sound key with the word meant; different-sounding words do not."""

from __future__ import annotations

import pytest

from bot.text.phonetic import sound_key


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("kwinine", "quinine"),
        ("krampz", "cramps"),
        ("fisio", "physio"),
        ("kalf", "calf"),
        ("charlie", "charley"),
        ("magneezium", "magnesium"),
        ("potasium", "potassium"),
        ("nee", "knee"),
    ],
)
def test_a_word_spelt_by_ear_has_the_same_key_as_the_word_meant(typed: str, meant: str) -> None:
    assert sound_key(typed) == sound_key(meant)


@pytest.mark.parametrize(
    ("one", "other"), [("cramp", "clamp"), ("calf", "cough"), ("quinine", "canine"), ("stretch", "stitch")]
)
def test_words_that_sound_different_have_different_keys(one: str, other: str) -> None:
    assert sound_key(one) != sound_key(other)


def test_anything_but_letters_has_no_key() -> None:
    assert sound_key("b12") == "" and sound_key("") == ""
