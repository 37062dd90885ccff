"""Rate limits per client, counted by the `limits` library (moving windows, in memory per worker,
or in Redis with CRAMPBOT_SHARED_URL).

A route takes its limit with one line, `dependencies=[rate_limited("ask")]` (and `**RATE_LIMITED_RESPONSE`
in its `responses`); each name is counted apart with the limits of CRAMPBOT_RATE_LIMIT (default:
30 a minute, at most 10 in any 10 seconds).
The client is the request's `session_id` when the JSON body has one, else its address; the
address comes from `X-Forwarded-For` only when the peer is one of CRAMPBOT_TRUSTED_PROXIES.
Failed admin authentications have their own, much stricter limit, counted per address only.

No raw address or session id is kept: keys are keyed hashes (BLAKE2b with a salt made when the
app is built, or derived from CRAMPBOT_SHARED_SECRET), so the counters cannot be read back into who
asked. In memory, each worker counts on its own: a client gets up to N times the limit from N
workers. In Redis every worker of every server counts together. While Redis fails, requests are let
through (fail open: logged once per incident, each failure counted in
`crampbot_shared_store_failures_total`): a limit is not worth refusing everyone.
A refused request gets 429, `Retry-After` (whole seconds) and `{"detail", "error"}` like every
other error of the API.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import Scope

from bot.settings import Settings
from bot.web.shared import REDIS_PAUSE_SECONDS, Outage, derived_salt, redis_client, shared_secret

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The OpenAPI entry for a refused request; a rate-limited route adds it to its `responses`.
RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many requests from this client; retry after `Retry-After` seconds.",
        "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "detail": {"type": "string", "description": "The limit that was reached."},
                        "error": {"type": "string", "description": "The same, to show a person."},
                    },
                    "required": ["detail", "error"],
                }
            }
        },
    }
}


#: Seconds between sweeps of expired entries out of memory (the library sweeps every 10 ms).
SWEEP_SECONDS = 5.0


class SweptMemoryStorage(MemoryStorage):
    """`limits`' in-memory storage, swept every SWEEP_SECONDS by the thread that counts, and swept clean.

    Two things in the library's MemoryStorage (5.8) do not suit a key per session. Its sweep visits
    every key (about 1.4 us each here) from a new thread every 10 ms: at 190 asks a second, each from
    a new session, it took 12% of the server's CPU in bench/http_load.py, and the cost grows with the
    crowd. And it empties a key's list of entries but never drops the key, so memory grows with every
    session ever seen. Here the sweep runs at most every SWEEP_SECONDS, in the thread that counts (the
    event loop: every caller is async), so no other thread touches the storage, and drops emptied keys.
    Counting stays exact (each check compares entry times itself); only memory is given back later.
    This overrides the library's private `MemoryStorage.__schedule_expiry`, called before each count;
    tests/test_rate_limit.py fails if a release renames it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.timer.cancel()  # the library's sweeping thread: not used
        self._last_sweep = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            self.sweep()

    def sweep(self) -> None:
        """Drop expired entries, then the keys left with none."""
        self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        for key in [key for key, entries in self.events.items() if not entries]:
            del self.events[key]
            self.locks.pop(key, None)


class RateLimited(Exception):
    """A client is over a limit; answered with 429 and `Retry-After: retry_after`."""

    def __init__(self, name: str, limit: str, retry_after: int) -> None:
        super().__init__(f"{name}: over {limit}")
        self.name = name
        self.limit = limit
        self.retry_after = retry_after


def parse_limits(text: str) -> tuple[RateLimitItem, ...]:
    """`"30/minute;10/10 seconds"` -> the library's items; `"off"` -> none."""
    return () if text.strip().lower() == "off" else tuple(parse_many(text))


