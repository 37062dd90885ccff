"""Read-only routes for support staff: why a user got a reply, the report, the stored exchanges.

Mounted when CRAMPBOT_STAFF_TOKEN or CRAMPBOT_ADMIN_TOKEN is set; both tokens are admitted
(bot.web.auth), and none of these routes changes anything: explain reads a conversation without
touching it and stores nothing. Routes that read the store answer 503 when there is none
(CRAMPBOT_DATABASE_URL=none) or it cannot be reached, never 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, SQLAlchemyError

from bot.chat import Bot
from bot.conversation.sessions import SessionStore, SessionsUnavailable, session_key
from bot.evaluation.explain import explain
from bot.store.browse import CursorError, get_exchange, list_exchanges
from bot.store.records import EXCHANGE_ID_PATTERN
from bot.store.report import PeriodError, build_report, parse_moment
from bot.store.store import Store, StoreUnavailable
from bot.web.auth import AUTH_RESPONSES, Role, bearer_guard
from bot.web.schemas import ErrorResponse, ValidationErrorResponse, ask_request_model
from bot.web.staff_schemas import ExchangeOut, ExchangePage, ExplainRequest, ExplainResponse, Kind, ReportResponse

MAX_PAGE = 200
NO_STORE = "nothing is stored on this server (CRAMPBOT_DATABASE_URL=none)"
STORE_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorResponse,
        "description": "Nothing is stored (`CRAMPBOT_DATABASE_URL=none`), or the database cannot be reached "
        "right now (then with `Retry-After`).",
    }
}


def _moment(name: str, value: str | None) -> datetime | None:
    """A `since`/`until` value, or a 422 in the API's usual shape naming the parameter."""
    if value is None:
        return None
    try:
        return parse_moment(value)
    except PeriodError as exc:
        raise RequestValidationError([{"loc": ("query", name), "msg": str(exc), "type": "value_error"}]) from None


def _reader(request: Request) -> Engine:
    store: Store | None = request.app.state.store
    if store is None:
        raise HTTPException(503, NO_STORE)
    try:
        return store.reader()
    except StoreUnavailable:
        raise _unavailable() from None


def _unavailable() -> HTTPException:
    return HTTPException(503, "the database cannot be read right now", headers={"Retry-After": "30"})


def _read_failed(exc: SQLAlchemyError, *where: str) -> Exception:
    """What a failed read answers: 422 when the database refused a value the request gave (a
    DataError: the request's fault, retrying cannot help), else 503 with Retry-After."""
    if isinstance(exc, DataError):
        message = "a value the database cannot take"
        return RequestValidationError([{"loc": where, "msg": message, "type": "value_error"}])
    return _unavailable()


ReaderDep = Annotated[Engine, Depends(_reader)]
SINCE = Query(description="Start of the period: `7d`, `12h`, `2w` (that long ago) or a date (`2026-12-01`, UTC).")
UNTIL = Query(description="End of the period (default: now), in the same forms as `since`.")


