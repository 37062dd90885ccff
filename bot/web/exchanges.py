"""The HTTP side of the store: each answered question recorded, and `POST /api/feedback`.

Recording only queues (bot.store.Store); the feedback route looks the exchange up and queues the
feedback. With `CRAMPBOT_DATABASE_URL=none` there is no store: replies still carry an id, and
feedback answers 404 since no exchange is kept.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Request, Response

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
            404: {"model": ErrorResponse, "description": "No exchange has this id (or nothing is stored)."},
            422: {"model": ValidationErrorResponse, "description": "A field is missing, mistyped or too long."},
            503: {"model": ErrorResponse, "description": "The database cannot be reached; retry later."},
        },
    )
    def feedback(body: FeedbackRequest, request: Request) -> Response:
        """Whether a reply helped (thumbs up or down, with an optional comment), for the maintainers'
        report. Sending it again for the same exchange replaces the earlier feedback."""
        store: Store | None = request.app.state.store
        try:
            known = store is not None and store.record_feedback(body.id, body.helpful, body.comment)
        except StoreUnavailable:
            raise HTTPException(503, "feedback cannot be stored right now", headers={"Retry-After": "30"}) from None
        if not known:
            raise HTTPException(404, "no exchange has this id")
        return Response(status_code=204)

    return router
