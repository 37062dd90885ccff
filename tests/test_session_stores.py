"""The three session stores keep the same promises: in memory, SQLite (a server's workers), Redis (several servers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.conversation.sessions import MemorySessions, SessionStore, ask_in_session
from bot.conversation.sqlite_sessions import SqliteSessions
from bot.conversation.state import Conversation, Turn


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def conversation(text: str) -> Conversation:
    return Conversation(turns=(Turn(text, None, "fallback"),))


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    if request.param == "memory":
        yield MemorySessions(max_sessions=100, idle_seconds=60)
    elif request.param == "sqlite":
        sqlite = SqliteSessions(tmp_path / "sessions.sqlite3", max_sessions=100, idle_seconds=60)
        yield sqlite
        sqlite.close()
    else:
        from bot.conversation.redis_sessions import RedisSessions
        from bot.web.shared import redis_client

        redis = RedisSessions(redis_client(request.getfixturevalue("redis_url")), idle_seconds=60)
        yield redis
        redis.close()


def test_a_stored_conversation_is_read_back(store: SessionStore) -> None:
    store.put("k", conversation("a"))
    assert store.get("k") == conversation("a") == store.peek("k")
    assert store.get("other") is None and store.peek("other") is None


def test_an_update_reads_the_stored_conversation_and_stores_what_it_returns(store: SessionStore) -> None:
    assert store.update("k", lambda old: (old, conversation("first"))) == Conversation()
    assert store.update("k", lambda old: (old, conversation("second"))) == conversation("first")
    assert store.get("k") == conversation("second")


def test_messages_of_one_session_arriving_together_all_count(store: SessionStore) -> None:
    def add(old: Conversation) -> tuple[None, Conversation]:
        return None, Conversation(turns=(*old.turns, Turn("m", None, "fallback")))

    threads = [threading.Thread(target=lambda: [store.update("k", add) for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = store.get("k")
    assert stored is not None and len(stored.turns) == 40  # no exchange overwrote another's


def test_a_red_flag_is_kept_for_the_following_messages(bot: Bot, store: SessionStore) -> None:
    ask_in_session(bot, store, "k", "I have chest pain and can't breathe")
    later = ask_in_session(bot, store, "k", "How long do leg cramps last?")
    assert later.escalation is not None and later.escalation.level == "emergency" and later.escalation_from_earlier


def test_sqlite_forgets_an_idle_conversation_and_peeking_keeps_none_alive(tmp_path: Path) -> None:
    clock = Clock()
    sessions = SqliteSessions(tmp_path / "s.sqlite3", max_sessions=10, idle_seconds=60, clock=clock)
    sessions.put("a", conversation("a"))
    clock.now += 59
    assert sessions.peek("a") is not None
    clock.now += 2  # 61 s after the last use: peeking did not count as one
    assert sessions.peek("a") is None and sessions.get("a") is None
    assert sessions.update("a", lambda old: (old, conversation("new"))) == Conversation()  # starts afresh
    sessions.close()


def test_sqlite_is_bounded_to_the_most_recently_used_conversations(tmp_path: Path) -> None:
    clock = Clock()
    sessions = SqliteSessions(tmp_path / "s.sqlite3", max_sessions=3, idle_seconds=600, clock=clock)
    for number in range(6):
        clock.now += 11  # past the cleanup interval each time
        sessions.put(f"k{number}", conversation(str(number)))
    assert len(sessions) == 3 and sessions.get("k5") is not None and sessions.get("k2") is None
    sessions.close()


def test_two_sqlite_stores_on_one_file_see_each_others_conversations(tmp_path: Path) -> None:
    """As two workers do: each its own connection, one file."""
    one = SqliteSessions(tmp_path / "s.sqlite3", max_sessions=10, idle_seconds=60)
    two = SqliteSessions(tmp_path / "s.sqlite3", max_sessions=10, idle_seconds=60)
    one.put("k", conversation("from one"))
    assert two.update("k", lambda old: (old, conversation("from two"))) == conversation("from one")
    assert one.get("k") == conversation("from two")
    one.close()
    two.close()


def test_an_unreadable_row_starts_the_conversation_afresh(tmp_path: Path) -> None:
    import sqlite3

    sessions = SqliteSessions(tmp_path / "s.sqlite3", max_sessions=10, idle_seconds=60)
    sessions.put("k", conversation("a"))
    with sqlite3.connect(tmp_path / "s.sqlite3") as other:
        other.execute("UPDATE sessions SET state = 'garbage'")
    other.close()
    assert sessions.get("k") is None
    assert sessions.update("k", lambda old: (old, conversation("b"))) == Conversation()
    assert sessions.get("k") == conversation("b")
    sessions.close()


def test_redis_forgets_an_idle_conversation_by_itself(redis_url: str) -> None:
    from bot.conversation.redis_sessions import PREFIX, RedisSessions
    from bot.web.shared import redis_client

    sessions = RedisSessions(redis_client(redis_url), idle_seconds=0.3)
    sessions.put("k", conversation("a"))
    ttl = sessions.client.pttl(PREFIX + "k")
    assert isinstance(ttl, int) and 0 < ttl <= 300
    time.sleep(0.4)
    assert sessions.get("k") is None
    sessions.close()
