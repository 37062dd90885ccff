"""Admin routes: reload the knowledge without a restart. Mounted only when CRAMPBOT_ADMIN_TOKEN is set.

The admin bearer token guards them (bot.web.auth: constant-time compare, failed authentications
rate limited per address); the staff token gets 403 here. With no admin token configured the
routes do not exist at all (404), so a default install exposes nothing that changes server state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from bot.web.auth import AUTH_RESPONSES, Role, bearer_guard
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


def admin_router(tokens: Mapping[Role, bytes]) -> APIRouter:
    """The admin routes, admitting the admin token only (a staff token gets 403: it cannot reload)."""
    require_token = bearer_guard(tokens, frozenset({"admin"}), "the admin token")
    router = APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        dependencies=[Depends(require_token)],
        responses={
            **AUTH_RESPONSES,
            422: {"model": ValidationErrorResponse, "description": "A query parameter has a value it cannot take."},
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
