"""The answer cache: a Bot answers a message read alone once, and every time the same."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace

import pytest

from bot.answer_cache import AnswerCache, AnswerCacheStats
from bot.chat import Bot, retriever_config
from bot.conversation.state import Conversation
from bot.settings import get_settings

MESSAGES = [
    "why do my calves cramp at night?",
    "does stretching before bed help",
    "is quinine safe for cramps",
    "tell me a joke",
    "my leg is swollen and red",
    "why do my calves cramp at night?",  # again: from the cache
    "cramps in my hands when i write",
    "what about potassium?",
]


@pytest.fixture(scope="module")
def uncached(bot: Bot) -> Bot:
    return Bot(bot.knowledge, replace(bot.retriever.config, answer_cache=0))


def test_a_bot_with_its_cache_answers_every_message_as_one_without(bot: Bot, uncached: Bot) -> None:
    for message in MESSAGES * 2:
        assert bot.ask(message).to_dict() == uncached.ask(message).to_dict()


def test_a_conversation_reads_the_same_with_and_without_the_cache(bot: Bot, uncached: Bot) -> None:
    talks = {}
    for name, each in (("cached", bot), ("uncached", uncached)):
        conversation, replies = Conversation(), []
        for message in ["what causes night leg cramps?", "and how do i prevent them?", "is that safe?", "why?"]:
            reply = each.ask(message, conversation)
            conversation = each.remember_reply(conversation, message, reply)
            replies.append(reply.to_dict())
        talks[name] = replies
    assert talks["cached"] == talks["uncached"]


def test_the_cache_keeps_no_more_answers_than_its_size(bot: Bot) -> None:
    small = Bot(bot.knowledge, replace(bot.retriever.config, answer_cache=3))
    for message in MESSAGES:
        small.ask(message)
    assert small.answer_cache.entries == 3


def test_a_bot_without_a_cache_keeps_no_answers(uncached: Bot) -> None:
    uncached.ask(MESSAGES[0])
    assert uncached.answer_cache.entries == 0


def test_the_cache_counts_its_hits_and_misses(bot: Bot) -> None:
    fresh = Bot(bot.knowledge, bot.retriever.config)
    for message in ["does magnesium help cramps", "does magnesium help cramps", "why at night"]:
        fresh.ask(message)
    assert (fresh.answer_cache.hits, fresh.answer_cache.misses) == (1, 2)


def test_the_cache_size_is_set_by_crampbot_answer_cache() -> None:
    assert retriever_config(get_settings({"CRAMPBOT_ANSWER_CACHE": "0"})).answer_cache == 0
    assert retriever_config(get_settings({})).answer_cache == 1024


def test_a_bot_no_longer_served_is_freed_at_once_not_by_the_cycle_collector(bot: Bot) -> None:
    """A reload replaces the Bot: its index must go when the last reference does."""
    replaced = Bot(bot.knowledge, bot.retriever.config)
    replaced.ask(MESSAGES[0])
    replaced.ask("what causes kramps at nite")  # typo repair has cached something too
    gone, index_gone = weakref.ref(replaced), weakref.ref(replaced.retriever)
    gc.disable()
    try:
        del replaced
        assert gone() is None and index_gone() is None
    finally:
        gc.enable()


def test_the_least_recently_used_answer_is_dropped_first() -> None:
    cache: AnswerCache[str] = AnswerCache(2)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    for key in ["a", "b", "a", "c", "a", "b"]:  # "b" is dropped for "c"; "a", used since, stays
        assert cache.get(key, make) == key.upper()
    assert made == ["a", "b", "c", "b"]
    assert cache.stats == AnswerCacheStats(hits=2, misses=4, entries=2)


def test_a_message_with_a_digit_or_an_at_sign_is_answered_but_never_kept(bot: Bot) -> None:
    fresh = Bot(bot.knowledge, bot.retriever.config)
    for message in ["call me on 07700 900123 about my cramps", "email me at sam@example.org about cramps"]:
        fresh.ask(message)
        fresh.ask(message)
    assert fresh.answer_cache.entries == 0
    assert fresh.answer_cache.hits == 0
