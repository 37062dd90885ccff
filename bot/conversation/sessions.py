"""Where conversations live between requests, bounded by count and by idle time.

`SessionStore` is what `ask_in_session` and the staff explain route need; three stores have it:
`MemorySessions` here (one process), `bot.conversation.sqlite_sessions` (the workers of one
server, in its run folder) and `bot.conversation.redis_sessions` (several servers). Keys are salted
hashes, so no raw session id is ever kept.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.conversation.state import Conversation

if TYPE_CHECKING:
    from bot.chat import Bot, Reply

T = TypeVar("T")
#: One exchange: the conversation as stored -> (what to return, the conversation to store).
Step = Callable[[Conversation], "tuple[T, Conversation]"]


class SessionsUnavailable(Exception):
    """The store cannot be read or written now (a shared store is down): answer without it."""


class SessionStore(Protocol):
    def get(self, key: str) -> Conversation | None:
        """The conversation, which counts as used now."""
        ...

    def peek(self, key: str) -> Conversation | None:
        """The conversation, read without keeping it alive (staff looking must change nothing)."""
        ...

    def put(self, key: str, conversation: Conversation) -> None: ...

    def update(self, key: str, step: Step[T]) -> T:
        """Run `step` on the stored conversation (a new one if none) and store what it returns, as
        one exchange: two messages of one conversation arriving together, at any worker or server,
        cannot both read the old state and the second write lose the first's red flag. A store may
        run `step` again on the newer state instead of holding a lock while it answers, so `step`
        must have no effects of its own."""
        ...


def session_key(session_id: str, salt: bytes) -> str:
    """A salted hash of the client's session id: enough to find the conversation, useless to anyone
    who reads the store. The salt is made per process (`new_salt`): conversations end with it."""
    return hashlib.blake2b(session_id.encode("utf-8", "surrogatepass"), key=salt, digest_size=16).hexdigest()


def new_salt() -> bytes:
    return secrets.token_bytes(32)


EXCHANGE_LOCKS = 64  # messages of different conversations rarely wait for each other


class MemorySessions:
    """Least recently used conversations, at most `max_sessions`, each forgotten after `idle_seconds`
    without a message. Thread-safe: the server answers from a thread pool."""

    def __init__(self, max_sessions: int, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()
        self._lock = threading.Lock()
        self._exchange_locks = [threading.Lock() for _ in range(EXCHANGE_LOCKS)]  # striped: bounded memory

    def __len__(self) -> int:
        return len(self._items)

    def lock(self, key: str) -> threading.Lock:
        return self._exchange_locks[hash(key) % len(self._exchange_locks)]

    def update(self, key: str, step: Step[T]) -> T:
        with self.lock(key):
            result, conversation = step(self.get(key) or Conversation())
            self.put(key, conversation)
        return result

    def get(self, key: str) -> Conversation | None:
        """The conversation, which counts as used now (the last-use order and the idle clock agree)."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            item = self._items.get(key)
            if item is None:
                return None
            self._items[key] = (now, item[1])
            self._items.move_to_end(key)
            return item[1]

    def peek(self, key: str) -> Conversation | None:
        """The conversation, read without touching it: its last use, idle clock and order stay as
        they were (staff looking at a conversation must not keep it alive or change what is forgotten)."""
        with self._lock:
            item = self._items.get(key)
        if item is None or self._clock() - item[0] >= self.idle_seconds:
            return None
        return item[1]

    def put(self, key: str, conversation: Conversation) -> None:
        now = self._clock()
        with self._lock:
            self._items[key] = (now, conversation)
            self._items.move_to_end(key)
            self._expire(now)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def _expire(self, now: float) -> None:
        """Drop idle conversations, oldest first (the dict is in last-use order)."""
        while self._items:
            key, (seen, _) = next(iter(self._items.items()))
            if now - seen < self.idle_seconds:
                break
            del self._items[key]


def ask_in_session(
    bot: Bot,
    store: SessionStore,
    key: str | None,
    question: str,
    exchange_id: str | None = None,
    on_unavailable: Callable[[SessionsUnavailable], None] | None = None,
) -> Reply:
    """One message of a conversation: read with what the session remembers, then remembered.
    Without a key (no session id), the message is answered on its own and nothing is kept; so is it
    when the store is unavailable (`on_unavailable` is told): a reply never fails for want of one.
    `exchange_id` (from the store) is set on the reply as its `id` and remembered, so the next
    message's reply names it as its `previous_id`."""
    if key is None:
        return replace(bot.ask(question), id=exchange_id)

    def exchange(conversation: Conversation) -> tuple[Reply, Conversation]:
        reply = replace(bot.ask(question, conversation), id=exchange_id, previous_id=conversation.last_exchange)
        remembered = bot.remember_reply(conversation, question, reply)
        return reply, replace(remembered, last_exchange=exchange_id)

    try:
        return store.update(key, exchange)
    except SessionsUnavailable as exc:
        if on_unavailable is not None:
            on_unavailable(exc)
        return replace(bot.ask(question), id=exchange_id)
