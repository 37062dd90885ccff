"""Admin routes: reload the knowledge without a restart. Mounted only when CRAMPBOT_ADMIN_TOKEN is set.

A bearer token, compared in constant time, guards them; with no token configured the routes do
not exist at all (404), so a default install exposes nothing that changes server state. The
token is compared as bytes (UTF-8), so a non-ASCII token matches when the client sends it in
UTF-8. Failed authentications are rate limited per address (CRAMPBOT_ADMIN_AUTH_LIMIT): past the
limit every admin request from that address gets 429 before its token is even looked at.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from bot.settings import MIN_ADMIN_TOKEN_CHARS
from bot.web.rate_limit import RATE_LIMITED_RESPONSE, RateLimiter
from bot.web.reload import KnowledgeHolder
from bot.web.schemas import ValidationErrorResponse

PROBLEM_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "level": {"type": "string", "enum": ["error", "warning"], "description": "How serious it is."},
            "file": {"type": "string", "description": "The file, relative to the knowledge folder."},
            "line": {"type": "integer", "description": "The line in that file (0: the file as a whole)."},
            "message": {"type": "string", "description": "What is wrong, in words."},
        },
    },
}
RELOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {
            "type": "string",
            "enum": ["reloaded", "unchanged", "rejected"],
            "description": "`reloaded`: new knowledge is served; `unchanged`: nothing to do; "
            "`rejected`: the folder has errors and the last good knowledge is still served.",
        },
        "version": {"type": "string", "description": "The knowledge version served after this attempt."},
        "previous_version": {"type": "string", "description": "The knowledge version served before it."},
        "passages": {"type": "integer", "description": "Passages in the knowledge served after it."},
        "seconds": {"type": "number", "description": "How long the attempt took."},
        "errors": PROBLEM_LIST | {"description": "What stopped the reload (empty unless rejected)."},
        "warnings": PROBLEM_LIST | {"description": "What `crampbot check` finds worth a look."},
        "workers": {
            "type": ["object", "null"],
            "description": "Server processes serving `version` when the admin route answered (null when "
            "rejected, and for reloads by the file watcher).",
            "properties": {
                "serving": {"type": "integer", "description": "Processes serving `version`."},
                "total": {"type": "integer", "description": "Processes of this server."},
            },
        },
    },
}


def get_holder(request: Request) -> KnowledgeHolder:
    holder: KnowledgeHolder = request.app.state.knowledge
    return holder


HolderDep = Annotated[KnowledgeHolder, Depends(get_holder)]  # module level: FastAPI resolves annotations here


def admin_router(token: str) -> APIRouter:
    if len(token) < MIN_ADMIN_TOKEN_CHARS:  # settings refuse it first; this guards a Settings built by hand
        raise ValueError(f"the admin token must be at least {MIN_ADMIN_TOKEN_CHARS} characters long")
    expected = token.encode()

    async def require_token(request: Request) -> None:  # async: counted on the event loop, as asks are
        limiter: RateLimiter = request.app.state.rate_limiter
        client = limiter.address(request.scope)
        limiter.check("admin_auth", client)
        # Starlette decodes header bytes as Latin-1; encoding back gives the bytes the client sent.
        scheme, _, given = request.headers.get("authorization", "").encode("latin-1").partition(b" ")
        if scheme.lower() != b"bearer" or not given.strip():
            limiter.hit("admin_auth", client)
            raise HTTPException(
                401, "send the admin token as 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
            )
        if not hmac.compare_digest(given.strip(), expected):
            limiter.hit("admin_auth", client)
            raise HTTPException(403, "wrong admin token")

    router = APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        dependencies=[Depends(require_token)],
        responses={
            401: {"description": "No bearer token"},
            403: {"description": "Wrong token"},
            422: {"model": ValidationErrorResponse, "description": "A query parameter has a value it cannot take."},
            **RATE_LIMITED_RESPONSE,
        },
    )

    @router.post(
        "/reload",
        summary="Reload the knowledge folder without a restart",
        responses={
            200: {"description": "Reloaded, or unchanged", "content": {"application/json": {"schema": RELOAD_SCHEMA}}},
            409: {
                "description": "The knowledge has errors; the last good knowledge is still served",
                "content": {"application/json": {"schema": RELOAD_SCHEMA}},
            },
        },
    )
    def reload(
        holder: HolderDep,
        force: Annotated[bool, Query(description="Rebuild the index even if the knowledge did not change.")] = False,
    ) -> JSONResponse:
        """Check the folder, build the new index aside and swap it in; requests in flight finish on the old one.

        Runs in a worker thread, so the server keeps answering while it indexes. With several server
        workers (`crampbot serve --workers N`) it answers once every one of them serves the new
        version (or after 20 s; `workers` says how many do), so from then on none answers with the old.
        """
        result = holder.reload_everywhere(force=force)
        return JSONResponse(result.to_dict(), status_code=200 if result.ok else 409)

    @router.get("/status", summary="The knowledge being served and the last reload attempt")
    def status(holder: HolderDep) -> dict[str, Any]:
        """The version and passage count served, whether files changed on disk since the last load,
        and the result of the last reload attempt (null before the first)."""
        bot = holder.current
        last = holder.last_result
        return {
            "version": bot.version if bot else None,
            "passages": len(bot.knowledge.passages) if bot else 0,
            "changed_on_disk": holder.changed(),
            "last_reload": last.to_dict() if last else None,
        }

    return router
