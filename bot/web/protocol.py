"""uvicorn's h11 HTTP protocol with deadlines for receiving a request: slow clients are cut off.

uvicorn times out idle keep-alive connections (`timeout_keep_alive`), but nothing else: a client
that connects and sends nothing, or trickles a request's headers or body a byte at a time, holds
its connection (and a slot of `limit_concurrency`) for ever, since every byte received cancels the
keep-alive timer. ASGI middleware cannot help with headers: the app sees a request only once its
headers are complete. So this subclass of `H11Protocol` keeps one timer per connection:

- **headers**: armed when the connection opens, and when the first bytes of a next request arrive
  on a kept-alive one; the request line and headers must be in within CRAMPBOT_HEADER_TIMEOUT;
- **body**: armed when the headers are in and a body is announced; the whole body must be in
  within CRAMPBOT_BODY_TIMEOUT;
- none while the app works on a request or the response is being sent, nor between requests
  (uvicorn's keep-alive timer, CRAMPBOT_KEEP_ALIVE, covers idle connections).

On expiry the client gets `408 Request Timeout` and the connection is closed. It relies on
`H11Protocol`'s `cycle`, `transport` and callbacks (uvicorn 0.3x-0.5x); tests/test_slow_clients.py
drives a real server, so a uvicorn release that changes them fails there, not in production.
With httptools or another server these deadlines do not apply: use the reverse proxy's
(docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Literal

from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.settings import get_settings

log = logging.getLogger(__name__)

Phase = Literal["headers", "body"]
TIMEOUT_BODY = b"request not received in time\n"
REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: " + str(len(TIMEOUT_BODY)).encode() + b"\r\n\r\n" + TIMEOUT_BODY
)


@functools.cache
def read_timeouts() -> tuple[float, float]:
    """(header, body) seconds from CRAMPBOT_HEADER_TIMEOUT and CRAMPBOT_BODY_TIMEOUT, read once a
    process: uvicorn builds a protocol per connection, and each worker is its own process."""
    settings = get_settings()
    return settings.header_timeout, settings.body_timeout


class TimedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer: asyncio.TimerHandle | None = None
        self._armed_for: tuple[Phase, int] | None = None  # the phase and the request cycle it times
        self._header_timeout, self._body_timeout = read_timeouts()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("headers")  # a client that connects and says nothing

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow(data_arrived=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow(data_arrived=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _follow(self, *, data_arrived: bool) -> None:
        """Arm the timer for what the connection is waiting for now, or stop it."""
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # between requests
            if data_arrived:  # bytes that did not make a whole request: the next one's head, in part
                self._arm("headers")
            else:
                self._disarm()  # idle: uvicorn's keep-alive timer is running
        elif cycle.more_body and not cycle.response_started:
            self._arm("body")
        else:
            self._disarm()

    def _arm(self, phase: Phase) -> None:
        key = (phase, id(self.cycle))
        if self._armed_for == key:
            return  # the deadline runs from when the wait began, not from the latest byte
        self._disarm()
        seconds = self._header_timeout if phase == "headers" else self._body_timeout
        self._timer = self.loop.call_later(seconds, self._expire, phase)
        self._armed_for = key

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._armed_for = None

    def _expire(self, phase: Phase) -> None:
        self._timer = None
        self._armed_for = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            return  # cannot happen (no timer runs while responding), but never cut a response short
        log.debug("closing a connection: request %s not received in time", phase)
        self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()  # connection_lost tells a request waiting for its body that the client left
