"""Conversations shared by several servers: one Redis string per conversation, expiring when idle.

Each conversation is its JSON (bot.conversation.codec) under `crampbot:session:<salted key>`, with
a time to live of the idle expiry that every message renews, so Redis forgets idle conversations
itself. An exchange is optimistic, as in SQLite: WATCH the key, read, answer, then write in a
MULTI that fails if another server wrote in between (and then answers again on the newer state).
Redis's own memory limit (`maxmemory`) bounds the count; `max_sessions` is not counted here.

Every Redis error becomes SessionsUnavailable: the caller answers without the conversation.
The client is the `redis` package's (the `shared` extra), made by bot.web.shared.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.conversation import codec
from bot.conversation.sessions import SessionsUnavailable, Step
from bot.conversation.state import Conversation

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

T = TypeVar("T")

PREFIX = "crampbot:session:"
#: Tries of one exchange when other servers keep writing the same conversation in between.
ATTEMPTS = 20


class RedisSessions:
    """The `SessionStore` of several servers sharing one Redis."""

    def __init__(self, client: Redis, idle_seconds: float) -> None:
        self.client = client
        self.idle_ms = max(1, round(idle_seconds * 1000))

    def get(self, key: str) -> Conversation | None:
        return self._decode(self._call(lambda: self.client.getex(PREFIX + key, px=self.idle_ms)))

    def peek(self, key: str) -> Conversation | None:
        return self._decode(self._call(lambda: self.client.get(PREFIX + key)))

    def put(self, key: str, conversation: Conversation) -> None:
        self._call(lambda: self.client.set(PREFIX + key, codec.dumps(conversation), px=self.idle_ms))

    def update(self, key: str, step: Step[T]) -> T:
        from redis import RedisError, WatchError

        name = PREFIX + key
        try:
            with self.client.pipeline() as pipe:
                for _ in range(ATTEMPTS):
                    try:
                        pipe.watch(name)
                        conversation = self._decode(pipe.get(name))
                        result, new = step(conversation or Conversation())
                        pipe.multi()
                        pipe.set(name, codec.dumps(new), px=self.idle_ms)
                        pipe.execute()
                        return result
                    except WatchError:
                        continue
        except RedisError as exc:
            raise SessionsUnavailable(f"redis: {exc}") from exc
        raise SessionsUnavailable(f"conversation written by others {ATTEMPTS} times during one exchange")

    def close(self) -> None:
        self.client.close()

    def _call(self, command: Callable[[], Any]) -> Any:
        from redis import RedisError

        try:
            return command()
        except RedisError as exc:
            raise SessionsUnavailable(f"redis: {exc}") from exc

    @staticmethod
    def _decode(raw: object) -> Conversation | None:
        if raw is None:
            return None
        try:
            return codec.loads(raw if isinstance(raw, str | bytes) else str(raw))
        except codec.UnreadableConversation as exc:
            log.warning("an unreadable conversation in Redis is started afresh: %s", exc)
            return None
