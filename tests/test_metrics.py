"""`bot.web.metrics`: GET /metrics in the Prometheus text format, counting requests by route
template, answers by kind and escalation level, the knowledge served, reloads and refusals, and
never a word of a question."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.chat import Bot
from bot.retrieval.retriever import RetrieverConfig
from bot.settings import get_settings
from bot.web.app import create_app

TOKEN = "a-long-admin-token-for-the-metrics-tests"
SECRET_WORDS = "zebrafish calfcramp quokka"


@pytest.fixture()
def client(bot: Bot) -> Iterator[TestClient]:
    settings = get_settings({"CRAMPBOT_ADMIN_TOKEN": TOKEN, "CRAMPBOT_RATE_LIMIT": "4/minute"})
    with TestClient(create_app(settings, bot=bot)) as test_client:
        yield test_client


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(client: TestClient) -> None:
    client.get("/api/health")
    client.head("/api/health")
    client.post("/api/ask", json={"question": ""})
    client.get("/no/such/page/12345")
    client.get("/docs-assets/swagger-ui.css")
    found = samples(client)
    assert value(found, "crampbot_http_requests_total", route="/api/health", method="GET", status="200") == 1
    assert value(found, "crampbot_http_requests_total", route="/api/health", method="HEAD", status="200") == 1
    assert value(found, "crampbot_http_requests_total", route="/api/ask", method="POST", status="422") == 1
    assert value(found, "crampbot_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert value(found, "crampbot_http_requests_total", route="/docs-assets", method="GET", status="200") == 1


def test_answers_are_counted_by_kind_and_escalation_level_and_timed(client: TestClient) -> None:
    client.post("/api/ask", json={"question": "What causes leg cramps at night?"})
    client.post("/api/ask", json={"question": "my calf cramps and I have chest pain"})
    client.post("/api/ask", json={"question": "hello"})
    found = samples(client)
    assert value(found, "crampbot_replies_total", kind="answer") >= 1
    assert value(found, "crampbot_replies_total", kind="smalltalk") == 1
    assert value(found, "crampbot_escalations_total", level="emergency") == 1
    assert value(found, "crampbot_ask_duration_seconds_count") == 3
    assert 0 < value(found, "crampbot_ask_duration_seconds_sum") < 3


def test_the_knowledge_served_and_reloads_are_reported(client: TestClient, bot: Bot) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    client.post("/api/admin/reload", headers=auth)
    client.post("/api/admin/reload?force=true", headers=auth)
    found = samples(client)
    assert value(found, "crampbot_knowledge_info", version=bot.version) == 1
    assert value(found, "crampbot_knowledge_passages") == len(bot.knowledge.passages)
    assert value(found, "crampbot_reloads_total", status="unchanged") == 1
    assert value(found, "crampbot_reloads_total", status="reloaded") == 1


def test_failed_reloads_are_counted(knowledge_copy: Path) -> None:
    settings = get_settings({"CRAMPBOT_KNOWLEDGE": str(knowledge_copy), "CRAMPBOT_ADMIN_TOKEN": TOKEN})
    with TestClient(create_app(settings)) as client:
        (knowledge_copy / "intents.yaml").write_text("intents:\n  cause: [why\n", encoding="utf-8")
        assert client.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 409
        assert value(samples(client), "crampbot_reloads_total", status="rejected") == 1


def test_rate_limited_requests_are_counted(client: TestClient) -> None:
    statuses = [client.post("/api/ask", json={"question": "cramps?"}).status_code for _ in range(6)]
    assert statuses.count(429) == 2
    found = samples(client)
    assert value(found, "crampbot_rate_limited_total", limit="ask") == 2
    assert value(found, "crampbot_http_requests_total", route="/api/ask", method="POST", status="429") == 2


def test_no_question_text_reaches_the_metrics(client: TestClient) -> None:
    client.post("/api/ask", json={"question": f"{SECRET_WORDS} and chest pain", "session_id": "sess-quokka-42"})
    client.get("/api/" + SECRET_WORDS.replace(" ", "/"))
    text = client.get("/metrics").text
    assert not any(word in text for word in [*SECRET_WORDS.split(), "sess-quokka-42", "testclient"])


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, each process writes its values there and /metrics sums them."""
    script = textwrap.dedent(
        """
        from fastapi.testclient import TestClient
        from bot.chat import Bot
        from bot.settings import get_settings
        from bot.web.app import create_app
        import sys
        with TestClient(create_app(get_settings({}), bot=Bot.from_knowledge())) as client:
            client.get("/api/health")
            if sys.argv[1] == "report":
                sys.stdout.write(client.get("/metrics").text)
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script, "count"], env=env, check=True, timeout=120)
    report = subprocess.run(
        [sys.executable, "-c", script, "report"], env=env, check=True, timeout=120, capture_output=True, text=True
    ).stdout
    found = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(report)
        for s in family.samples
    }
    assert value(found, "crampbot_http_requests_total", route="/api/health", method="GET", status="200") == 2


def test_the_stores_queue_writes_and_drops_are_reported(client: TestClient) -> None:
    for question in ("What causes leg cramps at night?", "hello"):
        assert client.post("/api/ask", json={"question": question}).status_code == 200
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store is not None and store.flush(10)
    found = samples(client)
    assert value(found, "crampbot_store_written") == 2
    assert value(found, "crampbot_store_queued") == 0
    assert value(found, "crampbot_store_dropped") == 0 and value(found, "crampbot_store_degraded") == 0


def test_the_answer_cache_reports_its_hits_misses_and_entries(client: TestClient) -> None:
    before = samples(client)
    # asked nowhere else, and with no digit (a message with one is never cached: it may hold a phone number)
    unique = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])
    question = f"do cramps in the calf ever last {unique} hours?"
    for session in ("first", "second"):
        client.post("/api/ask", json={"question": question, "session_id": session})
    after = samples(client)
    for name in ("hits", "misses"):
        metric = f"crampbot_answer_cache_{name}"
        assert value(after, metric) - value(before, metric) == 1, name
    assert 1 <= value(after, "crampbot_answer_cache_entries") <= RetrieverConfig().answer_cache