def trusted_networks(proxies: Sequence[str]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: Sequence[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(scope: Scope, networks: Sequence[IpNetwork]) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the last address in
    `X-Forwarded-For` that is not one (the one a trusted proxy saw; those left of it are the client's
    own claims). Only the peer is used when no proxy is trusted."""
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = b",".join(value for name, value in scope.get("headers", ()) if name == b"x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.decode("latin-1").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


REDIS_PREFIX = "crampbot:limits"


def redis_storage(url: str) -> Storage:
    """`limits`' Redis storage on crampbot's client (short timeouts, no retries); its errors raised
    as `limits.errors.StorageError`."""
    from limits.storage import RedisStorage

    pool = redis_client(url).connection_pool
    return RedisStorage(url, connection_pool=pool, key_prefix=REDIS_PREFIX, wrap_exceptions=True)


class RateLimiter:
    """Named groups of limits over one storage (in memory unless given), keyed by hashed client ids.
    A name without limits of its own (any route but the admin's) gets `default`, counted apart under
    its name. `outage` is told of the storage's failures, during which every request is let through."""

    def __init__(
        self,
        limits: dict[str, tuple[RateLimitItem, ...]],
        proxies: Sequence[str] = (),
        *,
        default: tuple[RateLimitItem, ...] = (),
        on_limited: Callable[[str], None] | None = None,
        storage: Storage | None = None,
        salt: bytes | None = None,
        outage: Outage | None = None,
    ) -> None:
        self.limits = limits
        self.default = default
        self.networks = trusted_networks(proxies)
        self.on_limited = on_limited
        self._salt = salt or secrets.token_bytes(16)
        self._storage = storage or SweptMemoryStorage()
        self._strategy = MovingWindowRateLimiter(self._storage)
        self.outage = outage or Outage("rate limits")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        on_limited: Callable[[str], None] | None = None,
        on_failure: Callable[[str], None] | None = None,
    ) -> RateLimiter:
        limits = {"admin_auth": parse_limits(settings.admin_auth_limit)}
        default = parse_limits(settings.rate_limit)
        shared: dict[str, Any] = {}
        if settings.shared_url:
            shared = {
                "storage": redis_storage(settings.shared_url),
                "salt": derived_salt(shared_secret(settings), b"rate-limit"),
                "outage": Outage("rate limits", REDIS_PAUSE_SECONDS, on_failure),
            }
        return cls(limits, settings.trusted_proxies, default=default, on_limited=on_limited, **shared)

    def items(self, name: str) -> tuple[RateLimitItem, ...]:
        return self.limits.get(name, self.default)

    def key(self, kind: str, value: str) -> str:
        """A keyed hash of a client id: equal ids count together, and no id can be read back."""
        return hashlib.blake2b(f"{kind}\0{value}".encode(), key=self._salt, digest_size=16).hexdigest()

    def client(self, scope: Scope, session_id: str | None = None) -> str:
        if session_id:
            return self.key("session", session_id)
        return self.key("address", client_address(scope, self.networks))

    def address(self, scope: Scope) -> str:
        return self.key("address", client_address(scope, self.networks))

    def check(self, name: str, client: str) -> None:
        """Raise RateLimited if `client` has no room left under `name`'s limits; counts nothing."""
        items = self.items(name)
        if items and not self.outage.paused:
            self._guarded(self._check, name, client, items)

    def hit(self, name: str, client: str) -> None:
        """Count one request of `client` under `name`, or raise RateLimited (and count nothing) when
        any of the limits is reached: a refused request does not use up the client's allowance.
        (In Redis, two servers may both pass the check before either counts: a limit can be
        overshot by the requests that arrive within the same millisecond or so.)"""
        items = self.items(name)
        if items and not self.outage.paused:
            self._guarded(self._hit, name, client, items)

    def _check(self, name: str, client: str, items: Sequence[RateLimitItem]) -> None:
        if not all(self._strategy.test(item, name, client) for item in items):
            self._refuse(name, client, items)

    def _hit(self, name: str, client: str, items: Sequence[RateLimitItem]) -> None:
        self._check(name, client, items)
        for item in items:
            self._strategy.hit(item, name, client)

    def _guarded(
        self, work: Callable[[str, str, Sequence[RateLimitItem]], None], name: str, client: str,
        items: Sequence[RateLimitItem],
    ) -> None:  # fmt: skip
        """`work`, failing open: a storage error lets the request through (and tells the outage)."""
        try:
            work(name, client, items)
        except StorageError as exc:
            self.outage.failed(exc.storage_error)
        else:
            self.outage.succeeded()

    def _refuse(self, name: str, client: str, items: Sequence[RateLimitItem]) -> None:
        stats = [(item, self._strategy.get_window_stats(item, name, client)) for item in items]
        full = [(item, window) for item, window in stats if window.remaining <= 0]
        wait = max((window.reset_time for _, window in full), default=0.0) - time.time()
        if self.on_limited is not None:
            self.on_limited(name)
        raise RateLimited(name, "; ".join(str(item) for item, _ in full), max(1, math.ceil(wait)))


async def _session_id(request: Request) -> str | None:
    """The `session_id` of a JSON body FastAPI has already read (Request caches it), if it is a string."""
    if request.method != "POST":
        return None
    try:
        body = await request.json()
    except ValueError:  # not JSON: validation answers it
        return None
    value = body.get("session_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def rate_limited(name: str) -> Any:
    """A route dependency: count the request under `name` for its client, or answer 429."""

    async def limit(request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        if limiter.items(name):
            limiter.hit(name, limiter.client(request.scope, await _session_id(request)))

    return Depends(limit)


def install_rate_limits(
    app: FastAPI,
    settings: Settings,
    on_limited: Callable[[str], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> None:
    """Give `app` its limiter (`app.state.rate_limiter`) and the 429 answer."""
    app.state.rate_limiter = RateLimiter.from_settings(settings, on_limited, on_failure)

    @app.exception_handler(RateLimited)
    async def too_many(_: Request, exc: RateLimited) -> JSONResponse:
        seconds = "second" if exc.retry_after == 1 else "seconds"
        return JSONResponse(
            {
                "detail": f"rate limit reached ({exc.limit})",
                "error": f"Too many requests. Please wait {exc.retry_after} {seconds} and try again.",
            },
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
