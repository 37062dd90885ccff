"""CRAMPBOT_SHARED_URL for real: two apps sharing one redis-server count one client's rate limit together and
share its conversations; with Redis gone they still answer; the shared secret is required."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from redis_server import ThrowawayRedis

from bot.chat import Bot
from bot.conversation.sqlite_sessions import SqliteSessions
from bot.settings import Settings, SettingsError, get_settings
from bot.web.app import create_app
from bot.web.shared import conversations_for, run_folder_salt

SECRET = "a-shared-secret-for-the-tests-0123456789"


def shared_env(url: str, **more: str) -> dict[str, str]:
    return {"CRAMPBOT_SHARED_URL": url, "CRAMPBOT_SHARED_SECRET": SECRET, **more}


@pytest.fixture()
def two_servers(bot: Bot, redis_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps, as on two machines (each its own limiter, salt and memory), sharing one Redis."""
    settings = get_settings(shared_env(redis_url))
    with TestClient(create_app(settings, bot=bot)) as one, TestClient(create_app(settings, bot=bot)) as two:
        yield one, two


def ask(client: TestClient, question: str, session_id: str | None = "visitor-1") -> dict:  # type: ignore[type-arg]
    response = client.post("/api/ask", json={"question": question, "session_id": session_id})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_two_servers_count_one_clients_burst_together(two_servers: tuple[TestClient, TestClient]) -> None:
    one, two = two_servers
    body = {"question": "how do I stop a cramp?", "session_id": "burst"}
    statuses = [(one if n % 2 else two).post("/api/ask", json=body).status_code for n in range(10)]
    assert statuses == [200] * 10  # the default allows a burst of 10 in any 10 seconds...
    refused = one.post("/api/ask", json=body)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 10  # ...across both servers
    assert two.post("/api/ask", json=body).status_code == 429
    assert two.post("/api/ask", json={**body, "session_id": "another"}).status_code == 200


def test_a_follow_up_at_the_other_server_is_read_with_its_topic_and_red_flag(
    two_servers: tuple[TestClient, TestClient],
) -> None:
    one, two = two_servers
    ask(one, "What causes leg cramps at night?")
    follow = ask(two, "and how do I prevent them?")
    assert follow["context_used"] is True and follow["matched"] is True
    ask(two, "I have chest pain")
    later = ask(one, "How long do leg cramps last?")
    assert later["escalation"]["level"] == "emergency" and later["escalation"]["from_earlier"] is True


def test_redis_holds_no_raw_session_id_or_address(two_servers: tuple[TestClient, TestClient], redis_url: str) -> None:
    import redis

    one, _ = two_servers
    ask(one, "What causes leg cramps at night?", session_id="visitor-raw-id-42")
    ask(one, "What causes leg cramps at night?", session_id=None)
    with redis.Redis.from_url(redis_url) as client:
        keys = [key.decode() for key in client.keys("*")]
    assert any(key.startswith("crampbot:session:") for key in keys)
    assert any(key.startswith("crampbot:limits") for key in keys)
    assert not any("visitor-raw-id-42" in key or "testclient" in key for key in keys)


def test_with_redis_stopped_asks_still_get_answers(
    bot: Bot, own_redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(get_settings(shared_env(own_redis.url)), bot=bot)) as client:
        ask(client, "What causes leg cramps at night?")
        assert ask(client, "and how do I prevent them?")["context_used"] is True
        own_redis.stop()
        with caplog.at_level(logging.WARNING, logger="bot.web.shared"):
            replies = [ask(client, "I have chest pain") for _ in range(5)]  # a new connection fails at once here
        assert all(reply["escalation"]["level"] == "emergency" for reply in replies)  # this message's own flag
        warnings = [r for r in caplog.records if r.name == "bot.web.shared" and r.levelno == logging.WARNING]
        assert sorted(r.getMessage().split(":")[0] for r in warnings) == ["rate limits", "sessions"]  # once each
        metrics = client.get("/metrics").text
        assert 'crampbot_shared_store_failures_total{use="rate limits"} 1.0' in metrics  # then paused, not asked
        assert 'crampbot_shared_store_failures_total{use="sessions"}' in metrics


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_a_shared_url_without_a_long_secret_is_refused_at_start_up(secret: str | None) -> None:
    env = {"CRAMPBOT_SHARED_URL": "redis://127.0.0.1:6379/0"}
    if secret is not None:
        env["CRAMPBOT_SHARED_SECRET"] = secret
    with pytest.raises(SettingsError, match="CRAMPBOT_SHARED_SECRET") as refused:
        get_settings(env)
    assert "too-short" not in str(refused.value)
    with pytest.raises(SettingsError, match="CRAMPBOT_SHARED_SECRET"):
        conversations_for(Settings(shared_url="redis://127.0.0.1:6379/0", shared_secret=secret))


@pytest.mark.parametrize("url", ["http://cache:6379", "postgresql://user:pw@db/x", "cache:6379"])
def test_a_shared_url_that_is_not_redis_is_refused_without_echoing_a_password(url: str) -> None:
    with pytest.raises(SettingsError, match="CRAMPBOT_SHARED_URL") as refused:
        get_settings(shared_env(url))
    assert "pw" not in str(refused.value)


def test_without_the_redis_package_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(SettingsError, match=r"crampbot\[shared\]"):
        conversations_for(get_settings(shared_env("redis://127.0.0.1:6379/0")))


def test_the_workers_of_one_server_share_one_salt_and_one_file(tmp_path: Path) -> None:
    salt = run_folder_salt(tmp_path)
    assert run_folder_salt(tmp_path) == salt and len(salt) == 32
    assert (tmp_path / "session_salt").stat().st_mode & 0o077 == 0  # readable by the server's user only
    first, second = conversations_for(Settings(), tmp_path), conversations_for(Settings(), tmp_path)
    assert first.salt == second.salt == salt
    assert isinstance(first.store.store, SqliteSessions)  # type: ignore[attr-defined]
    first.close()
    second.close()
