"""Logs (bot.logs, bot.web.request_log): JSON lines with a request id, access lines without what a client typed."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.logs import logging_config
from bot.settings import get_settings
from bot.web.app import create_app

QUESTION = "my secret question about calf cramps"


@contextlib.contextmanager
def configured(log_format: str) -> Iterator[io.StringIO]:
    """crampbot's logging configuration, writing to a buffer; the previous configuration restored after."""
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    logging.config.dictConfig(logging_config("INFO", log_format))
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in before[0]:
            root.addHandler(handler)
        root.setLevel(before[1])


@pytest.fixture()
def json_lines() -> Iterator[io.StringIO]:
    with configured("json") as buffer:
        yield buffer


def records(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.fixture()
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(
        create_app(get_settings({"CRAMPBOT_RATE_LIMIT": "off", "CRAMPBOT_DATABASE_URL": "none"}), bot=bot)
    ) as c:
        yield c


def test_json_logs_are_one_object_a_line_with_the_standard_fields(json_lines: io.StringIO) -> None:
    logging.getLogger("bot.test").warning("two\nlines")
    (record,) = records(json_lines)
    assert record["message"] == "two\nlines" and record["level"] == "WARNING" and record["logger"] == "bot.test"
    assert {"time", "process", "request_id"} <= set(record) and record["request_id"] is None


def test_an_access_line_has_route_status_duration_and_the_request_id_but_no_question(
    client: TestClient, json_lines: io.StringIO
) -> None:
    response = client.post("/api/ask?q=private", json={"question": QUESTION, "session_id": "session-secret"})
    assert response.status_code == 200
    (access,) = [r for r in records(json_lines) if r["logger"] == "bot.web.access"]
    assert access["route"] == "/api/ask" and access["method"] == "POST" and access["status"] == 200
    assert access["duration_ms"] >= 0 and access["request_id"] == response.headers["x-request-id"]
    everything = json.dumps([r for r in records(json_lines) if not r["logger"].startswith("httpx")])  # (the client's)
    assert "secret" not in everything and "private" not in everything and "testclient" not in everything


def test_lines_logged_while_serving_a_request_carry_its_id(client: TestClient, json_lines: io.StringIO) -> None:
    @client.app.get("/boom")  # type: ignore[attr-defined]
    async def boom() -> None:
        logging.getLogger("bot.test").info("inside")

    response = client.get("/boom", headers={"X-Request-ID": "edge-1234"})
    assert response.headers["x-request-id"] == "edge-1234"
    inside = [r for r in records(json_lines) if r["message"] == "inside"]
    assert inside and inside[0]["request_id"] == "edge-1234"


@pytest.mark.parametrize("sent", [b"", b"a b", b"x" * 129, "é".encode(), b"<script>", b"a\\b"])
def test_an_unsafe_or_absent_request_id_is_replaced(client: TestClient, sent: bytes) -> None:
    response = client.get("/api/health", headers={b"X-Request-ID": sent})
    assert response.headers["x-request-id"].encode() != sent and len(response.headers["x-request-id"]) == 32


def test_every_response_has_a_request_id_even_an_error(client: TestClient) -> None:
    assert client.get("/no/such/route").headers["x-request-id"]
    assert client.post("/api/ask", content=b"x" * 10_000_000).headers["x-request-id"]  # 413, refused unread


def test_text_stays_the_default_format() -> None:
    assert get_settings({}).log_format == "text"
    with configured("text") as buffer:
        logging.getLogger("bot.test").info("plain")
    assert buffer.getvalue() == "INFO bot.test: plain\n"
