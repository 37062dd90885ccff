"""The yardstick for bench/http_load.py: a bare one-route FastAPI app, served exactly as crampbot is.

    uvicorn bench.bare_app:app --port 8001

It answers `GET /api/health` with a small JSON object, as crampbot's health route does, through
FastAPI's routing, validation of the response model and JSON encoding, with no middleware.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Health(BaseModel):
    status: str
    version: str
    passages: int


app = FastAPI()


@app.get("/api/health", response_model=Health)
async def health() -> dict[str, object]:
    return {"status": "ok", "version": "0123456789ab", "passages": 99}
