"""`bot.web.staff`: the read-only staff routes, their tokens, and what they answer with and without a store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError

from bot.chat import Bot
from bot.settings import SettingsError, get_settings
from bot.store.store import Store
from bot.web.app import create_app
from bot.web.staff_schemas import Evidence

ADMIN = "admin-token-for-tests-0123456789abcdef"
STAFF = "staff-token-for-tests-0123456789abcdef"
AS_ADMIN = {"Authorization": f"Bearer {ADMIN}"}
AS_STAFF = {"Authorization": f"Bearer {STAFF}"}
QUESTION = "What causes leg cramps at night?"
STAFF_ROUTES = [
    ("POST", "/api/staff/explain", {"question": QUESTION}),
    ("GET", "/api/staff/report", None),
    ("GET", "/api/staff/exchanges", None),
    ("GET", "/api/staff/exchanges/0123456789abcdef0123456789abcdef", None),
]


def make_client(bot: Bot, **env: str) -> TestClient:
    values = {"CRAMPBOT_ADMIN_TOKEN": ADMIN, "CRAMPBOT_STAFF_TOKEN": STAFF, "CRAMPBOT_RATE_LIMIT": "off", **env}
    return TestClient(create_app(get_settings(values), bot=bot))


@pytest.fixture
def client(bot: Bot, database_url: str) -> Iterator[TestClient]:
    """The app with both tokens and a fresh store (SQLite, and PostgreSQL when available)."""
    with make_client(bot, CRAMPBOT_DATABASE_URL=database_url) as test_client:
        assert test_client.app.state.store.wait_ready()  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def no_store(bot: Bot) -> Iterator[TestClient]:
    with make_client(bot, CRAMPBOT_DATABASE_URL="none") as test_client:
        yield test_client


def ask(client: TestClient, question: str, **fields: Any) -> dict[str, Any]:
    reply = client.post("/api/ask", json={"question": question, **fields})
    assert reply.status_code == 200
    return dict(reply.json())


def flush(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    assert isinstance(store, Store) and store.flush()


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_without_a_token_staff_routes_answer_401(no_store: TestClient, method: str, path: str, body: Any) -> None:
    response = no_store.request(method, path, json=body)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"] == "send the staff or admin token as 'Authorization: Bearer <token>'"


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_a_wrong_token_gets_403(no_store: TestClient, method: str, path: str, body: Any) -> None:
    response = no_store.request(method, path, json=body, headers={"Authorization": f"Bearer {STAFF}x"})
    assert response.status_code == 403 and response.json()["detail"] == "wrong staff or admin token"


@pytest.mark.parametrize("headers", [AS_STAFF, AS_ADMIN])
def test_the_staff_and_the_admin_token_both_open_staff_routes(no_store: TestClient, headers: dict[str, str]) -> None:
    assert no_store.post("/api/staff/explain", json={"question": QUESTION}, headers=headers).status_code == 200


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/admin/reload"), ("GET", "/api/admin/status")])
def test_the_staff_token_cannot_use_admin_routes(no_store: TestClient, method: str, path: str) -> None:
    response = no_store.request(method, path, headers=AS_STAFF)
    assert response.status_code == 403 and response.json()["detail"] == "the staff token cannot use this route"
    assert no_store.request(method, path, headers=AS_ADMIN).status_code == 200


def test_with_only_a_staff_token_there_are_staff_routes_and_no_admin_routes(bot: Bot) -> None:
    with TestClient(
        create_app(get_settings({"CRAMPBOT_STAFF_TOKEN": STAFF, "CRAMPBOT_DATABASE_URL": "none"}), bot=bot)
    ) as c:
        assert c.post("/api/staff/explain", json={"question": QUESTION}, headers=AS_STAFF).status_code == 200
        assert c.post("/api/admin/reload", headers=AS_STAFF).status_code == 404


def test_without_any_token_the_staff_routes_do_not_exist(bot: Bot) -> None:
    with TestClient(create_app(get_settings({"CRAMPBOT_DATABASE_URL": "none"}), bot=bot)) as plain:
        assert plain.post("/api/staff/explain", json={"question": QUESTION}, headers=AS_STAFF).status_code == 404
        assert not any(p.startswith("/api/staff") for p in plain.get("/openapi.json").json()["paths"])


def test_failed_staff_authentications_count_with_the_admin_ones(bot: Bot) -> None:
    with make_client(bot, CRAMPBOT_DATABASE_URL="none", CRAMPBOT_ADMIN_AUTH_LIMIT="2/minute") as c:
        wrong = {"Authorization": "Bearer nope"}
        assert c.get("/api/staff/report", headers=wrong).status_code == 403
        assert c.get("/api/admin/status", headers=wrong).status_code == 403
        limited = c.post("/api/staff/explain", json={"question": QUESTION}, headers=AS_STAFF)
        assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_the_staff_token_on_an_admin_route_is_no_failed_authentication(bot: Bot) -> None:
    with make_client(bot, CRAMPBOT_DATABASE_URL="none", CRAMPBOT_ADMIN_AUTH_LIMIT="2/minute") as c:
        for _ in range(3):
            assert c.post("/api/admin/reload", headers=AS_STAFF).status_code == 403
        assert c.get("/api/admin/status", headers=AS_ADMIN).status_code == 200


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CRAMPBOT_STAFF_TOKEN": "short"}, "at least 32"),
        ({"CRAMPBOT_STAFF_TOKEN": ADMIN, "CRAMPBOT_ADMIN_TOKEN": ADMIN}, "is the admin token"),
    ],
)
def test_a_short_staff_token_or_the_admin_token_again_is_refused_at_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        get_settings(env)
    assert ADMIN not in str(refused.value) and "short" not in str(refused.value)


# --- explain --------------------------------------------------------------------------------------


def test_explain_gives_the_reply_and_the_evidence_ask_explain_prints(no_store: TestClient, bot: Bot) -> None:
    body = no_store.post("/api/staff/explain", json={"question": "why do my calvs crmp"}, headers=AS_STAFF)
    assert body.status_code == 200
    out = body.json()
    assert out["reply"] == bot.ask("why do my calvs crmp").to_dict()
    evidence = out["explain"]
    assert evidence["knowledge_version"] == bot.version and evidence["threshold"] > 0
    assert evidence["candidates"][0]["id"] == out["reply"]["passage"]["id"]
    assert evidence["corrections"] == {"crmp": "cramp"} and evidence["synonyms_used"] == ["calves"]
    assert set(evidence) == set(Evidence.model_fields)
    assert out["session_found"] is None


def test_explain_names_the_red_flag_rules_that_fired(no_store: TestClient) -> None:
    out = no_store.post("/api/staff/explain", json={"question": "cramp and chest pain"}, headers=AS_STAFF).json()
    assert out["explain"]["safety"]["level"] == "emergency" and out["explain"]["safety"]["terms"]


def test_explain_reads_the_conversation_without_changing_it(no_store: TestClient) -> None:
    ask(no_store, "What causes leg cramps at night?", session_id="abc")
    sessions = no_store.app.state.sessions  # type: ignore[attr-defined]
    before = list(sessions._items.items())
    follow = {"question": "and how do I prevent them?", "session_id": "abc"}
    out = no_store.post("/api/staff/explain", json=follow, headers=AS_STAFF).json()
    assert out["session_found"] is True and out["explain"]["context_used"] and out["explain"]["read_as"]
    assert list(sessions._items.items()) == before  # not remembered, not even touched
    assert ask(no_store, **follow)["context_used"]  # the user's own follow-up still reads the same


def test_explain_with_an_unknown_session_answers_alone_and_says_so(no_store: TestClient) -> None:
    out = no_store.post("/api/staff/explain", json={"question": "and at night?", "session_id": "nobody"},
                        headers=AS_STAFF).json()  # fmt: skip
    assert out["session_found"] is False and out["explain"]["context_used"] is False


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": "x" * 1001}, {"question": 3}])
def test_explain_refuses_a_malformed_question_with_422(no_store: TestClient, body: dict[str, Any]) -> None:
    response = no_store.post("/api/staff/explain", json=body, headers=AS_STAFF)
    assert response.status_code == 422 and response.json()["error"]


def test_explain_stores_nothing(client: TestClient) -> None:
    client.post("/api/staff/explain", json={"question": QUESTION}, headers=AS_STAFF)
    flush(client)
    assert client.get("/api/staff/exchanges", headers=AS_STAFF).json()["exchanges"] == []


# --- report and exchanges -------------------------------------------------------------------------


def test_the_report_is_the_reports_json(client: TestClient) -> None:
    ask(client, QUESTION)
    ask(client, "my legs go funny at the cinema")
    ask(client, "is CBD oil good for cramps?")
    flush(client)
    report = client.get("/api/staff/report?since=7d", headers=AS_STAFF).json()
    assert report["exchanges"] == 3 and report["kinds"]["fallback"]["count"] == 1
    assert report["unanswered"] == [] or report["unanswered"][0]["nearest_passage"]
    assert [(g["question"], g["subject"]) for g in report["declined"]] == [("is CBD oil good for cramps?", ["CBD oil"])]


def test_a_report_since_the_year_1_lists_only_the_days_something_was_stored(client: TestClient) -> None:
    ask(client, QUESTION)
    flush(client)
    response = client.get("/api/staff/report?since=0001-01-01", headers=AS_STAFF)
    assert response.status_code == 200 and len(response.content) < 5_000
    assert [d["exchanges"] for d in response.json()["per_day"]] == [1]


def test_exchanges_are_listed_newest_first_with_their_feedback(client: TestClient) -> None:
    first = ask(client, QUESTION)["id"]
    second = ask(client, "my legs go funny at the cinema")["id"]
    client.post("/api/feedback", json={"id": first, "helpful": False, "comment": "mail me at a@b.example"})
    flush(client)
    page = client.get("/api/staff/exchanges", headers=AS_STAFF).json()
    assert [e["id"] for e in page["exchanges"]] == [second, first] and page["next_cursor"] is None
    assert page["exchanges"][1]["feedback"]["helpful"] is False
    assert "a@b.example" not in page["exchanges"][1]["feedback"]["comment"]  # redacted when stored
    assert "session" not in page["exchanges"][0]


def test_exchanges_filter_by_kind(client: TestClient) -> None:
    ask(client, QUESTION)
    unanswered = ask(client, "my legs go funny at the cinema")
    flush(client)
    page = client.get("/api/staff/exchanges?kind=fallback", headers=AS_STAFF).json()
    assert [e["id"] for e in page["exchanges"]] == [unanswered["id"]] and unanswered["kind"] == "fallback"


def test_exchanges_are_paged_by_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    ids = [ask(client, f"{QUESTION} {n}")["id"] for n in range(5)]
    flush(client)
    seen: list[str] = []
    url = "/api/staff/exchanges?limit=2"
    pages = 0
    while url:
        page = client.get(url, headers=AS_STAFF).json()
        seen += [e["id"] for e in page["exchanges"]]
        pages += 1
        url = f"/api/staff/exchanges?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert pages == 3 and sorted(seen) == sorted(ids) and len(seen) == 5


def test_one_exchange_comes_with_its_feedback(client: TestClient) -> None:
    exchange = ask(client, QUESTION)["id"]
    client.post("/api/feedback", json={"id": exchange, "helpful": True})
    flush(client)
    found = client.get(f"/api/staff/exchanges/{exchange}", headers=AS_ADMIN).json()
    assert found["id"] == exchange and found["question"] == QUESTION and found["kind"] == "answer"
    assert found["feedback"]["helpful"] is True and found["feedback"]["comment"] is None


def test_an_unknown_exchange_is_404(client: TestClient) -> None:
    response = client.get("/api/staff/exchanges/0123456789abcdef0123456789abcdef", headers=AS_STAFF)
    assert response.status_code == 404 and response.json()["detail"] == "no exchange has this id"


@pytest.mark.parametrize(
    "query",
    [
        "/api/staff/exchanges?since=last%20week",
        "/api/staff/exchanges?until=soon",
        "/api/staff/exchanges?kind=answers",
        "/api/staff/exchanges?limit=0",
        "/api/staff/exchanges?limit=201",
        "/api/staff/exchanges?limit=many",
        "/api/staff/exchanges?cursor=not-a-cursor",
        "/api/staff/exchanges?cursor=" + "QUJDfHh4eA",  # base64 of 'ABC|xxx': not a time
        "/api/staff/report?since=yesterday",
        "/api/staff/report?since=999999999d",
        "/api/staff/report?since=0001-01-01T00:00:00%2B01:00",
        "/api/staff/exchanges?since=1000000d",
        "/api/staff/exchanges?until=9999-12-31T23:59:59-14:00",
        "/api/staff/exchanges/not%00an%20id",
    ],
)
def test_bad_parameters_get_422_naming_them(client: TestClient, query: str) -> None:
    response = client.get(query, headers=AS_STAFF)
    assert response.status_code == 422 and response.json()["error"]


def test_a_value_the_database_refuses_is_422_not_unavailable(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DataError("SELECT", {}, ValueError("A string literal cannot contain NUL (0x00) characters."))

    monkeypatch.setattr("bot.web.staff.get_exchange", refuse)
    response = client.get(STAFF_ROUTES[3][1], headers=AS_STAFF)
    assert response.status_code == 422 and "retry-after" not in response.headers


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES[1:])
def test_without_a_store_the_store_routes_answer_503_saying_so(
    no_store: TestClient, method: str, path: str, body: Any
) -> None:
    response = no_store.request(method, path, json=body, headers=AS_STAFF)
    assert response.status_code == 503 and "CRAMPBOT_DATABASE_URL=none" in response.json()["detail"]


def test_an_unreachable_database_gets_503_not_500(bot: Bot, tmp_path: Any) -> None:
    (tmp_path / "file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'file' / 'store.sqlite3'}"  # a folder that cannot exist
    with make_client(bot, CRAMPBOT_DATABASE_URL=url) as c:
        for path in ("/api/staff/report", "/api/staff/exchanges", "/api/staff/exchanges/abc"):
            response = c.get(path, headers=AS_STAFF)
            assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_every_staff_response_field_is_described_in_the_openapi_schema(no_store: TestClient) -> None:
    schemas = no_store.get("/openapi.json").json()["components"]["schemas"]
    staff = ["ExplainResponse", "Evidence", "SafetyEvidence", "CandidateEvidence", "ExchangeOut", "ExchangePage",
             "FeedbackOut", "ReportResponse", "SubjectEvidence", "PhraseEvidence"]  # fmt: skip
    for name in staff:
        undescribed = [f for f, spec in schemas[name]["properties"].items() if "description" not in spec]
        assert undescribed == [], name
