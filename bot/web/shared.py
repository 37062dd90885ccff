"""State that workers and servers share: where conversations live, the salts keys are hashed with,
the Redis client, and what happens while a shared store is down.

- One worker, no `CRAMPBOT_SHARED_URL`: conversations in memory, a salt made by the process.
- `crampbot serve --workers N`: conversations in an SQLite file in the server's run folder
  (bot.conversation.sqlite_sessions), hashed with a salt written there once, so every worker finds
  every conversation. Rate limits stay per worker (bot.web.rate_limit).
- `CRAMPBOT_SHARED_URL=redis://...`: conversations (bot.conversation.redis_sessions) and rate limits
  in Redis, hashed with salts derived from `CRAMPBOT_SHARED_SECRET`, the same on every server.

A shared store that fails never fails a request: rate limits let it through and the conversation
is not read or kept for that message (`Outage` logs once per incident and counts each failure).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.conversation.sessions import MemorySessions, SessionStore, SessionsUnavailable, Step, new_salt
from bot.conversation.sqlite_sessions import SqliteSessions
from bot.conversation.state import Conversation
from bot.settings import PREFIX, Settings, SettingsError

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds Redis has to connect and to answer a command: a request waits at most this long for it.
REDIS_TIMEOUT_SECONDS = 0.5
#: Seconds after a Redis failure during which it is not asked again (requests go on without it).
REDIS_PAUSE_SECONDS = 5.0
SALT_FILE = "session_salt"
SESSIONS_FILE = "sessions.sqlite3"


class Outage:
    """A shared store's health as requests find it: the first failure of an incident is logged as a
    warning, the recovery as info, and each failure counted (`on_failure(use)`). After a failure the
    store is left alone for `pause_seconds`, so a Redis that times out slows one request, not all."""

    def __init__(
        self,
        use: str,
        pause_seconds: float = 0.0,
        on_failure: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.use = use
        self.pause_seconds = pause_seconds
        self.on_failure = on_failure
        self._clock = clock
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def paused(self) -> bool:
        """True while the store is being left alone after a failure."""
        return self._down_since is not None and self._clock() < self._retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = self._clock()
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + self.pause_seconds
        if first:
            log.warning("%s: the shared store failed, going on without it: %s", self.use, error)
        if self.on_failure is not None:
            self.on_failure(self.use)

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            log.info("%s: the shared store works again after %.1f s", self.use, self._clock() - since)


class GuardedSessions:
    """A session store behind an `Outage`: while it is paused, every call is SessionsUnavailable at
    once (the caller answers without the conversation)."""

    def __init__(self, store: SessionStore, outage: Outage) -> None:
        self.store = store
        self.outage = outage

    def get(self, key: str) -> Conversation | None:
        return self._guard(lambda: self.store.get(key))

    def peek(self, key: str) -> Conversation | None:
        return self._guard(lambda: self.store.peek(key))

    def put(self, key: str, conversation: Conversation) -> None:
        self._guard(lambda: self.store.put(key, conversation))

    def update(self, key: str, step: Step[T]) -> T:
        return self._guard(lambda: self.store.update(key, step))

    def close(self) -> None:
        close: Callable[[], None] | None = getattr(self.store, "close", None)
        if close is not None:
            close()

    def _guard(self, call: Callable[[], T]) -> T:
        if self.outage.paused:
            raise SessionsUnavailable(f"{self.outage.use}: the shared store is paused after a failure")
        try:
            result = call()
        except SessionsUnavailable as exc:
            self.outage.failed(exc)
            raise
        self.outage.succeeded()
        return result


@dataclass
class Conversations:
    """Where an app keeps conversations, and the salt their keys are hashed with."""

    store: SessionStore
    salt: bytes

    def close(self) -> None:
        close: Callable[[], None] | None = getattr(self.store, "close", None)
        if close is not None:
            close()


def conversations_for(
    settings: Settings, run_dir: Path | None = None, on_failure: Callable[[str], None] | None = None
) -> Conversations:
    """The conversations of an app: in Redis with a shared URL, else in the run folder of a server
    with several workers, else in memory."""
    if settings.shared_url:
        salt = derived_salt(shared_secret(settings), b"sessions")
        store = _redis_sessions(settings.shared_url, settings)
        outage = Outage("sessions", REDIS_PAUSE_SECONDS, on_failure)
        return Conversations(GuardedSessions(store, outage), salt)
    idle = settings.session_idle_minutes * 60
    if run_dir is not None:
        sqlite = SqliteSessions(Path(run_dir) / SESSIONS_FILE, settings.max_sessions, idle)
        return Conversations(GuardedSessions(sqlite, Outage("sessions", 0.0, on_failure)), run_folder_salt(run_dir))
    return Conversations(MemorySessions(settings.max_sessions, idle), new_salt())


def _redis_sessions(url: str, settings: Settings) -> SessionStore:
    from bot.conversation.redis_sessions import RedisSessions  # needs the `redis` package: only here

    return RedisSessions(redis_client(url), settings.session_idle_minutes * 60)


def shared_secret(settings: Settings) -> str:
    """The secret keys are hashed with in a shared store; refused when missing or short."""
    secret = settings.shared_secret
    if not secret or len(secret) < 32:
        raise SettingsError(
            f"Config '{PREFIX}SHARED_URL' needs '{PREFIX}SHARED_SECRET': the same random string of at least 32 "
            "characters on every server, with which client ids are hashed before they reach Redis."
        )
    return secret


def derived_salt(secret: str, purpose: bytes) -> bytes:
    """A salt for one use (`sessions`, `rate-limit`) from the shared secret: the same on every
    server, and no use's hashes can be matched with another's."""
    return hashlib.blake2b(secret.encode("utf-8"), digest_size=32, person=purpose[:16]).digest()


def run_folder_salt(run_dir: Path) -> bytes:
    """The session salt of a server's workers, written once in its run folder (readable by its user
    only) by whichever worker comes first; the others read it."""
    path = Path(run_dir) / SALT_FILE
    if not path.exists():
        temporary = path.with_name(f".{SALT_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(new_salt().hex())
        try:
            os.link(temporary, path)  # atomic, and fails if another worker was first
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def redis_client(url: str) -> Redis:
    """A client of the Redis at `url`, with short timeouts and no retries (a failure is handled by
    going on without Redis, not by waiting). It connects on first use: a server starts while Redis
    is down."""
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:
        raise SettingsError(
            f"Config '{PREFIX}SHARED_URL' is set but the `redis` package is missing: "
            "install crampbot with its `shared` extra (`pip install 'crampbot[shared]'`)."
        ) from None
    options: dict[str, Any] = {
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
        "retry": Retry(NoBackoff(), 0),
    }
    return redis.Redis.from_url(url, **options)
