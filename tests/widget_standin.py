"""A stand-in for `bot.api.create_app` that speaks the `/api/ask` contract, for the widget's tests.

It exists so the widget can be built and tested before (and independently of) the real API; the
browser tests take their app from one factory, so moving them to the real app is a one-line
change there. Canned replies:

- a question containing "chest pain"   -> an emergency escalation (message appended to the answer)
- a question containing "swollen"      -> a doctor escalation
- a question containing "joke"         -> the fallback (matched=false) with suggestions
- "hi" / "hello" / "thanks"            -> small talk (matched=false, no passage)
- anything else                        -> a matched answer with bullet lines and a passage

Run it by hand to work on the widget: `python tests/widget_standin.py` (http://127.0.0.1:8000).
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from bot.web import mount_widget

MAX_QUESTION_CHARS = 1000

EMERGENCY_MESSAGE = (
    "Some of what you describe can be a medical emergency. Call your local emergency number "
    "(such as 911, 112 or 999) or go to the nearest emergency room now."
)
DOCTOR_MESSAGE = (
    "Please see a healthcare professional soon about this: leg cramps with swelling, redness or "
    "warmth can point to a more serious condition that needs to be checked."
)
SUGGESTIONS = [
    "What causes leg cramps at night?",
    "How can I stop a leg cramp?",
    "How can I prevent night leg cramps?",
]
PASSAGE = {
    "id": "night-cramps-qa-003",
    "question": "How can I relieve a leg cramp?",
    "source": "night-cramps-qa",
    "title": "Leg Cramps at Night: Causes, Pain Relief and Prevention",
}
ANSWER = (
    "Most night cramps ease within a few minutes. To relieve one:\n"
    "• Stretch the muscle: pull your toes up towards your knee.\n"
    "• Walk around or jiggle the leg.\n"
    "• Put a warm towel on the tight muscle.\n"
    "\n"
    "Regular calf stretches before bed can help prevent them."
)
FALLBACK = "I can help with questions about leg cramps, especially cramps at night. You could ask:"


def _reply(
    answer: str,
    *,
    matched: bool,
    passage: dict[str, str] | None = None,
    escalation: dict[str, Any] | None = None,
    suggestions: list[str] | None = None,
) -> dict[str, Any]:
    if escalation:
        answer = f"{answer}\n\n{escalation['message']}"
    return {
        "answer": answer,
        "matched": matched,
        "confidence": 0.8 if matched else 0.0,
        "passage": passage,
        "escalation": escalation,
        "suggestions": suggestions or [],
    }


def answer(question: str) -> dict[str, Any]:
    q = question.lower()
    escalation = None
    if "chest pain" in q:
        escalation = {"level": "emergency", "terms": ["chest pain"], "message": EMERGENCY_MESSAGE}
    elif "swollen" in q:
        escalation = {"level": "doctor", "terms": ["swelling"], "message": DOCTOR_MESSAGE}
    if "joke" in q:
        return _reply(FALLBACK, matched=False, escalation=escalation, suggestions=SUGGESTIONS)
    if q.strip(" !.?") in {"hi", "hello", "thanks", "thank you"}:
        return _reply("Hello! Ask me anything about leg cramps.", matched=False, suggestions=SUGGESTIONS)
    return _reply(ANSWER, matched=True, passage=PASSAGE, escalation=escalation)


def create_app() -> FastAPI:
    app = FastAPI(title="crampbot stand-in")
    origins = [o.strip() for o in os.environ.get("CRAMPBOT_CORS_ORIGINS", "").split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After"],
        )

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/ask")
    async def ask(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"detail": "Body is not valid JSON."}, status_code=422)
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str) or not question.strip():
            return JSONResponse({"detail": "'question' must be a non-empty string."}, status_code=422)
        if len(question) > MAX_QUESTION_CHARS:
            return JSONResponse({"detail": f"'question' is longer than {MAX_QUESTION_CHARS} characters."}, status_code=422)
        return JSONResponse(answer(question))

    mount_widget(app)
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
