"""Sessions: bounded in memory, keyed by a salted hash, and used by the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.conversation.sessions import MemorySessions, ask_in_session, session_key
from bot.conversation.state import Conversation, Turn
from bot.settings import get_settings
from bot.web.app import create_app

NO_RATE_LIMIT = {"CRAMPBOT_RATE_LIMIT": "off"}  # these tests send far more than a client may


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def conversation(text: str) -> Conversation:
    return Conversation(turns=(Turn(text, None, "fallback"),))


def test_the_least_recently_used_session_is_forgotten_first() -> None:
    sessions = MemorySessions(max_sessions=2, idle_seconds=60)
    sessions.put("a", conversation("a"))
    sessions.put("b", conversation("b"))
    assert sessions.get("a") is not None  # "a" is now the most recently used
    sessions.put("c", conversation("c"))
    assert sessions.get("b") is None and sessions.get("a") is not None and len(sessions) == 2


def test_an_idle_session_is_forgotten() -> None:
    clock = Clock()
    sessions = MemorySessions(max_sessions=10, idle_seconds=60, clock=clock)
    sessions.put("a", conversation("a"))
    clock.now = 59
    assert sessions.get("a") is not None
    clock.now = 59 + 61
    assert sessions.get("a") is None and len(sessions) == 0


def test_the_key_is_a_salted_hash_not_the_session_id() -> None:
    key = session_key("user-123", b"salt-one")
    assert "user-123" not in key
    assert key == session_key("user-123", b"salt-one") != session_key("user-123", b"salt-two")


def test_without_a_key_nothing_is_kept(bot: Bot) -> None:
    sessions = MemorySessions(max_sessions=10, idle_seconds=60)
    ask_in_session(bot, sessions, None, "What causes leg cramps at night?")
    assert len(sessions) == 0


@pytest.fixture()
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(NO_RATE_LIMIT), bot=bot)) as test_client:
        yield test_client


def test_the_api_reads_a_follow_up_in_the_same_session(client: TestClient) -> None:
    client.post("/api/ask", json={"question": "What causes leg cramps at night?", "session_id": "s1"})
    follow = client.post("/api/ask", json={"question": "and how do I prevent them?", "session_id": "s1"}).json()
    other = client.post("/api/ask", json={"question": "and how do I prevent them?", "session_id": "s2"}).json()
    assert follow["context_used"] is True and follow["matched"] is True
    assert other["context_used"] is False


def test_the_api_keeps_escalation_for_the_session(client: TestClient) -> None:
    client.post("/api/ask", json={"question": "I have chest pain", "session_id": "s3"})
    later = client.post("/api/ask", json={"question": "How long do leg cramps last?", "session_id": "s3"}).json()
    assert later["matched"] is True
    assert later["escalation"]["level"] == "emergency" and later["escalation"]["from_earlier"] is True


def test_messages_of_one_session_arriving_together_keep_the_red_flag(bot: Bot) -> None:
    import threading

    sessions = MemorySessions(max_sessions=10, idle_seconds=60)
    messages = ["what causes leg cramps?", "I have chest pain and can't breathe", "and at night?", "why?"]
    for attempt in range(5):
        key = f"k{attempt}"
        threads = [threading.Thread(target=ask_in_session, args=(bot, sessions, key, m)) for m in messages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        later = ask_in_session(bot, sessions, key, "is it serious?")
        assert later.escalation is not None and later.escalation.level == "emergency"


def test_each_reply_carries_its_exchange_id_and_names_the_previous_one(bot: Bot) -> None:
    sessions = MemorySessions(max_sessions=10, idle_seconds=60)
    first = ask_in_session(bot, sessions, "k", "What causes leg cramps at night?", exchange_id="one")
    second = ask_in_session(bot, sessions, "k", "and how do I prevent them?", exchange_id="two")
    other = ask_in_session(bot, sessions, "other", "hello", exchange_id="three")
    assert (first.id, first.previous_id) == ("one", None)
    assert (second.id, second.previous_id) == ("two", "one")
    assert other.previous_id is None
    assert "previous_id" not in second.to_dict()  # for the store, not the public reply


def test_without_a_session_there_is_no_previous_exchange(bot: Bot) -> None:
    sessions = MemorySessions(max_sessions=10, idle_seconds=60)
    answer = ask_in_session(bot, sessions, None, "hello", exchange_id="x")
    assert answer.id == "x" and answer.previous_id is None
