"""The HTTP API's request and response models (pydantic): the public contract in one place."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

DISCLAIMER = "crampbot gives general information from health articles. It is not medical advice and not a diagnosis."


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: StrictStr = Field(
        description="The user's message, 1 to 1000 characters.", examples=["What causes leg cramps at night?"]
    )
    session_id: StrictStr | None = Field(
        default=None, max_length=200, description="An opaque id for the conversation, if the client keeps one."
    )

    @field_validator("question")
    @classmethod
    def question_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must contain some text")
        return value


class PassageOut(BaseModel):
    id: str
    question: str
    source: str
    title: str


class EscalationOut(BaseModel):
    level: Literal["emergency", "doctor"]
    terms: list[str]
    message: str


class AskResponse(BaseModel):
    answer: str = Field(description="The full text to show, escalation advice included.")
    matched: bool = Field(description="True when the answer is a passage from the knowledge base.")
    confidence: float = Field(ge=0.0, le=1.0)
    passage: PassageOut | None
    escalation: EscalationOut | None = Field(description="Present when the message contains red-flag terms.")
    suggestions: list[str] = Field(description="Other questions the bot can answer.")
    not_covered: list[str] = Field(
        default_factory=list,
        description="What the question asks about that the articles never mention, as the user typed it. "
        "When it is not empty the answer says so: with `matched: false` nothing was answered; "
        "with `matched: true` the passage answers only the rest of the question.",
    )


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str = Field(description="The knowledge version: a hash of the knowledge folder.")
    passages: int
