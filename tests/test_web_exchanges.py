"""The store over HTTP (bot/web/exchanges.py): every reply has an id, `POST /api/feedback`, suggestion
clicks, health, and answers that never wait on the database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.chat import Bot
from bot.settings import get_settings
from bot.store.database import open_engine
from bot.store.store import Store
from bot.store.tables import exchanges, feedback
from bot.web.app import create_app

QUESTION = "What causes leg cramps at night?"


def rows(url: str, table: Any) -> list[dict[str, Any]]:
    engine = open_engine(url)
    with engine.connect() as connection:
        found = [dict(r._mapping) for r in connection.execute(select(table))]
    engine.dispose()
    return found


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def client(bot: Bot, url: str) -> Iterator[TestClient]:
    app = create_app(get_settings({"CRAMPBOT_DATABASE_URL": url, "CRAMPBOT_RATE_LIMIT": "off"}), bot=bot)
    with TestClient(app) as test_client:
        assert app.state.store.wait_ready()
        yield test_client


def store_of(client: TestClient) -> Store:
    store = client.app.state.store  # type: ignore[attr-defined]
    assert isinstance(store, Store)
    return store


def test_every_reply_carries_its_own_exchange_id(client: TestClient) -> None:
    ids = [
        client.post("/api/ask", json={"question": q, "session_id": s}).json()["id"]
        for q, s in [(QUESTION, "abc"), ("hello", None), ("tell me a joke", None), ("cramp and chest pain", "abc")]
    ]
    assert all(isinstance(i, str) and len(i) == 32 for i in ids) and len(set(ids)) == 4


def test_each_answered_question_is_stored_under_the_id_it_was_given(client: TestClient, url: str) -> None:
    reply = client.post("/api/ask", json={"question": QUESTION, "session_id": "abc"}).json()
    store_of(client).flush()
    [row] = rows(url, exchanges)
    assert row["id"] == reply["id"] and row["kind"] == reply["kind"] and row["passage_id"] == reply["passage"]["id"]
    assert row["session"] is not None and "abc" not in row["session"] and row["latency_ms"] > 0


def test_feedback_is_accepted_with_204(client: TestClient, url: str) -> None:
    exchange = client.post("/api/ask", json={"question": QUESTION}).json()["id"]
    response = client.post("/api/feedback", json={"id": exchange, "helpful": False, "comment": "not what I asked"})
    assert response.status_code == 204 and response.content == b""
    store_of(client).flush()
    assert [(r["exchange_id"], r["helpful"], r["comment"]) for r in rows(url, feedback)] == [
        (exchange, False, "not what I asked")
    ]


def test_sending_feedback_again_replaces_it(client: TestClient, url: str) -> None:
    exchange = client.post("/api/ask", json={"question": QUESTION}).json()["id"]
    assert client.post("/api/feedback", json={"id": exchange, "helpful": False, "comment": "meh"}).status_code == 204
    store_of(client).flush()
    assert client.post("/api/feedback", json={"id": exchange, "helpful": True}).status_code == 204
    store_of(client).flush()
    assert [(r["helpful"], r["comment"]) for r in rows(url, feedback)] == [(True, None)]


def test_feedback_on_an_unknown_id_is_404(client: TestClient) -> None:
    response = client.post("/api/feedback", json={"id": "0" * 32, "helpful": True})
    assert response.status_code == 404 and response.json()["error"]


def test_feedback_sent_to_another_server_right_after_the_answer_is_accepted(bot: Bot, url: str) -> None:
    """Two apps, each with its own Store, on one SQLite file, as two workers of `crampbot serve --workers 2`:
    the feedback reaches the one that did not answer before the other's writer has stored the exchange."""
    settings = get_settings({"CRAMPBOT_DATABASE_URL": url, "CRAMPBOT_RATE_LIMIT": "off"})
    with TestClient(create_app(settings, bot=bot)) as first, TestClient(create_app(settings, bot=bot)) as second:
        assert store_of(first).wait_ready() and store_of(second).wait_ready()
        ids = [first.post("/api/ask", json={"question": QUESTION}).json()["id"] for _ in range(3)]
        assert [second.post("/api/feedback", json={"id": i, "helpful": True}).status_code for i in ids] == [204] * 3
        assert store_of(first).flush() and store_of(second).flush()
    assert sorted(r["exchange_id"] for r in rows(url, feedback)) == sorted(ids)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"helpful": True},
        {"id": "x"},
        {"id": None, "helpful": True},
        {"id": 42, "helpful": True},
        {"id": "", "helpful": True},
        {"id": "x" * 65, "helpful": True},
        {"id": "x", "helpful": "yes"},
        {"id": "x", "helpful": 1},
        {"id": "x", "helpful": True, "comment": "c" * 501},
        {"id": "x", "helpful": True, "comment": 5},
        [],
        "helpful",
    ],
)
def test_malformed_feedback_is_422(client: TestClient, body: object) -> None:
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 422 and response.json()["error"]


