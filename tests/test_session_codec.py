"""A conversation as JSON and back (bot.conversation.codec): what a shared session store keeps."""

from __future__ import annotations

import json

import pytest

from bot.chat import Bot
from bot.conversation import codec
from bot.conversation.state import Conversation


def talked(bot: Bot, *messages: str) -> Conversation:
    conversation = Conversation()
    for number, message in enumerate(messages):
        reply = bot.ask(message, conversation)
        conversation = bot.remember_reply(conversation, message, reply)
        conversation = Conversation(conversation.turns, conversation.shown, conversation.escalation, f"x{number}")
    return conversation


@pytest.mark.parametrize(
    "messages",
    [
        (),
        ("What causes leg cramps at night?", "and how do I prevent them?"),
        ("my calf is swolen and I have chest pian", "what about in pregnancy?", "why?", "hello"),
        ("Wadenkrampf nachts — что делать?", "I can't breathe \U0001f62c"),
    ],
)
def test_a_conversation_reads_back_equal_to_itself(bot: Bot, messages: tuple[str, ...]) -> None:
    conversation = talked(bot, *messages)
    assert codec.loads(codec.dumps(conversation)) == conversation


def test_a_red_flag_with_typos_keeps_its_level_terms_and_typos(bot: Bot) -> None:
    conversation = talked(bot, "my calf is swolen and I have chest pian")
    back = codec.loads(codec.dumps(conversation).encode())  # Redis hands back bytes
    assert back.escalation is not None and back.escalation.level == "emergency"
    assert back.escalation == conversation.escalation
    assert {typed for match in back.escalation.matches for typed, _ in match.typos} >= {"swolen", "pian"}


def test_the_json_is_plain_data_stamped_with_its_format(bot: Bot) -> None:
    data = json.loads(codec.dumps(talked(bot, "What causes leg cramps at night?")))
    assert data["format"] == codec.FORMAT
    assert set(data) == {"format", "turns", "shown", "escalation", "last_exchange"}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": 999, "turns": [], "shown": [], "escalation": null, "last_exchange": null}',
        '{"format": 1, "turns": [{"read_as": "x", "what": 1}], "shown": [], "escalation": null, "last_exchange": null}',
        '{"format": 1, "turns": [], "shown": [], "escalation": {"level": "panic"}, "last_exchange": null}',
    ],
)
def test_anything_else_is_refused_as_unreadable(text: str) -> None:
    with pytest.raises(codec.UnreadableConversation):
        codec.loads(text)
