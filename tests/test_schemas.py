"""`bot.web.schemas`: the request and response models that make up the API's public contract."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bot.chat import Bot
from bot.web.app import DESCRIPTION
from bot.web.schemas import DISCLAIMER, AskRequest, AskResponse, EscalationOut, HealthResponse, PassageOut

PASSAGE = {"id": "faq.quinine", "question": "Is quinine safe?", "source": "faq/quinine.md", "title": "FAQ"}
ESCALATION = {"level": "doctor", "terms": ["swollen leg"], "message": "See a doctor."}


def reply(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "answer": "Stretch the calf.",
        "matched": True,
        "confidence": 0.8,
        "passage": PASSAGE,
        "escalation": None,
        "suggestions": ["What causes leg cramps?"],
        "summary": "Stretch the calf.",
        "kind": "answer",
        "context_used": False,
        "id": "0123456789abcdef0123456789abcdef",
    }
    return base | changes


def errors(model: type[BaseModel], data: object) -> list[tuple[str, tuple[int | str, ...]]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(e["type"], e["loc"]) for e in caught.value.errors()]


# --- AskRequest ---------------------------------------------------------------------------------


def test_a_question_is_kept_as_written() -> None:
    request = AskRequest.model_validate({"question": "  Why do my legs cramp?  "})
    assert request.question == "  Why do my legs cramp?  "
    assert request.session_id is None


@pytest.mark.parametrize("question", ["", " ", "\n\t  ", "\u00a0"])
def test_an_empty_or_blank_question_is_refused(question: str) -> None:
    with pytest.raises(ValidationError, match="question must contain some text"):
        AskRequest.model_validate({"question": question})


def test_a_missing_question_is_refused() -> None:
    assert errors(AskRequest, {"session_id": "abc"}) == [("missing", ("question",))]


@pytest.mark.parametrize("question", [5, 1.5, True, None, ["why"], {"text": "why"}, b"why"])
def test_a_question_that_is_not_a_string_is_refused_not_coerced(question: object) -> None:
    assert errors(AskRequest, {"question": question}) == [("string_type", ("question",))]


def test_json_numbers_are_not_coerced_to_strings_either() -> None:
    with pytest.raises(ValidationError, match="valid string"):
        AskRequest.model_validate_json('{"question": 42}')


def test_extra_fields_are_ignored() -> None:
    request = AskRequest.model_validate({"question": "why?", "lang": "en", "user": {"id": 1}})
    assert request.model_dump() == {"question": "why?", "session_id": None, "via": None}


def test_session_id_up_to_200_characters_is_accepted() -> None:
    assert AskRequest.model_validate({"question": "why?", "session_id": "s" * 200}).session_id == "s" * 200


def test_session_id_over_200_characters_is_refused() -> None:
    assert errors(AskRequest, {"question": "why?", "session_id": "s" * 201}) == [("string_too_long", ("session_id",))]


@pytest.mark.parametrize("session_id", [123, 1.0, False, ["abc"]])
def test_session_id_must_be_a_string(session_id: object) -> None:
    assert errors(AskRequest, {"question": "why?", "session_id": session_id}) == [("string_type", ("session_id",))]


def test_session_id_may_be_null() -> None:
    assert AskRequest.model_validate_json('{"question": "why?", "session_id": null}').session_id is None


def test_the_question_length_is_left_to_the_app_setting() -> None:
    assert len(AskRequest.model_validate({"question": "w" * 5000}).question) == 5000


def test_the_request_schema_documents_the_question() -> None:
    schema = AskRequest.model_json_schema()
    assert schema["required"] == ["question"]
    assert schema["properties"]["question"]["examples"] == ["What causes leg cramps at night?"]


# --- AskResponse and its parts -------------------------------------------------------------------


def test_ask_response_fields_are_the_public_contract() -> None:
    assert list(AskResponse.model_fields) == [
        "answer",
        "matched",
        "confidence",
        "passage",
        "escalation",
        "suggestions",
        "not_covered",
        "summary",
        "kind",
        "context_used",
        "id",
    ]
    assert list(PassageOut.model_fields) == ["id", "question", "source", "title"]
    assert list(EscalationOut.model_fields) == ["level", "terms", "message", "from_earlier"]


def test_not_covered_defaults_to_an_empty_list_and_the_rest_are_required() -> None:
    required = {name for name, field in AskResponse.model_fields.items() if field.is_required()}
    assert required == set(AskResponse.model_fields) - {"not_covered"}
    assert AskResponse.model_validate(reply()).not_covered == []
    assert errors(AskResponse, {k: v for k, v in reply().items() if k != "passage"}) == [("missing", ("passage",))]


def test_a_reply_with_escalation_and_no_passage_validates() -> None:
    response = AskResponse.model_validate(reply(matched=False, passage=None, escalation=ESCALATION))
    assert response.passage is None
    assert response.escalation == EscalationOut(level="doctor", terms=["swollen leg"], message="See a doctor.")


@pytest.mark.parametrize("confidence", [-0.01, 1.01])
def test_confidence_outside_0_to_1_is_refused(confidence: float) -> None:
    assert errors(AskResponse, reply(confidence=confidence))[0][1] == ("confidence",)


def test_an_unknown_escalation_level_is_refused() -> None:
    escalation = ESCALATION | {"level": "urgent"}
    assert errors(AskResponse, reply(escalation=escalation)) == [("literal_error", ("escalation", "level"))]


@pytest.mark.parametrize(
    "question",
    ["What causes leg cramps at night?", "I have chest pain and a cramp", "Is CBD oil good for cramps?", "hello"],
)
def test_every_kind_of_bot_reply_fits_the_response_model_exactly(bot: Bot, question: str) -> None:
    data = bot.ask(question).to_dict()
    assert set(data) == set(AskResponse.model_fields)  # nothing the bot says is silently dropped
    assert AskResponse.model_validate(data).model_dump() == data


# --- HealthResponse -----------------------------------------------------------------------------


def test_health_response_fields() -> None:
    assert list(HealthResponse.model_fields) == ["status", "version", "passages", "store"]
    health = HealthResponse.model_validate({"status": "ok", "version": "abc123", "passages": 12, "store": "ok"})
    assert health.model_dump() == {"status": "ok", "version": "abc123", "passages": 12, "store": "ok"}


def test_health_status_can_only_be_ok() -> None:
    assert errors(HealthResponse, {"status": "starting", "version": "abc", "passages": 0, "store": "ok"}) == [
        ("literal_error", ("status",))
    ]


# --- the disclaimer -----------------------------------------------------------------------------


def test_the_disclaimer_says_it_is_not_medical_advice() -> None:
    assert "not medical advice" in DISCLAIMER
    assert "not a diagnosis" in DISCLAIMER
    assert DISCLAIMER.startswith("crampbot gives general information")


def test_the_disclaimer_is_in_bold_in_the_api_description() -> None:
    assert f"**{DISCLAIMER}**" in DESCRIPTION
