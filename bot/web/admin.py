"""Admin routes: reload the knowledge without a restart. Mounted only when CRAMPBOT_ADMIN_TOKEN is set.

A bearer token, compared in constant time, guards them; with no token configured the routes do
not exist at all (404), so a default install exposes nothing that changes server state.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from bot.web.reload import KnowledgeHolder

PROBLEM_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "level": {"type": "string"},
            "file": {"type": "string"},
            "line": {"type": "integer"},
            "message": {"type": "string"},
        },
    },
}
RELOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["reloaded", "unchanged", "rejected"]},
        "version": {"type": "string"},
        "previous_version": {"type": "string"},
        "passages": {"type": "integer"},
        "seconds": {"type": "number"},
        "errors": PROBLEM_LIST,
        "warnings": PROBLEM_LIST,
    },
}


def get_holder(request: Request) -> KnowledgeHolder:
    holder: KnowledgeHolder = request.app.state.knowledge
    return holder


HolderDep = Annotated[KnowledgeHolder, Depends(get_holder)]  # module level: FastAPI resolves annotations here


def admin_router(token: str) -> APIRouter:
    expected = token.encode()

    def require_token(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(
                401, "send the admin token as 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
            )
        if not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(403, "wrong admin token")

    router = APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        dependencies=[Depends(require_token)],
        responses={401: {"description": "No bearer token"}, 403: {"description": "Wrong token"}},
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
    def reload(holder: HolderDep, force: bool = False) -> JSONResponse:
        """Check the folder, build the new index aside and swap it in; requests in flight finish on the old one.

        Runs in a worker thread, so the server keeps answering while it indexes.
        """
        result = holder.reload(force=force)
        return JSONResponse(result.to_dict(), status_code=200 if result.ok else 409)

    @router.get("/status", summary="The knowledge being served and the last reload attempt")
    def status(holder: HolderDep) -> dict[str, Any]:
        bot = holder.current
        last = holder.last_result
        return {
            "version": bot.version if bot else None,
            "passages": len(bot.knowledge.passages) if bot else 0,
            "changed_on_disk": holder.changed(),
            "last_reload": last.to_dict() if last else None,
        }

    return router
