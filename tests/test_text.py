"""Text helpers: which sentences of a long message ask the question."""

from __future__ import annotations

import pytest

from bot.text.sentences import asking_sentences, first_sentence


@pytest.mark.parametrize(
    ("message", "ask"),
    [
        ("why do my legs cramp at night?", ""),
        ("My calves cramp every night. My GP says it's normal. What can I do?", "What can I do?"),
        ("I run a lot. Is it the running? Or my shoes?", "Is it the running? Or my shoes?"),
        ("I run 30 miles a week. Tell me what causes night cramps", ""),
        ("How do I stop leg cramps. Please help.", ""),
        (
            'My GP said "just stretch." Is that right? Or should I take something?',
            "Is that right? Or should I take something?",
        ),
        ('She asked "is it the statins?" Then she left.', 'She asked "is it the statins?'),
        ("I stretch (every night). Why do they still come (even so?)", "Why do they still come (even so?)"),
        ("I ran 3.5 miles today and my calf cramped", ""),
        ("   ", ""),
    ],
)
def test_the_asking_sentences_of_a_message(message: str, ask: str) -> None:
    assert asking_sentences(message) == ask


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("It can. Standing up helps.", "It can."),
        ("One sentence only", "One sentence only"),
        ("  ", ""),
        ("Sports drinks can help: sodium matters. More.", "Sports drinks can help: sodium matters."),
    ],
)
def test_first_sentence_of_an_answer(text: str, first: str) -> None:
    assert first_sentence(text) == first
