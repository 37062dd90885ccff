"""Where conversations live between requests: in memory, bounded by count and by idle time.

`SessionStore` is the seam for a shared store later (several servers): anything with `get` and
`put` will do. Keys are salted hashes, so no raw session id is ever kept.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from bot.conversation.state import Conversation

if TYPE_CHECKING:
    from bot.chat import Bot, Reply


class SessionStore(Protocol):
    def get(self, key: str) -> Conversation | None: ...

    def put(self, key: str, conversation: Conversation) -> None: ...

    def lock(self, key: str) -> AbstractContextManager[object]:
        """Held for a whole exchange, so two messages of one conversation arriving together cannot
        both read the old state and the second write lose the first's red flag."""
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
    bot: Bot, store: SessionStore, key: str | None, question: str, exchange_id: str | None = None
) -> Reply:
    """One message of a conversation: read with what the session remembers, then remembered.
    Without a key (no session id), the message is answered on its own and nothing is kept.
    `exchange_id` (from the store) is set on the reply as its `id` and remembered, so the next
    message's reply names it as its `previous_id`."""
    if key is None:
        return replace(bot.ask(question), id=exchange_id)
    with store.lock(key):
        conversation = store.get(key) or Conversation()
        reply = replace(bot.ask(question, conversation), id=exchange_id, previous_id=conversation.last_exchange)
        remembered = bot.remember_reply(conversation, question, reply)
        store.put(key, replace(remembered, last_exchange=exchange_id))
    return reply
