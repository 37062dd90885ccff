"""Short answers: whole sentences only, lists kept as lines, never ending on an introduction."""

from __future__ import annotations

import statistics

from bot.chat import Bot
from bot.text.summary import summarise


def test_a_summary_is_the_leading_sentences_that_fit() -> None:
    text = "One short sentence. Another short one. " + "A long sentence that will not fit. " * 10
    assert summarise(text, max_chars=60) == "One short sentence. Another short one."


def test_a_long_first_sentence_is_kept_whole() -> None:
    text = "This first sentence is much longer than the limit allows. Next."
    assert summarise(text, max_chars=10) == "This first sentence is much longer than the limit allows."


def test_a_summary_never_ends_on_an_introduction() -> None:
    text = "Try these steps:\n• Stretch the calf.\n• Walk around.\n• Drink water."
    assert summarise(text, max_chars=30) == "Try these steps:\n• Stretch the calf."
    assert not summarise("Intro one. Then these:\n• " + "x" * 400, max_chars=40).endswith(":")


def test_a_short_answer_is_its_own_summary() -> None:
    assert summarise("Leg cramps are common.") == "Leg cramps are common."


def test_bundled_passages_summaries_are_short_and_whole(bot: Bot) -> None:
    summaries = [summarise(p.answer) for p in bot.knowledge.passages]
    assert statistics.median(len(s) for s in summaries) <= 300
    assert all(p.answer.startswith(s.split("\n")[0]) for p, s in zip(bot.knowledge.passages, summaries, strict=True))
    assert not any(s.endswith(":") for s in summaries)


def test_a_passage_reply_carries_its_summary(bot: Bot) -> None:
    reply = bot.ask("How do I stop a leg cramp right now?")
    assert reply.summary and len(reply.summary) < len(reply.answer)
    assert reply.answer.startswith(reply.summary.split("\n")[0])
