"""Prometheus metrics (`prometheus-client`), served at `GET /metrics` in the text format.

What is counted: HTTP requests by route template, method and status; the time to answer a
question; replies by kind; escalations by level; the knowledge version and passage count
served; reload attempts by result (`rejected` is a failed reload); requests refused by a rate
limit; the store's queue, what it wrote, refused and dropped, its failed writes and whether it is
degraded (read from the store when `/metrics` is scraped and every few seconds). Labels are route
templates and fixed words, never a path, a question, an address or a
session id, so nothing a user typed reaches the metrics and their number stays bounded.

Each app has its own registry (tests build many apps in one process). With several worker
processes, set PROMETHEUS_MULTIPROC_DIR to an empty folder before the server starts: every
process then writes its values there and `/metrics` adds them up over all processes
(prometheus-client's multiprocess mode); the gauges are reported per process (`pid` label).
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from bot.answer_cache import AnswerCacheStats
    from bot.chat import Bot, Reply
    from bot.store.writer import WriterStats
    from bot.web.reload import ReloadResult

#: Seconds; most questions take under a millisecond in process, a long message up to ~10 ms.
ASK_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
UNMATCHED = "unmatched"  # the route label of a request no route took (404s)
#: The store's writer figures (bot.store.writer.WriterStats) reported as gauges, summed over workers.
STORE_GAUGES = {
    "queued": "Exchanges and feedback waiting to be written to the store.",
    "written": "Items the store wrote since the server started.",
    "rejected": "Items the database refused as bad data since the server started (not retried).",
    "dropped": "Items lost since the server started: the queue was full, or shutdown gave up on them.",
    "failures": "Failed attempts to write a batch since the server started (each retried).",
    "degraded": "1 while the store is degraded (its last write failed or its queue is full), else 0.",
}
ANSWER_CACHE_GAUGES = {
    "hits": "Questions answered from the answer cache since the knowledge being served was loaded.",
    "misses": "Questions answered from scratch (then cached) since the knowledge being served was loaded.",
    "entries": "Answers in the answer cache (CRAMPBOT_ANSWER_CACHE bounds it).",
}
STORE_METRICS_SECONDS = 5.0  # how often each worker refreshes its store and cache figures between scrapes

disable_created_metrics()  # no `_created` series: start times are noise on a dashboard


class Metrics:
    """The app's metrics and what records them."""

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "crampbot_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=r,
        )  # fmt: skip
        self.ask_seconds = Histogram(
            "crampbot_ask_duration_seconds", "Time to answer one question, in seconds.", buckets=ASK_BUCKETS, registry=r
        )
        self.replies = Counter("crampbot_replies", "Replies to questions by kind.", ["kind"], registry=r)
        self.escalations = Counter(
            "crampbot_escalations", "Replies carrying escalation advice, by level.", ["level"], registry=r
        )
        self.knowledge = Gauge(
            "crampbot_knowledge_info", "1 for the knowledge version being served.", ["version"],
            registry=r, multiprocess_mode="liveall",
        )  # fmt: skip
        self.passages = Gauge(
            "crampbot_knowledge_passages", "Passages in the knowledge being served.",
            registry=r, multiprocess_mode="liveall",
        )  # fmt: skip
        self.reloads = Counter(
            "crampbot_reloads", "Knowledge reload attempts by result (rejected: a failed reload).", ["status"],
            registry=r,
        )  # fmt: skip
        self.rate_limited = Counter(
            "crampbot_rate_limited", "Requests refused by a rate limit, by limit.", ["limit"], registry=r
        )
        self.store = {
            name: Gauge(
                f"crampbot_store_{name}",
                help_text,
                registry=r,
                multiprocess_mode="livemax" if name == "degraded" else "livesum",
            )
            for name, help_text in STORE_GAUGES.items()
        }
        self.answer_cache = {
            name: Gauge(f"crampbot_answer_cache_{name}", help_text, registry=r, multiprocess_mode="livesum")
            for name, help_text in ANSWER_CACHE_GAUGES.items()
        }
        self.shared_store_failures = Counter(
            "crampbot_shared_store_failures",
            "Requests that went on without a failing shared store (Redis, the workers' SQLite), by use.", ["use"],
            registry=r,
        )  # fmt: skip
        self._version: str | None = None
        self._request_children: dict[tuple[str, str, int], Any] = {}

    # --- recording ------------------------------------------------------------------------------

    def request(self, route: str, method: str, status: int) -> None:
        key = (route, method, status)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = self.requests.labels(route, method, str(status))
        child.inc()

    def reply(self, reply: Reply, seconds: float) -> None:
        self.ask_seconds.observe(seconds)
        self.replies.labels(reply.kind).inc()
        if reply.escalation is not None:
            self.escalations.labels(reply.escalation.level).inc()

    def knowledge_served(self, bot: Bot) -> None:
        if self._version is not None and self._version != bot.version:
            self.knowledge.labels(self._version).set(0)  # a multiprocess file keeps old labels: zero it
            if not self.multiprocess:  # (prometheus-client cannot clear labels in multiprocess mode)
                self.knowledge.clear()
        self._version = bot.version
        self.knowledge.labels(bot.version).set(1)
        self.passages.set(len(bot.knowledge.passages))

    def reload_result(self, result: ReloadResult) -> None:
        self.reloads.labels(result.status).inc()

    def limited(self, limit: str) -> None:
        self.rate_limited.labels(limit).inc()

    def answer_cache_stats(self, stats: AnswerCacheStats) -> None:
        self.answer_cache["hits"].set(stats.hits)
        self.answer_cache["misses"].set(stats.misses)
        self.answer_cache["entries"].set(stats.entries)

    def store_stats(self, stats: WriterStats) -> None:
        """The store's figures as this process's writer counts them (since the server started)."""
        for name, gauge in self.store.items():
            gauge.set(float(getattr(stats, name)))

    def shared_store_failed(self, use: str) -> None:
        self.shared_store_failures.labels(use).inc()

    # --- serving --------------------------------------------------------------------------------

    def render(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)


