"""Whatever a client sends, the API answers 200 or a 4xx, never a 500 (property-based)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat import Bot
from bot.settings import get_settings
from bot.web.app import create_app

NO_RATE_LIMIT = {"CRAMPBOT_RATE_LIMIT": "off"}  # these tests send far more than a client may

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(NO_RATE_LIMIT), bot=bot), raise_server_exceptions=False) as test_client:
        yield test_client


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=1200))
def test_any_question_text_gets_200_or_422(client: TestClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["answer"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values)
def test_any_json_body_gets_an_answer_or_a_clear_error(client: TestClient, body: object) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code in (200, 422)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_any_bytes_get_a_4xx_not_a_500(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 422)
