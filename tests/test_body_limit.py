"""`bot.web.body_limit.BodyLimit`: bodies over the limit get 413 before the app sees them; the rest pass unchanged."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from bot.web.body_limit import BodyLimit

LIMIT = 64
REFUSAL = {"detail": f"request body over {LIMIT} bytes", "error": f"body: request body over {LIMIT} bytes"}


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, object]:
        body = await request.body()
        return {"size": len(body), "text": body.decode()}

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app.add_middleware(BodyLimit, max_bytes=LIMIT)
    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(echo_app()) as test_client:
        yield test_client


# --- through a real app -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, LIMIT - 1, LIMIT])
def test_a_body_up_to_the_limit_reaches_the_app_whole(client: TestClient, size: int) -> None:
    body = "x" * size
    response = client.post("/echo", content=body)
    assert response.status_code == 200
    assert response.json() == {"size": size, "text": body}


def test_a_body_over_the_limit_by_content_length_gets_413_json(client: TestClient) -> None:
    response = client.post("/echo", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.json() == REFUSAL


def test_a_streamed_body_without_content_length_over_the_limit_gets_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"y" * (LIMIT // 2)

    response = client.post("/echo", content=chunks())
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == REFUSAL


def test_a_streamed_body_without_content_length_under_the_limit_passes(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ab"
        yield b"cd"

    response = client.post("/echo", content=chunks())
    assert response.status_code == 200
    assert response.json() == {"size": 4, "text": "abcd"}


def test_a_get_request_is_not_limited(client: TestClient) -> None:
    assert client.get("/ping").json() == {"pong": "yes"}


def test_a_json_body_reaches_a_validating_route_intact() -> None:
    app = FastAPI()

    @app.put("/item")
    def item(payload: dict[str, str]) -> dict[str, str]:
        return payload

    app.add_middleware(BodyLimit, max_bytes=LIMIT)
    with TestClient(app) as test_client:
        assert test_client.put("/item", json={"name": "calf"}).json() == {"name": "calf"}
        assert test_client.put("/item", json={"name": "c" * LIMIT}).status_code == 413


# --- at the ASGI level: what is read and what is sent -------------------------------------------


class Recorder:
    """An inner ASGI app that records whether it was called and the body it received."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.after_body: Message | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            message = await receive()
            assert message["more_body"] is False
            self.body = message["body"]
            self.after_body = await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def http_scope(method: str = "POST", headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    return {"type": "http", "method": method, "path": "/", "headers": headers or []}


def run(scope: Scope, messages: list[Message]) -> tuple[Recorder, list[Message], int]:
    """Call BodyLimit(Recorder) with `messages` from the client: the app, what was sent, how many reads."""
    inner = Recorder()
    queue = list(messages)
    sent: list[Message] = []
    reads = 0

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(BodyLimit(inner, max_bytes=LIMIT)(scope, receive, send))
    return inner, sent, reads


def body(data: bytes, more: bool = False) -> Message:
    return {"type": "http.request", "body": data, "more_body": more}


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    scope = http_scope(headers=[(b"content-length", str(LIMIT + 1).encode())])
    inner, sent, reads = run(scope, [body(b"x" * (LIMIT + 1))])
    assert reads == 0 and not inner.called
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == REFUSAL


def test_chunks_adding_up_past_the_limit_are_refused_at_the_chunk_that_crosses_it() -> None:
    chunks = [body(b"a" * 40, more=True), body(b"b" * 40, more=True), body(b"c" * 40)]
    inner, sent, reads = run(http_scope(), chunks)
    assert reads == 2 and not inner.called
    assert sent[0]["status"] == 413


def test_a_body_longer_than_its_declared_length_is_still_counted() -> None:
    scope = http_scope(headers=[(b"content-length", b"3")])
    inner, sent, _ = run(scope, [body(b"a" * 40, more=True), body(b"b" * 40)])
    assert not inner.called and sent[0]["status"] == 413


def test_a_content_length_that_is_not_a_number_is_ignored_and_the_body_counted() -> None:
    scope = http_scope(headers=[(b"content-length", b"lots")])
    inner, sent, _ = run(scope, [body(b"abc")])
    assert inner.called and inner.body == b"abc" and sent[0]["status"] == 204


def test_chunks_under_the_limit_reach_the_app_as_one_body() -> None:
    inner, sent, _ = run(http_scope("PUT"), [body(b"ab", more=True), body(b"", more=True), body(b"cd")])
    assert inner.body == b"abcd"
    assert sent[0]["status"] == 204


def test_after_the_replayed_body_the_app_reads_from_the_client_again() -> None:
    inner, _, _ = run(http_scope(), [body(b"abc")])
    assert inner.after_body == {"type": "http.disconnect"}


def test_a_client_that_goes_away_mid_body_gets_no_response_and_the_app_is_not_called() -> None:
    inner, sent, _ = run(http_scope(), [body(b"ab", more=True), {"type": "http.disconnect"}])
    assert not inner.called and sent == []


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_bodiless_methods_pass_through_unread_whatever_they_declare(method: str) -> None:
    scope = http_scope(method, headers=[(b"content-length", b"999999")])
    inner, sent, reads = run(scope, [body(b"x" * (LIMIT + 1))])
    assert inner.called and reads == 0 and sent[0]["status"] == 204


@pytest.mark.parametrize("kind", ["websocket", "lifespan"])
def test_non_http_scopes_pass_through_untouched(kind: str) -> None:
    seen: list[Scope] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    async def receive() -> Message:
        raise AssertionError("the middleware must not read a non-HTTP scope")

    async def send(message: Message) -> None:
        raise AssertionError("the middleware must not answer a non-HTTP scope")

    scope: Scope = {"type": kind, "headers": [(b"content-length", b"999999")]}
    asyncio.run(BodyLimit(inner, max_bytes=LIMIT)(scope, receive, send))
    assert seen == [scope]