class RequestMetrics:
    """Pure ASGI middleware: counts each HTTP response by route template, method and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            self.metrics.request(route_label(scope), scope["method"], status)


def route_label(scope: Scope) -> str:
    """The route template that took the request (`/api/ask`), a mount's path (`/docs-assets`), or
    `unmatched`: never the path itself, which a client chooses."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", UNMATCHED))
    if "endpoint" in scope:  # a mounted app: its root_path is the app's plus the mount's path
        return str(scope.get("root_path", ""))[len(scope.get("app_root_path", "")) :] or UNMATCHED
    return UNMATCHED


def mount_metrics(app: FastAPI, metrics: Metrics, path: str = "/metrics") -> None:
    """`GET /metrics`: the Prometheus text format (not in the OpenAPI schema: it is for the operator)."""

    @app.get(path, include_in_schema=False)
    async def prometheus_metrics(_: Request) -> Response:
        refresh_worker_metrics(app, metrics)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


def refresh_worker_metrics(app: FastAPI, metrics: Metrics) -> None:
    """This process's figures that are read rather than counted: the store's, the answer cache's."""
    store = getattr(app.state, "store", None)
    if store is not None:
        metrics.store_stats(store.stats)
    bot = getattr(app.state, "bot", None)
    if bot is not None:
        metrics.answer_cache_stats(bot.answer_cache)


async def keep_worker_metrics_fresh(app: FastAPI, metrics: Metrics) -> None:
    """Every few seconds, this process's read figures: with several workers a scrape reaches one,
    and the others' figures come from what they last wrote (a lifespan task)."""
    while True:
        refresh_worker_metrics(app, metrics)
        await asyncio.sleep(STORE_METRICS_SECONDS)
