"""Pure ASGI middleware: a request id for every request, and one access line when it is answered.

The id is the client's `X-Request-ID` when it is sane (1-128 characters from a URL-safe set, as a
proxy or load balancer would make), else a new random one; it is echoed in the response's
`X-Request-ID` and set in `bot.logs.REQUEST_ID` while the request is served, so every log line it
causes carries it (the JSON log format shows it).

The access line (logger `bot.web.access`, INFO) names the method, the route template (never the
path or query a client typed), the status and the duration; with `CRAMPBOT_LOG_FORMAT=json` they
are the fields `method`, `route`, `status`, `duration_ms`. No address, no body, no question text.
It replaces uvicorn's own access log, which `crampbot serve` turns off.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import REQUEST_ID
from bot.random_ids import hex_id
from bot.web.metrics import route_label

access_log = logging.getLogger("bot.web.access")
HEADER = b"x-request-id"
SANE_ID = re.compile(rb"[A-Za-z0-9._~:+/=-]{1,128}")


def request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is sane, else a new one."""
    for name, value in scope.get("headers") or ():
        if name == HEADER and SANE_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return hex_id()


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = 0  # no response: the client left first

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                route, method = route_label(scope), scope["method"]
                ms = round((time.perf_counter() - started) * 1000, 2)
                access_log.info(
                    "%s %s %d %.2f ms", method, route, status, ms,
                    extra={"method": method, "route": route, "status": status, "duration_ms": ms},
                )  # fmt: skip
            REQUEST_ID.reset(token)
