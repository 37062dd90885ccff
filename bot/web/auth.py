"""Bearer tokens for the admin and staff routes: one guard, two roles.

The admin token (CRAMPBOT_ADMIN_TOKEN) may do everything, the staff token (CRAMPBOT_STAFF_TOKEN)
only read: a route says which roles it admits. Each token is compared as bytes (UTF-8, so a
non-ASCII token matches when the client sends it in UTF-8), in constant time, and every token is
compared on every request, so the time taken tells nothing about which one, if any, matched.
Failed authentications (no token, or a token that is no one's) are rate limited per address
(CRAMPBOT_ADMIN_AUTH_LIMIT, counted under `admin_auth` for both roles): past the limit every guarded
request from that address gets 429 before its token is even looked at. A valid token of a role the
route does not admit gets 403 without counting as a failure: it is a mistake, not a guess.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from fastapi import HTTPException, Request

from bot.settings import MIN_ADMIN_TOKEN_CHARS
from bot.web.rate_limit import RATE_LIMITED_RESPONSE, RateLimiter

Role = Literal["admin", "staff"]
FAILURES = "admin_auth"  # the rate limiter's name for failed authentications, of either role

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token"},
    403: {"description": "Wrong token, or a token whose role may not use this route"},
    **RATE_LIMITED_RESPONSE,
}


def tokens_of(admin: str | None, staff: str | None) -> dict[Role, bytes]:
    """The configured tokens by role, as bytes; a token shorter than the minimum is refused (settings
    refuse it first; this guards Settings built by hand)."""
    tokens: dict[Role, bytes] = {}
    for role, token in (("admin", admin), ("staff", staff)):
        if token is None:
            continue
        if len(token) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(f"the {role} token must be at least {MIN_ADMIN_TOKEN_CHARS} characters long")
        tokens[role] = token.encode()  # type: ignore[index]
    return tokens


def bearer_guard(
    tokens: Mapping[Role, bytes], admits: frozenset[Role], what: str
) -> Callable[[Request], Awaitable[Role]]:
    """A route dependency that lets through a bearer token of a role in `admits`, and returns the role.
    `what` names the token in the 401 message ("the admin token")."""

    async def require(request: Request) -> Role:  # async: counted on the event loop, as asks are
        limiter: RateLimiter = request.app.state.rate_limiter
        client = limiter.address(request.scope)
        limiter.check(FAILURES, client)
        # Starlette decodes header bytes as Latin-1; encoding back gives the bytes the client sent.
        scheme, _, given = request.headers.get("authorization", "").encode("latin-1").partition(b" ")
        given = given.strip()
        if scheme.lower() != b"bearer" or not given:
            limiter.hit(FAILURES, client)
            raise HTTPException(
                401, f"send {what} as 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
            )
        matches = [role for role, token in tokens.items() if hmac.compare_digest(given, token)]  # all compared
        if not matches:
            limiter.hit(FAILURES, client)
            raise HTTPException(403, f"wrong {what.removeprefix('the ')}")
        if matches[0] not in admits:
            raise HTTPException(403, f"the {matches[0]} token cannot use this route")
        return matches[0]

    return require
