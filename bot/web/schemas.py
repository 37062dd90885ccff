"""The HTTP API's request and response models (pydantic): the public contract in one place."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, create_model, field_validator
from pydantic_core import PydanticCustomError

from bot.store.records import EXCHANGE_ID_PATTERN

_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(value: str) -> str:
    """JSON may spell a lone surrogate (`"\\ud800"`); it is no character and cannot be UTF-8 encoded."""
    bad = _SURROGATE.search(value)
    if bad:
        raise PydanticCustomError(
            "unicode_invalid",
            "contains a lone surrogate (U+{code}) at character {position}: not valid Unicode text",
            {"code": f"{ord(bad.group()):04X}", "position": bad.start() + 1},
        )
    return value


Q = TypeVar("Q", bound="QuestionRequest")

DISCLAIMER = "crampbot gives general information from health articles. It is not medical advice and not a diagnosis."


class QuestionRequest(BaseModel):
    """A message and, optionally, its conversation: what `/api/ask` and `/api/staff/explain` read."""

    model_config = ConfigDict(extra="ignore")

    question: StrictStr = Field(
        description="The user's message (see `ask_request_model` for its length limits).",
        examples=["What causes leg cramps at night?"],
    )
    session_id: StrictStr | None = Field(
        default=None,
        max_length=200,
        description="An opaque id for the conversation. With one, crampbot reads follow-ups with the "
        "conversation's topic and keeps any escalation for the rest of it; without one, each question "
        "is answered on its own. Only a salted hash of it is kept: in memory, forgotten when idle, and with "
        "each stored exchange (the salt is never stored).",
    )

    @field_validator("question")
    @classmethod
    def question_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must contain some text")
        return value

    @field_validator("question", "session_id", mode="before")
    @classmethod
    def valid_unicode(cls, value: Any) -> Any:
        """Before the type check, which would say only "unable to parse raw data as a unicode string"."""
        return _valid_unicode(value) if isinstance(value, str) else value


class AskRequest(QuestionRequest):
    via: Literal["suggestion"] | None = Field(
        default=None,
        description="`suggestion` when the question is a suggestion the user clicked: the store links it to "
        "the session's previous exchange, so a fallback followed by a chosen suggestion shows which passage "
        "the user meant.",
    )


class PassageOut(BaseModel):
    id: str = Field(description="The passage id, as `crampbot passages` lists it (`article-key.slug`).")
    question: str = Field(description="The question the passage answers.")
    source: str = Field(description="The file in `knowledge/` the passage comes from.")
    title: str = Field(description="The title of the article it comes from, to show as its source.")


class EscalationOut(BaseModel):
    level: Literal["emergency", "doctor"] = Field(description="`emergency`: call the local emergency number now.")
    terms: list[str] = Field(description="The red flags found, most urgent first.")
    message: str = Field(description="The advice to show, prominently.")
    from_earlier: bool = Field(
        default=False,
        description="True when an earlier message of the same session raised it: once a red flag is seen, "
        "every later reply in that conversation keeps the most urgent escalation.",
    )


class AskResponse(BaseModel):
    answer: str = Field(description="The full text to show, escalation advice included.")
    matched: bool = Field(description="True when the answer is a passage from the knowledge base.")
    confidence: float = Field(
        ge=0.0, le=1.0, description="How well the best passage matches, 0 to 1; below the threshold it falls back."
    )
    passage: PassageOut | None = Field(description="The passage answered from, or null when none was.")
    escalation: EscalationOut | None = Field(description="Present when the message contains red-flag terms.")
    suggestions: list[str] = Field(description="Other questions the bot can answer.")
    not_covered: list[str] = Field(
        default_factory=list,
        description="What the question asks about that the articles never mention, as the user typed it. "
        "When it is not empty the answer says so: with `matched: false` nothing was answered; "
        "with `matched: true` the passage answers only the rest of the question.",
    )
    summary: str = Field(
        description="The answer in short: its first complete sentences (never cut inside one, about 300 "
        "characters at most), without the escalation advice. Show it first, the full `answer` on request.",
    )
    kind: Literal["answer", "fallback", "smalltalk", "not_covered", "other_topic"] = Field(
        description="`answer`: from a passage; `fallback`: no good passage (suggestions follow); `smalltalk`; "
        "`not_covered`: asks about something the articles never mention; `other_topic`: another kind of cramp, "
        "or a child (the articles are about adults' leg cramps).",
    )
    context_used: bool = Field(
        description="True when the message was read as a follow-up of the conversation (same `session_id`): "
        '"and how do I prevent them?" after "what causes leg cramps at night?".',
    )
    id: str | None = Field(
        description="An opaque id of this exchange: send it with feedback (`POST /api/feedback`). Always "
        "present over HTTP; null from `crampbot ask --json`, which stores nothing.",
    )


class HealthResponse(BaseModel):
    status: Literal["ok"] = Field(description="Answering: the knowledge is loaded.")
    version: str = Field(description="The knowledge version: a hash of the knowledge folder.")
    passages: int = Field(description="How many passages the bot can answer with.")
    store: Literal["ok", "degraded", "off"] = Field(
        description="Storing exchanges and feedback: `ok`; `degraded` while the database cannot be written "
        "(answers go on; exchanges wait in a bounded queue and are retried); `off` when "
        "`CRAMPBOT_DATABASE_URL` is `none`.",
    )


MAX_COMMENT_CHARS = 500


class FeedbackRequest(BaseModel):
    """Whether a reply helped. Sending it again for the same exchange replaces the earlier one."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr = Field(
        pattern=EXCHANGE_ID_PATTERN,
        description="The `id` of the reply, as `POST /api/ask` returned it (32 hexadecimal digits).",
    )
    helpful: StrictBool = Field(description="True for a helpful reply (thumbs up), false for not helpful.")
    comment: StrictStr | None = Field(
        default=None,
        max_length=MAX_COMMENT_CHARS,
        description=f"What was wrong or missing, at most {MAX_COMMENT_CHARS} characters. Emails, phone "
        "numbers, dates and long digit runs are removed before it is stored.",
    )


