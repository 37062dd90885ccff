"""create_app(settings): the HTTP API. Handlers stay thin; the work is in `bot.chat`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot import __version__
from bot.chat import Bot, retriever_config
from bot.conversation.sessions import ask_in_session, session_key
from bot.settings import Settings, get_settings
from bot.store.records import new_exchange_id
from bot.store.store import Store
from bot.web.access_log import hide_client_addresses
from bot.web.admin import admin_router
from bot.web.auth import tokens_of
from bot.web.body_limit import BodyLimit
from bot.web.check_aside import check_aside as check_folder_aside
from bot.web.docs import mount_docs
from bot.web.errors import unreadable_body
from bot.web.exchanges import feedback_router, record_exchange
from bot.web.generation import Generation
from bot.web.json_response import FastJSONResponse
from bot.web.metrics import Metrics, RequestMetrics, keep_worker_metrics_fresh, mount_metrics
from bot.web.pages import mount_widget
from bot.web.rate_limit import RATE_LIMITED_RESPONSE, install_rate_limits, rate_limited
from bot.web.reload import KnowledgeHolder
from bot.web.request_log import RequestLog
from bot.web.schemas import (
    DISCLAIMER,
    MAX_COMMENT_CHARS,
    AskRequest,
    AskResponse,
    ConfigResponse,
    ErrorResponse,
    HealthResponse,
    ValidationErrorResponse,
    ask_request_model,
)
from bot.web.security import SecurityHeaders
from bot.web.shared import Conversations, conversations_for
from bot.web.staff import staff_router

log = logging.getLogger(__name__)

DESCRIPTION = f"""Answers questions about leg cramps, especially night cramps, from a curated knowledge base.

