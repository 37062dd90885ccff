"""Slow clients are cut off (bot.web.protocol): a real server, loopback sockets that never finish their request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Served, serving

TIMEOUT = 1.0  # CRAMPBOT_HEADER_TIMEOUT and CRAMPBOT_BODY_TIMEOUT for this server
MARGIN = 4.0  # a busy two-core machine: closed within the timeout plus this
MAX_CONNECTIONS = 60
PARTIAL_HEADERS = b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
PARTIAL_BODY = PARTIAL_HEADERS + b"Content-Length: 100\r\n\r\n" + b'{"question": "why'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    env = {
        "CRAMPBOT_HEADER_TIMEOUT": str(TIMEOUT),
        "CRAMPBOT_BODY_TIMEOUT": str(TIMEOUT),
        "CRAMPBOT_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "CRAMPBOT_RATE_LIMIT": "off",
    }
    with serving(env, tmp_path_factory.mktemp("slow") / "serve.log") as served:
        yield served


async def slow_client(port: int, opening: bytes, trickle: bytes = b"") -> tuple[float, bytes]:
    """Send `opening`, then `trickle` a byte every 0.1 s, never finishing: (seconds to close, what came back)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(opening)
    await writer.drain()

    async def dribble() -> None:
        for byte in trickle:
            await asyncio.sleep(0.1)
            writer.write(bytes([byte]))
            await writer.drain()

    dribbling = asyncio.create_task(dribble())
    try:
        received = await asyncio.wait_for(reader.read(), TIMEOUT + MARGIN + 5)  # until the server closes
    finally:
        dribbling.cancel()
        writer.close()
    return time.monotonic() - started, received


async def crowd(port: int, openings: list[tuple[bytes, bytes]]) -> list[tuple[float, bytes]]:
    results = await asyncio.gather(*(slow_client(port, opening, trickle) for opening, trickle in openings))
    return list(results)


def test_fifty_slow_clients_are_closed_in_time_while_others_are_served(server: Served) -> None:
    openings = (
        [(PARTIAL_HEADERS, b"")] * 20  # headers never finished
        + [(PARTIAL_BODY, b"")] * 20  # a body never finished
        + [(b"", b"")] * 5  # connected, said nothing
        + [(b"GET /api/health HTTP/1.1\r\n", b"X-Slow: " + b"a" * 100)] * 5  # busy, but never finishing
    )

    async def scenario() -> tuple[list[tuple[float, bytes]], list[int]]:
        slow = asyncio.create_task(crowd(server.port, openings))
        await asyncio.sleep(0.3)  # the slow ones are connected: the server still answers others
        normal = [await asyncio.to_thread(lambda: server.call("GET", "/api/health")[0]) for _ in range(3)]
        ask = await asyncio.to_thread(lambda: server.call("POST", "/api/ask", {"question": "why do legs cramp"})[0])
        return await slow, [*normal, ask]

    results, normal = asyncio.run(scenario())
    assert normal == [200, 200, 200, 200]
    for seconds, received in results:
        assert TIMEOUT - 0.1 <= seconds <= TIMEOUT + MARGIN
        assert received.startswith(b"HTTP/1.1 408 ")


def test_past_the_connection_cap_new_requests_get_503_until_the_slow_ones_are_cut(server: Served) -> None:
    async def scenario() -> tuple[int, int]:
        slow = asyncio.create_task(crowd(server.port, [(PARTIAL_HEADERS, b"")] * MAX_CONNECTIONS))
        await asyncio.sleep(0.3)
        during = await asyncio.to_thread(lambda: server.call("GET", "/api/health")[0])
        await slow
        after = await asyncio.to_thread(lambda: server.call("GET", "/api/health")[0])
        return during, after

    assert asyncio.run(scenario()) == (503, 200)


def test_a_kept_alive_connection_gets_the_header_deadline_for_its_next_request(server: Served) -> None:
    async def scenario() -> tuple[bytes, float, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = await reader.readuntil(b"}")  # the health JSON ends the first response
        started = time.monotonic()
        writer.write(PARTIAL_HEADERS)  # the next request, never finished
        rest = await asyncio.wait_for(reader.read(), TIMEOUT + MARGIN + 5)
        writer.close()
        return first, time.monotonic() - started, rest

    first, seconds, rest = asyncio.run(scenario())
    assert first.startswith(b"HTTP/1.1 200 ") and seconds <= TIMEOUT + MARGIN and rest.startswith(b"HTTP/1.1 408 ")


def test_a_slow_but_steady_response_time_is_not_cut(server: Served, tmp_path: Path) -> None:
    """Deadlines are for receiving a request: a whole request sent in pieces, within them, is answered."""

    async def scenario() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        body = b'{"question": "why do legs cramp at night"}'
        for piece in (PARTIAL_HEADERS, f"Content-Length: {len(body)}\r\n\r\n".encode(), body[:10], body[10:]):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(TIMEOUT / 5)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
        writer.close()
        return head

    assert asyncio.run(scenario()).startswith(b"HTTP/1.1 200 ")