def ask_request_model(max_chars: int, base: type[Q] = AskRequest) -> type[Q]:  # type: ignore[assignment]
    """AskRequest (or another QuestionRequest) with the configured length limits, so the OpenAPI
    schema states the real ones (`minLength`, `maxLength`) and validation enforces them: one limit,
    from the settings."""
    question: Any = (
        Annotated[StrictStr, Field(min_length=1, max_length=max_chars)],
        Field(
            description=f"The user's message: 1 to {max_chars} characters, not only spaces.",
            examples=["What causes leg cramps at night?"],
        ),
    )
    return create_model(base.__name__, __base__=base, question=question)


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description='Where the problem is: ["body", "question"].')
    msg: str = Field(description="What is wrong, in words.")
    type: str = Field(description="A machine-readable kind, such as `string_too_long` or `json_invalid`.")


class ValidationErrorResponse(BaseModel):
    detail: list[ValidationIssue] = Field(description="Every problem found in the request.")
    error: str = Field(description="The same problems as one sentence, to show a person.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="What went wrong.")
    error: str | None = Field(default=None, description="The same, to show a person.")


class ConfigResponse(BaseModel):
    """What a client (the widget) needs to know to talk to this server, instead of keeping copies."""

    max_question_chars: int = Field(description="The longest question the API accepts, in characters.")
    min_question_chars: int = Field(description="The shortest question the API accepts, in characters.")
    max_comment_chars: int = Field(
        default=MAX_COMMENT_CHARS, description="The longest feedback comment the API accepts, in characters."
    )
    starter_questions: list[str] = Field(description="Questions to offer before the first message.")
    disclaimer: str = Field(description="The note to keep visible: general information, not medical advice.")
    version: str = Field(description="crampbot's version.")
