"""Scope: other kinds of cramp are declined for what they are; children get a reply for children."""

from __future__ import annotations

import pytest

from bot.chat import Bot
from bot.retrieval.scope import mentions_child

CHILD = frozenset({"child", "kid", "toddler", "teenag"})


@pytest.mark.parametrize(
    "text", ["my 6 year old wakes up crying", "my 6yo has cramps", "aged 9 and cramping", "a toddler with leg pain"]
)
def test_a_child_is_recognised_by_a_word_or_an_age(text: str) -> None:
    assert mentions_child(text.split(), CHILD)


@pytest.mark.parametrize("text", ["i have had cramps for 2 years", "i am 67 years old", "3 times a week"])
def test_durations_and_adult_ages_are_not_children(text: str) -> None:
    assert not mentions_child(text.split(), CHILD)


@pytest.mark.parametrize("question", ["I get cramps in my hands at night", "why do I get jaw cramps", "period cramps"])
def test_other_kinds_of_cramp_are_declined_saying_what_is_covered(bot: Bot, question: str) -> None:
    reply = bot.ask(question)
    assert reply.kind == "other_topic" and not reply.matched
    assert reply.answer == bot.knowledge.messages.other_topic


def test_a_question_about_a_child_says_the_articles_are_about_adults(bot: Bot) -> None:
    reply = bot.ask("my 6 year old wakes up crying with leg cramps at night, why?")
    assert reply.answer.startswith(bot.knowledge.messages.children)


def test_near_misses_that_name_what_the_passage_is_about_are_answered(bot: Bot) -> None:
    assert bot.ask("does magnesium help").matched
    assert not bot.ask("Are bananas good for weight loss?").matched


def test_a_span_of_time_is_not_a_period(bot: Bot) -> None:
    reply = bot.ask("can standing for long periods cause leg cramps during sleep?")
    assert reply.kind != "other_topic" and reply.matched
