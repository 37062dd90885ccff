"""`bot.text.stems`: the one stemmer, which only has to make a question and a passage agree."""

from __future__ import annotations

import pytest

from bot.text.stems import stem


@pytest.mark.parametrize(
    "forms",
    [
        ("cramp", "cramps", "cramping", "cramped"),
        ("cause", "causes", "caused", "causing"),
        ("make", "makes", "making"),
        ("cure", "cures", "cured", "curing"),
        ("take", "takes", "taking"),
        ("muscle", "muscles"),
    ],
)
def test_the_forms_of_one_word_share_one_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


@pytest.mark.parametrize("word", ["leg", "use", "ice", "toe", "b12", "cramp-like"])
def test_short_words_and_words_with_other_characters_are_kept_as_they_are(word: str) -> None:
    assert stem(word) == word


def test_different_words_keep_different_stems() -> None:
    assert len({stem(w) for w in ("cramp", "camp", "care", "cure", "core")}) == 5
