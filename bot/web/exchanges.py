"""The HTTP side of the store: each answered question recorded, and `POST /api/feedback`.

Recording only queues (bot.store.Store); the feedback route looks the exchange up and queues the
feedback. With `CRAMPBOT_DATABASE_URL=none` there is no store: replies still carry an id, and
feedback answers 404 since no exchange is kept.

With several workers (or servers) on one database, feedback may reach a worker that did not answer
the question before the answering worker's writer has stored it (writes go in batches, up to
0.2 s apart). So an id found neither in this worker's queue nor in the database is looked up again,
every 0.1 s for up to `Store.unseen_wait` (1.2 s), before the route answers 404: waiting on the
event loop, each look-up in a thread. Answering never waits on this; only feedback on an id no one
made pays the wait, and the route is rate limited.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from bot.chat import Reply
from bot.store.records import ExchangeRecord
from bot.store.store import Store, StoreUnavailable
from bot.web.rate_limit import RATE_LIMITED_RESPONSE, rate_limited
from bot.web.schemas import ErrorResponse, FeedbackRequest, ValidationErrorResponse


def record_exchange(
    store: Store | None,
    reply: Reply,
    *,
    question: str,
    session: str | None,
    via: str | None,
    version: str,
    started: float,
) -> None:
    """Queue the exchange (never waits on the database); `started` is the `time.perf_counter()` of its arrival."""
    if store is None:
        return
    latency_ms = (time.perf_counter() - started) * 1000
    store.record(
        ExchangeRecord.of(reply, question=question, session=session, version=version, latency_ms=latency_ms, via=via)
    )


def feedback_router() -> APIRouter:
    router = APIRouter()

    @router.post(
        "/api/feedback",
        status_code=204,
        summary="Say whether a reply helped",
        dependencies=[rate_limited("feedback")],  # bot.web.rate_limit: CRAMPBOT_RATE_LIMIT per client
        responses={
            **RATE_LIMITED_RESPONSE,
            404: {
                "model": ErrorResponse,
                "description": "No exchange has this id (or nothing is stored). Said after looking for "
                "about a second, since another worker may not have written the exchange yet.",
            },
            422: {"model": ValidationErrorResponse, "description": "A field is missing, mistyped or too long."},
            503: {"model": ErrorResponse, "description": "The database cannot be reached; retry later."},
        },
    )
    async def feedback(body: FeedbackRequest, request: Request) -> Response:
        """Whether a reply helped (thumbs up or down, with an optional comment), for the maintainers'
        report. Sending it again for the same exchange replaces the earlier feedback."""
        store: Store | None = request.app.state.store
        if store is None or not await _record_feedback(store, body):
            raise HTTPException(404, "no exchange has this id")
        return Response(status_code=204)

    return router


LOOK_AGAIN_SECONDS = 0.1


async def _record_feedback(store: Store, body: FeedbackRequest) -> bool:
    """Queue the feedback; False when its exchange is still unknown after `store.unseen_wait` (it
    may have been answered by another worker whose writer has not stored it yet)."""
    deadline = time.monotonic() + store.unseen_wait
    while True:
        try:
            if await run_in_threadpool(store.record_feedback, body.id, body.helpful, body.comment):
                return True
        except StoreUnavailable:
            raise HTTPException(503, "feedback cannot be stored right now", headers={"Retry-After": "30"}) from None
        if time.monotonic() + LOOK_AGAIN_SECONDS > deadline:
            return False
        await asyncio.sleep(LOOK_AGAIN_SECONDS)