**{DISCLAIMER}** Replies to messages that mention red-flag symptoms (chest pain, fainting, a
swollen red leg...) always carry escalation advice: call your local emergency number (such as
911, 112 or 999) in an emergency, otherwise see a healthcare professional.
"""


# FastAPI's own OpenTelemetry instrumentation, off: crampbot's figures are its Prometheus metrics
# (/metrics) and its access log, and deciding per request whether any OpenTelemetry provider is set
# cost the health route 8% of its time (bench/http_load.md).
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
STORE_SHUTDOWN_SECONDS = 10.0  # how long shutdown may spend writing queued exchanges


class NotReady(Exception):
    """The knowledge base is still loading."""


def ready_bot(app: FastAPI) -> Bot:
    """The Bot being served, or NotReady (503) while the knowledge loads. Called by the handlers
    themselves rather than declared as a FastAPI dependency: solving one costs about 20 us a request,
    a sixth of what the health route costs in all (bench/http_load.md)."""
    bot: Bot | None = getattr(app.state, "bot", None)
    if bot is None:
        raise NotReady()
    return bot


def create_app(
    settings: Settings | None = None,
    bot: Bot | None = None,
    *,
    generation: Generation | None = None,
    conversations: Conversations | None = None,
    check_aside: bool = False,
) -> FastAPI:
    """Build the app. The bot is loaded once at start-up unless one is passed in (tests).

    `generation` is the stamp the workers of one server share (`crampbot serve --workers N`): a
    reload in this worker is published there, and one published by another is followed here.
    `conversations` is where conversations live: by default in Redis with CRAMPBOT_SHARED_URL, in
    the run folder of the generation's server with several workers, else in memory (bot.web.shared).
    `check_aside`: reloads check the folder in a child process (bot.web.check_aside), as `crampbot
    serve` wants; in this thread otherwise.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "bot", None) is None:
            app.state.knowledge.load()  # sets app.state.bot
            log.info("knowledge %s loaded: %d passages", app.state.bot.version, len(app.state.bot.knowledge.passages))
        # --- live reload: poll knowledge/ when CRAMPBOT_RELOAD_INTERVAL > 0 (bot.reload) ---
        watcher = (
            asyncio.create_task(app.state.knowledge.watch(settings.reload_interval))
            if settings.reload_interval > 0
            else None
        )
        follower = asyncio.create_task(app.state.knowledge.follow()) if generation is not None else None
        if app.state.store is not None:
            app.state.store.start()  # sets up the schema in its own thread: start-up never waits on it
        worker_metrics = asyncio.create_task(keep_worker_metrics_fresh(app, metrics))
        yield
        for task in (watcher, follower, worker_metrics):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        # --- end live reload ---
        if app.state.store is not None:  # graceful shutdown (SIGTERM): write what is queued
            await asyncio.to_thread(app.state.store.close, STORE_SHUTDOWN_SECONDS)
        app.state.conversations.close()

    app = FastAPI(
        title="crampbot",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by mount_docs, with local assets
        redoc_url=None,
        telemetry=NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.bot = bot
    hide_client_addresses()  # bot.web.access_log: no raw client address in uvicorn's access log
    app.state.metrics = metrics = Metrics()
    if bot is not None:
        metrics.knowledge_served(bot)
    install_rate_limits(app, settings, on_limited=metrics.limited, on_failure=metrics.shared_store_failed)

    def publish(new: Bot) -> None:
        app.state.bot = new
        metrics.knowledge_served(new)

    app.state.store = Store.from_settings(settings)  # None with CRAMPBOT_DATABASE_URL=none (bot.store)
    # --- live reload (bot.reload): the holder swaps app.state.bot; the admin routes (below) need a token ---
    app.state.knowledge = KnowledgeHolder(
        settings.knowledge,
        bot,
        config=retriever_config(settings),
        publish=publish,
        on_result=metrics.reload_result,
        generation=generation,
        check=check_folder_aside if check_aside else None,
    )
    # --- end live reload ---
    # Room for a question of the longest allowed length in any script (4 bytes a character in
    # UTF-8, more with JSON escapes) and a session id; anything larger is refused unread.
    app.add_middleware(BodyLimit, max_bytes=16_384 + 12 * settings.max_question_chars)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After", "X-Request-ID"],
        )
    app.add_middleware(SecurityHeaders)  # bot.web.security: nosniff, no referrer, a CSP unless the page sets one
    app.add_middleware(RequestMetrics, metrics=metrics)  # counts every response, 413s included
    app.add_middleware(RequestLog)  # outermost: a request id for every line a request logs, and its access line

    @app.exception_handler(NotReady)
    async def not_ready(_: Request, __: NotReady) -> JSONResponse:
        return JSONResponse(
            {"detail": "crampbot is starting, try again in a moment"}, status_code=503, headers={"Retry-After": "1"}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error", "error": "internal error, please try again"}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _unprocessable(
            [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and request.url.path.startswith("/api/"):
            # A body FastAPI could not read never reaches validation; answer it like any invalid JSON,
            # saying why (bytes that are not UTF-8, JSON nested too deeply).
            return _unprocessable([unreadable_body(exc.__cause__)])
        return JSONResponse(
            {"detail": exc.detail, "error": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    # Conversations by session id, hashed with a salt (no raw id is kept): the staff explain route reads them too
    if conversations is None:
        run_dir = generation.folder if generation is not None else None
        conversations = conversations_for(settings, run_dir, on_failure=metrics.shared_store_failed)
    app.state.conversations = conversations
    app.state.sessions, app.state.session_salt = sessions, salt = conversations.store, conversations.salt

    async def ask(body: AskRequest) -> FastJSONResponse:  # CPU-bound, under 1 ms: on the loop (2x)
        """The answer from the knowledge base, or a fallback with suggestions; with escalation advice
        whenever the message mentions a red-flag symptom. Send the same `session_id` with every message
        of a conversation to have follow-ups read with its topic."""
        bot = ready_bot(app)
        key = session_key(body.session_id, salt) if body.session_id else None
        started = time.perf_counter()
        reply = ask_in_session(bot, sessions, key, body.question, new_exchange_id())
        metrics.reply(reply, time.perf_counter() - started)
        record_exchange(
            app.state.store, reply, question=body.question, session=key, via=body.via, version=bot.version,
            started=started,
        )  # fmt: skip
        return FastJSONResponse(
            reply.to_dict()
        )  # already AskResponse's shape (tests/test_schemas.py): not validated again

    # The request model carries the configured limits, so validation and the schema state the same ones.
    ask.__annotations__["body"] = ask_request_model(settings.max_question_chars)
    app.post(
        "/api/ask",
        response_model=AskResponse,
        summary="Ask crampbot a question",
        dependencies=[rate_limited("ask")],  # bot.web.rate_limit: CRAMPBOT_RATE_LIMIT per client
        responses={
            413: {"model": ErrorResponse, "description": "The body is too large to be a question; refused unread."},
            422: {
                "model": ValidationErrorResponse,
                "description": "Missing, empty, non-text or too long question, or a body that is not JSON.",
            },
            **RATE_LIMITED_RESPONSE,
            503: {"model": ErrorResponse, "description": "crampbot is starting; retry after `Retry-After` seconds."},
        },
    )(ask)

    @app.get(
        "/api/health",
        response_model=HealthResponse,
        summary="Ready check",
        responses={503: {"model": ErrorResponse, "description": "crampbot is starting."}},
    )
    async def health() -> FastJSONResponse:
        """200 once the knowledge is loaded and crampbot answers (with the store's state); 503 while it is starting."""
        bot = ready_bot(app)
        store = app.state.store.status if app.state.store is not None else "off"
        # HealthResponse's shape (tests/test_api.py checks it), sent as is: load balancers probe often
        return FastJSONResponse(
            {"status": "ok", "version": bot.version, "passages": len(bot.knowledge.passages), "store": store}
        )

    app.head(  # load balancers probe with HEAD: the same answer without its body
        "/api/health",
        response_model=HealthResponse,
        summary="Ready check, without the body",
        responses={503: {"description": "crampbot is starting."}},
    )(health)

    @app.get(
        "/api/config",
        response_model=ConfigResponse,
        summary="What clients need to know: limits, starter questions, disclaimer",
        responses={503: {"model": ErrorResponse, "description": "crampbot is starting."}},
    )
    async def config() -> dict[str, Any]:
        """The question and comment length limits, starter questions and disclaimer, for a client to use
        instead of copies."""
        bot = ready_bot(app)
        return {
            "max_question_chars": settings.max_question_chars,
            "min_question_chars": 1,
            "max_comment_chars": MAX_COMMENT_CHARS,
            "starter_questions": list(bot.knowledge.messages.starter_questions),
            "disclaimer": DISCLAIMER,
            "version": __version__,
        }

    # Routes are matched in the order they are added: the ones called most often come first.
    app.include_router(feedback_router())
    tokens = tokens_of(settings.admin_token, settings.staff_token)  # bot.web.auth: one guard, two roles
    if "admin" in tokens:
        app.include_router(admin_router(tokens))
    if tokens:
        app.include_router(staff_router(tokens, settings.max_question_chars))
    mount_widget(app)
    mount_docs(app)
    mount_metrics(app, metrics)
    return app


def _unprocessable(errors: list[dict[str, Any]]) -> JSONResponse:
    def where(error: dict[str, Any]) -> str:
        if error["type"] == "json_invalid":  # its loc holds a character offset, not a field
            return "body"
        return ".".join(str(p) for p in error["loc"][1:]) or "body"

    summary = "; ".join(f"{where(e)}: {e['msg']}" for e in errors)
    return JSONResponse({"detail": errors, "error": summary or "invalid request"}, status_code=422)