@pytest.mark.parametrize("exchange_id", ["\x00" * 32, "0" * 31 + "\x00", "0" * 31, "0" * 33, "ABCDEF" + "0" * 26])
def test_feedback_on_an_id_crampbot_cannot_have_made_is_422_on_every_database(
    bot: Bot, database_url: str, exchange_id: str
) -> None:
    settings = get_settings({"CRAMPBOT_DATABASE_URL": database_url, "CRAMPBOT_RATE_LIMIT": "off"})
    with TestClient(create_app(settings, bot=bot)) as client:
        assert client.app.state.store.wait_ready()  # type: ignore[attr-defined]
        response = client.post("/api/feedback", json={"id": exchange_id, "helpful": True})
        assert response.status_code == 422 and "retry-after" not in response.headers


def test_a_comment_of_500_characters_is_accepted(client: TestClient) -> None:
    exchange = client.post("/api/ask", json={"question": QUESTION}).json()["id"]
    assert (
        client.post("/api/feedback", json={"id": exchange, "helpful": False, "comment": "c" * 500}).status_code == 204
    )


def test_a_clicked_suggestion_is_linked_to_the_previous_exchange_of_its_session(client: TestClient, url: str) -> None:
    first = client.post("/api/ask", json={"question": "my legs go funny", "session_id": "s1"}).json()
    other = client.post("/api/ask", json={"question": QUESTION, "session_id": "s2"}).json()
    clicked = client.post(
        "/api/ask", json={"question": first["suggestions"][0], "session_id": "s1", "via": "suggestion"}
    ).json()
    store_of(client).flush()
    by_id = {r["id"]: r for r in rows(url, exchanges)}
    assert by_id[clicked["id"]]["via"] == "suggestion" and by_id[clicked["id"]]["previous_id"] == first["id"]
    assert by_id[other["id"]]["previous_id"] is None and by_id[first["id"]]["via"] is None


def test_via_takes_only_suggestion(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": QUESTION, "via": "typed"}).status_code == 422


def test_health_says_the_store_is_ok(client: TestClient) -> None:
    assert client.get("/api/health").json()["store"] == "ok"


def test_a_broken_database_url_keeps_answers_flowing_with_health_degraded(
    bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.web.app.STORE_SHUTDOWN_SECONDS", 0.2)  # the database will not come back
    settings = get_settings(
        {"CRAMPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder/x.sqlite3", "CRAMPBOT_RATE_LIMIT": "off"}
    )
    with TestClient(create_app(settings, bot=bot)) as client:
        replies = [client.post("/api/ask", json={"question": QUESTION, "session_id": "a"}) for _ in range(5)]
        assert all(r.status_code == 200 and r.json()["matched"] for r in replies)
        deadline = time.monotonic() + 5
        while client.get("/api/health").json()["store"] != "degraded" and time.monotonic() < deadline:
            time.sleep(0.02)
        health = client.get("/api/health")
        assert health.status_code == 200 and health.json()["store"] == "degraded"
        feedback_sent = client.post("/api/feedback", json={"id": "0" * 32, "helpful": True})
        assert feedback_sent.status_code == 503 and feedback_sent.headers["retry-after"]


def test_answers_do_not_wait_for_a_locked_database(bot: Bot, client: TestClient, url: str) -> None:
    blocker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock: the writer waits its busy timeout
    try:
        client.post("/api/ask", json={"question": QUESTION})  # the writer picks it up and waits
        started = time.perf_counter()
        for _ in range(20):
            assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
        assert time.perf_counter() - started < 2.0
        assert store_of(client).stats.written == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store_of(client).flush(15)
    assert len(rows(url, exchanges)) == 21


def test_shutting_down_writes_every_queued_exchange(bot: Bot, url: str) -> None:
    app = create_app(get_settings({"CRAMPBOT_DATABASE_URL": url, "CRAMPBOT_RATE_LIMIT": "off"}), bot=bot)
    with TestClient(app) as client:
        ids = [client.post("/api/ask", json={"question": QUESTION}).json()["id"] for _ in range(25)]
        client.post("/api/feedback", json={"id": ids[0], "helpful": True})
    assert {r["id"] for r in rows(url, exchanges)} == set(ids)
    assert [r["exchange_id"] for r in rows(url, feedback)] == [ids[0]]


def test_without_a_store_replies_still_have_ids_and_nothing_is_kept(bot: Bot, tmp_path: Path) -> None:
    settings = get_settings({"CRAMPBOT_DATABASE_URL": "none", "CRAMPBOT_DATA_DIR": str(tmp_path / "data")})
    with TestClient(create_app(settings, bot=bot)) as client:
        reply = client.post("/api/ask", json={"question": QUESTION}).json()
        assert isinstance(reply["id"], str)
        assert client.post("/api/feedback", json={"id": reply["id"], "helpful": True}).status_code == 404
        assert client.get("/api/health").json()["store"] == "off"
    assert not (tmp_path / "data").exists()


def test_the_openapi_schema_documents_the_feedback_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    route = schema["paths"]["/api/feedback"]["post"]
    assert {"204", "404", "422", "503"} <= set(route["responses"])
    body = schema["components"]["schemas"]["FeedbackRequest"]
    assert body["properties"]["comment"]["anyOf"][0]["maxLength"] == 500
    assert all(p.get("description") for p in body["properties"].values())
