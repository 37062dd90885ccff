"""The HTTP contract: 200 shapes, every 422 case, health, docs, and never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.settings import get_settings
from bot.web.app import create_app
from bot.web.schemas import AskResponse, HealthResponse

NO_RATE_LIMIT = {"CRAMPBOT_RATE_LIMIT": "off"}  # these tests send far more than a client may


@pytest.fixture(scope="module")
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(NO_RATE_LIMIT), bot=bot)) as test_client:
        yield test_client


def test_ask_answers_with_the_documented_shape(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "What causes leg cramps at night?", "session_id": "abc"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == set(AskResponse.model_fields)
    assert data["matched"] is True and 0 <= data["confidence"] <= 1
    assert set(data["passage"]) == {"id", "question", "source", "title"}
    assert data["escalation"] is None
    assert isinstance(data["suggestions"], list)


def test_ask_without_session_id_is_fine(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "hello"}).status_code == 200


def test_red_flag_reply_carries_the_escalation(client: TestClient) -> None:
    data = client.post("/api/ask", json={"question": "cramp and chest pain", "session_id": None}).json()
    assert data["escalation"]["level"] == "emergency"
    assert data["escalation"]["terms"] and data["answer"].endswith(data["escalation"]["message"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"session_id": "x"},
        {"question": None},
        {"question": 42},
        {"question": ["cramps"]},
        {"question": ""},
        {"question": "   \n\t "},
        {"question": "a" * 1001},
        {"question": "cramps", "session_id": 5},
        [],
        "cramps",
    ],
)
def test_bad_input_gets_a_clear_422(client: TestClient, body: object) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] and isinstance(data["error"], str) and data["error"]


def test_exactly_1000_characters_is_accepted(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "c" * 1000}).status_code == 200


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"question": "cramps"', b"\xff\xfe\x00", b""])
def test_invalid_json_gets_422(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("question", ["🦵💥 cramps??", "ÇRÄMPS ñ", "<script>alert(1)</script>", "\x00\x01", "\ud7ff"])
def test_unicode_and_odd_punctuation_work(client: TestClient, question: str) -> None:
    assert client.post("/api/ask", json={"question": question}).status_code == 200


def test_health_reports_ready_with_knowledge_version(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok" and len(data["version"]) == 12 and data["passages"] > 50
    assert HealthResponse.model_validate(data).model_dump() == data  # the documented shape, nothing more


def test_openapi_docs_are_served_and_carry_the_disclaimer(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "not medical advice" in spec["info"]["description"]
    assert "/api/ask" in spec["paths"]


def test_app_loads_the_bundled_knowledge_in_its_lifespan() -> None:
    with TestClient(create_app(get_settings(NO_RATE_LIMIT))) as fresh:
        assert fresh.get("/api/health").status_code == 200


def test_a_huge_body_is_refused_with_413_before_it_is_parsed(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content=b'{"question": "' + b"a" * 100_000 + b'"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "request body over" in response.json()["error"]


def test_a_chunked_huge_body_is_refused_too(client: TestClient) -> None:
    def chunks():  # no Content-Length: the size is only known while reading
        yield b'{"question": "'
        for _ in range(20):
            yield b"a" * 5_000
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_invalid_json_error_names_the_body_not_a_character_offset(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"].startswith("body: ")


@pytest.mark.parametrize(
    ("raw", "field", "code", "position"),
    [
        (b'{"question": "cramps \\ud800 at night"}', "question", "D800", 8),
        (b'{"question": "\\udc00"}', "question", "DC00", 1),
        (b'{"question": "cramps", "session_id": "abc\\udfff"}', "session_id", "DFFF", 4),
    ],
)
def test_a_lone_surrogate_is_refused_with_where_it_is(
    client: TestClient, raw: bytes, field: str, code: str, position: int
) -> None:
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    message = f"contains a lone surrogate (U+{code}) at character {position}: not valid Unicode text"
    assert response.json()["error"] == f"{field}: {message}"
    assert response.json()["detail"] == [{"loc": ["body", field], "msg": message, "type": "unicode_invalid"}]


def test_a_surrogate_pair_is_one_character_and_welcome(client: TestClient) -> None:
    raw = b'{"question": "cramps \\ud83e\\uddb5 at night"}'  # the leg emoji, escaped as JSON does
    assert client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"}).status_code == 200


@pytest.mark.parametrize(
    "body", [b"[" * 1_500 + b"]" * 1_500, b'{"question": ' + b'{"a": ' * 3_000 + b"1" + b"}" * 3_001]
)
def test_deeply_nested_json_is_named_as_such(client: TestClient, body: bytes) -> None:
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "body: body is JSON nested too deeply to read (a question is one flat object)"


def test_bytes_that_are_not_utf8_are_named_with_their_offset(client: TestClient) -> None:
    raw = b'{"question": "cr\xe9mps"}'
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "body: body is not valid UTF-8 (byte 0xe9 at offset 16)"


def test_every_field_parameter_and_operation_of_the_schema_is_described(bot: Bot) -> None:
    token = "an-admin-token-long-enough-for-the-settings"
    schema = create_app(get_settings({"CRAMPBOT_ADMIN_TOKEN": token}), bot=bot).openapi()
    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if not prop.get("description"):
                    missing.append(f"{where}.{name}")
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for child in node:
                walk(child, where)

    walk(schema, "")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            missing += [f"{method} {path}" for _ in [0] if not operation.get("description")]
            missing += [
                f"{method} {path} ?{p['name']}" for p in operation.get("parameters", []) if not p.get("description")
            ]
            missing += [
                f"{method} {path} {code}" for code, r in operation["responses"].items() if not r.get("description")
            ]
    assert missing == []


def test_a_subject_the_articles_never_mention_is_declined_by_name(client: TestClient) -> None:
    data = client.post("/api/ask", json={"question": "is cbd oil good for leg cramps"}).json()
    assert data["matched"] is False and data["passage"] is None
    assert data["not_covered"] == ["cbd oil"]
    assert "don't mention cbd oil" in data["answer"] and len(data["suggestions"]) == 3


def test_an_answered_question_has_an_empty_not_covered_list(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "What causes leg cramps at night?"}).json()["not_covered"] == []


def test_config_gives_the_limits_starters_and_disclaimer(client: TestClient) -> None:
    data = client.get("/api/config").json()
    assert data["max_question_chars"] == 1000 and data["min_question_chars"] == 1
    assert data["max_comment_chars"] == 500
    assert data["starter_questions"] == [
        "What causes leg cramps at night?",
        "How do I stop leg cramps immediately?",
        "How can I prevent leg cramps?",
        "When should I worry about leg cramps?",
    ]
    assert "not medical advice" in data["disclaimer"]


def test_one_setting_sets_the_limit_in_validation_schema_and_config() -> None:
    app = create_app(get_settings({"CRAMPBOT_MAX_QUESTION_CHARS": "2000", **NO_RATE_LIMIT}))
    with TestClient(app) as client:
        question = client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]["properties"]["question"]
        assert (question["minLength"], question["maxLength"]) == (1, 2000)
        assert client.get("/api/config").json()["max_question_chars"] == 2000
        assert client.post("/api/ask", json={"question": "a" * 1500}).status_code == 200
        too_long = client.post("/api/ask", json={"question": "a" * 2001})
        assert too_long.status_code == 422 and "at most 2000 characters" in too_long.json()["error"]


def test_the_schema_documents_every_status_the_ask_route_answers(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/api/ask"]["post"]["responses"]
    assert set(responses) == {"200", "413", "422", "429", "503"}
    body = responses["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"detail", "error"}
