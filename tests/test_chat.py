"""Bot.ask(): reply kinds, fallback, small talk and the safety advice on every path."""

from __future__ import annotations

import pytest

from bot.chat import Bot
from bot.retrieval.retriever import RetrieverConfig
from bot.web.schemas import AskResponse


def test_matched_answer_is_the_passage_text_with_its_source(bot: Bot) -> None:
    reply = bot.ask("What are leg cramps?")
    assert reply.kind == "answer" and reply.matched
    assert reply.passage is not None
    assert reply.answer == bot.retriever.passages[[p.id for p in bot.retriever.passages].index(reply.passage.id)].answer
    assert reply.escalation is None


@pytest.mark.parametrize("greeting", ["hi", "Hello!", "hey there", "Good morning, crampbot"])
def test_greeting_gets_a_short_friendly_reply(bot: Bot, greeting: str) -> None:
    reply = bot.ask(greeting)
    assert reply.kind == "smalltalk" and not reply.matched
    assert "leg cramps" in reply.answer and len(reply.answer) < 200


@pytest.mark.parametrize("thanks", ["thanks", "Thank you so much!", "thx"])
def test_thanks_gets_a_friendly_reply(bot: Bot, thanks: str) -> None:
    reply = bot.ask(thanks)
    assert reply.kind == "smalltalk" and "welcome" in reply.answer.lower()


def test_greeting_with_a_question_answers_the_question(bot: Bot) -> None:
    reply = bot.ask("hi, what causes leg cramps at night?")
    assert reply.kind == "answer" and reply.matched


def test_fallback_says_what_the_bot_can_help_with_and_suggests_questions(bot: Bot) -> None:
    reply = bot.ask("tell me a joke")
    assert reply.kind == "fallback" and not reply.matched and reply.passage is None
    assert "leg cramps" in reply.answer
    assert len(reply.suggestions) == 3


def test_swollen_calf_escalates_to_doctor_on_a_matched_answer(bot: Bot) -> None:
    reply = bot.ask("my calf cramps at night and now it is swollen, what causes leg cramps at night?")
    assert reply.escalation is not None and reply.escalation.level == "doctor"
    assert reply.answer.endswith(reply.escalation.message)
    assert reply.matched


def test_negated_chest_pain_still_escalates(bot: Bot) -> None:
    reply = bot.ask("no chest pain but my calf is swollen")
    assert reply.escalation is not None and reply.escalation.level == "emergency"
    assert "swelling" in reply.escalation.terms or "chest pain" in reply.escalation.terms


def test_escalation_is_appended_to_the_fallback(bot: Bot) -> None:
    reply = bot.ask("I fainted and my chest hurts, also tell me a joke")
    assert reply.kind == "fallback" and not reply.matched
    assert reply.escalation is not None and reply.escalation.level == "emergency"
    assert reply.answer.endswith(reply.escalation.message)
    assert any(n in reply.answer for n in ("911", "112", "999"))


def test_escalation_is_appended_to_a_greeting(bot: Bot) -> None:
    reply = bot.ask("hello")
    assert reply.escalation is None
    reply = bot.ask("hi, I have chest pain")
    assert reply.escalation is not None and reply.escalation.level == "emergency"
    assert reply.answer.endswith(reply.escalation.message)


def test_reply_dict_has_exactly_the_public_fields(bot: Bot) -> None:
    data = bot.ask("What are leg cramps?").to_dict()
    assert set(data) == set(AskResponse.model_fields)
    assert set(data["passage"]) == {"id", "question", "source", "title"}


@pytest.mark.parametrize(
    "odd", ["🦵💥 cramps??", "¿calambres? CRAMPS!!!", "   cramps   ", "\u200b", "'; DROP TABLE", "a" * 1000]
)
def test_odd_input_never_raises(bot: Bot, odd: str) -> None:
    reply = bot.ask(odd)
    assert isinstance(reply.answer, str) and reply.answer


def test_near_miss_offers_did_you_mean_with_close_questions(bot: Bot) -> None:
    strict = Bot(bot.knowledge, RetrieverConfig(min_confidence=0.99, did_you_mean_ratio=0.1))
    reply = strict.ask("what causes leg cramps")
    assert not reply.matched and reply.kind == "fallback"
    assert reply.answer.startswith("I'm not sure I understood")
    assert "What causes leg cramps?" in reply.suggestions


def test_far_miss_gets_the_plain_fallback(bot: Bot) -> None:
    assert bot.ask("what's the capital of France").answer.startswith("Sorry")


def test_suggestions_never_repeat_the_answered_question_in_other_words(bot: Bot) -> None:
    reply = bot.ask("What are leg cramps?")
    assert reply.passage is not None
    assert all(s.casefold() != reply.passage.question.casefold() for s in reply.suggestions)