def staff_router(tokens: Mapping[Role, bytes], max_question_chars: int) -> APIRouter:
    """The staff routes, admitting the staff and the admin token."""
    guard = bearer_guard(tokens, frozenset({"staff", "admin"}), "the staff or admin token")
    router = APIRouter(
        prefix="/api/staff",
        tags=["staff"],
        dependencies=[Depends(guard)],
        responses={
            **AUTH_RESPONSES,
            422: {"model": ValidationErrorResponse, "description": "A parameter has a value it cannot take."},
        },
    )

    async def explain_route(body: ExplainRequest, request: Request) -> dict[str, Any]:  # CPU-bound, under 1 ms
        """The reply a user would get to this question and the evidence behind it (what `crampbot ask
        --explain` prints). With `session_id`, the question is read in that conversation as the user's
        next message would be; the conversation is not changed, and nothing is stored."""
        bot: Bot | None = request.app.state.bot
        if bot is None:
            raise HTTPException(503, "crampbot is starting, try again in a moment", headers={"Retry-After": "1"})
        found = None
        conversation = None
        if body.session_id:
            sessions: SessionStore = request.app.state.sessions
            with suppress(SessionsUnavailable):  # a shared store that is down: read as a new conversation
                conversation = sessions.peek(session_key(body.session_id, request.app.state.session_salt))
            found = conversation is not None
        reply = bot.ask(body.question, conversation)
        return {
            "reply": reply.to_dict(),
            "explain": explain(reply, bot.retriever.config, bot.version),
            "session_found": found,
        }

    explain_route.__annotations__["body"] = ask_request_model(max_question_chars, ExplainRequest)
    router.post(
        "/explain",
        response_model=ExplainResponse,
        summary="Why a question gets the reply it gets",
        responses={503: {"model": ErrorResponse, "description": "crampbot is starting."}},
    )(explain_route)

    @router.get("/report", response_model=ReportResponse, summary="The report's JSON", responses=STORE_RESPONSES)
    def report(request: Request, engine: ReaderDep, since: Annotated[str, SINCE] = "7d") -> dict[str, Any]:
        """What `crampbot report --json` prints for the period: volume per day, kinds, escalations,
        feedback, unanswered questions grouped by meaning (with the nearest passage), declined ones (with
        what they name that no article mentions), suggestion clicks."""
        start = _moment("since", since)
        assert start is not None
        bot: Bot | None = request.app.state.bot
        try:
            return build_report(
                engine, start, nearest=bot.nearest if bot else None, uncovered=bot.uncovered if bot else None
            )
        except SQLAlchemyError as exc:
            raise _read_failed(exc, "query", "since") from None

    @router.get("/exchanges", response_model=ExchangePage, summary="Stored exchanges, newest first, a page at a time",
                responses=STORE_RESPONSES)  # fmt: skip
    def exchanges(
        engine: ReaderDep,
        since: Annotated[str, SINCE] = "7d",
        until: Annotated[str | None, UNTIL] = None,
        kind: Annotated[Kind | None, Query(description="Only exchanges of this kind (`fallback`: unanswered).")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Exchanges per page, 1 to {MAX_PAGE}.")] = 50,
        cursor: Annotated[
            str | None, Query(max_length=200, description="`next_cursor` of the previous page; absent for the first.")
        ] = None,
    ) -> dict[str, Any]:
        """The exchanges of the period (of one kind, if asked), newest first, each with its feedback.
        Paged by cursor: pass the page's `next_cursor` as `cursor` for the next one, with the same
        other parameters; exchanges stored meanwhile never shift a page."""
        start = _moment("since", since)
        assert start is not None
        try:
            page = list_exchanges(
                engine, since=start, until=_moment("until", until), kind=kind, limit=limit, cursor=cursor
            )
        except CursorError as exc:
            raise RequestValidationError(
                [{"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error"}]
            ) from None
        except SQLAlchemyError as exc:
            raise _read_failed(exc, "query") from None
        return {"exchanges": page.exchanges, "next_cursor": page.next_cursor}

    @router.get(
        "/exchanges/{exchange_id}",
        response_model=ExchangeOut,
        summary="One stored exchange, with its feedback",
        responses={**STORE_RESPONSES, 404: {"model": ErrorResponse, "description": "No exchange has this id."}},
    )
    def exchange(
        engine: ReaderDep,
        exchange_id: Annotated[
            str, Path(pattern=EXCHANGE_ID_PATTERN, description="The exchange id (`id` of the reply).")
        ],
    ) -> dict[str, Any]:
        """One exchange as stored (the question redacted), with the feedback given on it."""
        try:
            found = get_exchange(engine, exchange_id)
        except SQLAlchemyError as exc:
            raise _read_failed(exc, "path", "exchange_id") from None
        if found is None:
            raise HTTPException(404, "no exchange has this id")
        return found

    return router
