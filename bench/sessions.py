"""The cost a session store adds to one message of a conversation: memory, SQLite (a server's
workers), Redis (several servers).

Times, for each store, one exchange of a store alone (`update` with a step that only returns a
six-turn conversation: the read, the JSON both ways and the write) and a whole `ask_in_session`
over the same messages (conversations of five, a new session id each). The first is the store's
own cost; the second shows it beside the cost of answering. Redis is a throwaway `redis-server` on loopback
started here (or `--redis-url`), so the figure is the floor: a Redis on another machine adds its
network round trips (two for an exchange: WATCH+GET, then MULTI/SET/EXEC). Run by hand, not in CI:

    .venv/bin/python bench/sessions.py
    .venv/bin/python bench/sessions.py --messages 5000 --redis-url redis://127.0.0.1:6379/15
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.chat import Bot
from bot.conversation.sessions import MemorySessions, SessionStore, ask_in_session
from bot.conversation.sqlite_sessions import SqliteSessions
from bot.conversation.state import Conversation
from bot.web.rate_limit import RateLimiter, parse_limits, redis_storage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the throwaway redis-server
DEFAULT_LIMIT = "30/minute;10/10 seconds"
MESSAGES = (
    "What causes leg cramps at night?",
    "and how do I prevent them?",
    "what about in pregnancy?",
    "I have chest pain",
    "How long do leg cramps last?",
)


def per_message(run: Callable[[str, str], object], count: int) -> float:
    """Microseconds a message, the median of five passes of `count` messages."""
    passes = []
    for attempt in range(5):
        started = time.perf_counter()
        for n in range(count):
            run(f"s{attempt}-{n // len(MESSAGES)}", MESSAGES[n % len(MESSAGES)])
        passes.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages a pass (default 2000)")
    parser.add_argument("--redis-url", help="a Redis to use (default: start a throwaway redis-server)")
    args = parser.parse_args()
    bot = Bot.from_knowledge()
    stores: dict[str, SessionStore] = {"memory": MemorySessions(100_000, 1800)}
    folder = Path(tempfile.mkdtemp(prefix="crampbot-bench-sessions-"))
    stores["sqlite"] = SqliteSessions(folder / "sessions.sqlite3", 100_000, 1800)
    server = None
    url = None
    try:
        from bot.conversation.redis_sessions import RedisSessions
        from bot.web.shared import redis_client

        url = args.redis_url
        if url is None:
            from redis_server import ThrowawayRedis

            server = ThrowawayRedis().start()
            url = server.url
        stores["redis"] = RedisSessions(redis_client(url), 1800)
    except Exception as exc:  # no redis package or server: the other figures still stand
        print(f"(no Redis: {exc})")
    six = Conversation()
    for question in (*MESSAGES, MESSAGES[0]):
        six = bot.remember_reply(six, question, bot.ask(question, six))
    try:
        for name, store in stores.items():
            alone = per_message(lambda key, _, s=store: s.update(key, lambda old: (old, six)), args.messages)  # type: ignore[misc]
            whole = per_message(lambda key, question, s=store: ask_in_session(bot, s, key, question), args.messages)  # type: ignore[misc]
            print(f"{name:>7}: {alone:5.0f} us an exchange of the store alone, {whole:5.0f} us a whole message")
        limiters = {"memory": RateLimiter({}, default=parse_limits(DEFAULT_LIMIT))}
        if "redis" in stores:
            limiters["redis"] = RateLimiter({}, default=parse_limits(DEFAULT_LIMIT), storage=redis_storage(url))
        for name, limiter in limiters.items():
            took = per_message(lambda key, _, r=limiter: r.hit("ask", key), args.messages // 5)  # type: ignore[misc]
            print(f"{name:>7}: {took:5.0f} us to count one request under the default rate limit ({DEFAULT_LIMIT})")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
