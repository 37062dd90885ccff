"""`crampbot serve --workers 2` for real: a reload reaches every worker, a rejected one none; logs, metrics from all."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import Served, serving
from sqlalchemy import func, select

from bot.store.database import open_engine
from bot.store.tables import exchanges, feedback

TOKEN = "a-worker-test-admin-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOCKS = """---
question: Do compression socks help night cramps?
sources: [https://www.example.org/compression-socks]
---
The articles in this knowledge base do not cover compression socks. Ask a healthcare professional.
"""


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from bot.corpus.passages import BUNDLED_KNOWLEDGE

    return Path(shutil.copytree(BUNDLED_KNOWLEDGE, tmp_path_factory.mktemp("workers") / "knowledge"))


@pytest.fixture(scope="module")
def server(knowledge: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    env = {
        "CRAMPBOT_KNOWLEDGE": str(knowledge),
        "CRAMPBOT_ADMIN_TOKEN": TOKEN,
        "CRAMPBOT_LOG_FORMAT": "json",
        "CRAMPBOT_RATE_LIMIT": "off",
    }
    with serving(env, tmp_path_factory.mktemp("logs") / "serve.log", ("--workers", "2")) as served:
        deadline = time.monotonic() + 90
        while len(worker_versions(served)) < 2:  # each worker loads its own knowledge
            assert time.monotonic() < deadline, served.log.read_text()
            time.sleep(0.2)
        yield served


def versions_served(server: Served, times: int) -> set[str]:
    """The knowledge versions `times` health checks got, each on a new connection (so both workers answer)."""
    return {server.call("GET", "/api/health")[1]["version"] for _ in range(times)}


def worker_versions(server: Served) -> dict[str, str]:
    """pid -> the knowledge version that worker serves, from /metrics (gauges are per process)."""
    found = re.findall(r'crampbot_knowledge_info\{pid="(\d+)",version="(\w+)"\} 1\.0', server.text("/metrics"))
    return dict(found)


def test_both_workers_start_and_log_in_json(server: Served) -> None:
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    loaded = [line for line in lines if line["logger"] == "bot.web.app" and "loaded" in line["message"]]
    assert len({line["process"] for line in loaded}) == 2  # crampbot's logging is set up in each worker
    assert len(worker_versions(server)) == 2


def test_a_reload_reaches_every_worker_before_it_answers(server: Served, knowledge: Path) -> None:
    (before,) = versions_served(server, 10)
    (knowledge / "faq" / "socks.md").write_text(SOCKS, encoding="utf-8")
    status, result, _ = server.call("POST", "/api/admin/reload", headers=AUTH)
    assert status == 200 and result["status"] == "reloaded" and result["previous_version"] == before
    assert result["workers"] == {"serving": 2, "total": 2}
    answered = time.monotonic()
    assert versions_served(server, 200) == {result["version"]}  # no worker keeps the old one
    assert set(worker_versions(server).values()) == {result["version"]}
    assert time.monotonic() - answered < 30  # (200 requests, on a busy machine)


def test_a_reload_that_changes_nothing_is_cheap_and_changes_nothing(server: Served) -> None:
    (version,) = versions_served(server, 4)
    status, result, _ = server.call("POST", "/api/admin/reload", headers=AUTH)
    assert status == 200 and result["status"] == "unchanged" and result["version"] == version
    assert result["seconds"] < 0.5  # hashed, not checked and indexed again (bench/reload.py measures it)


def test_a_rejected_reload_leaves_every_worker_on_the_last_good_knowledge(server: Served, knowledge: Path) -> None:
    (good,) = versions_served(server, 10)
    broken = knowledge / "synonyms.yaml"
    original = broken.read_text(encoding="utf-8")
    broken.write_text("synonyms:\n  doc: [doctor\n", encoding="utf-8")
    try:
        status, result, _ = server.call("POST", "/api/admin/reload", headers=AUTH)
        assert status == 409 and result["status"] == "rejected" and result["workers"] is None
        time.sleep(1.5)  # three looks at the stamp: nothing to follow
        assert versions_served(server, 50) == {good}
    finally:
        broken.write_text(original, encoding="utf-8")


def test_metrics_add_up_the_requests_of_every_worker(server: Served) -> None:
    def health_count() -> float:
        pattern = r'crampbot_http_requests_total\{method="GET",route="/api/health",status="200"\} ([\d.]+)'
        match = re.search(pattern, server.text("/metrics"))
        return float(match.group(1)) if match else 0.0

    before = health_count()
    versions_served(server, 40)
    deadline = time.monotonic() + 5  # a request is counted just after its response is sent
    while (after := health_count()) < before + 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert after == before + 40


def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(server: Served) -> None:
    _, _, headers = server.call("GET", "/api/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert headers["x-request-id"] == "lb-7f3a.42"
    _, _, headers = server.call("GET", "/api/health", headers={"X-Request-ID": "no spaces <allowed>"})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])


def test_two_workers_store_every_exchange_and_feedback_in_one_sqlite_file(tmp_path: Path) -> None:
    """Two worker processes writing to one SQLite file under a bounded load (issue 15): WAL and the busy
    timeout mean no "database is locked", nothing lost; what was sent before SIGTERM is all stored."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env = {"CRAMPBOT_DATABASE_URL": url, "CRAMPBOT_RATE_LIMIT": "off"}
    questions = ["What causes leg cramps at night?", "does magnesium help", "hello", "is cbd oil good for cramps"]
    with serving(env, tmp_path / "serve.log", ("--workers", "2")) as served:

        def ask(n: int) -> str:
            status, reply, _ = served.call(
                "POST", "/api/ask", {"question": questions[n % 4], "session_id": f"s{n % 40}"}
            )
            assert status == 200
            return str(reply["id"])

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(ask, range(300)))
            time.sleep(1.0)  # each worker writes its exchanges within its batch linger
            statuses = list(
                pool.map(lambda i: served.call("POST", "/api/feedback", {"id": i, "helpful": True})[0], ids[:100])
            )
        assert statuses == [204] * 100
    engine = open_engine(url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(exchanges)).scalar_one() == 300
        assert connection.execute(select(func.count()).select_from(feedback)).scalar_one() == 100
    engine.dispose()
    assert "locked" not in (tmp_path / "serve.log").read_text()


def answering_processes(server: Served, request_ids: list[str]) -> dict[str, int]:
    """request id -> the pid of the worker that answered it, from the JSON access lines."""
    deadline = time.monotonic() + 5
    while True:
        lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
        found = {line["request_id"]: line["process"] for line in lines if line.get("request_id") in request_ids}
        if len(found) == len(request_ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_conversation_keeps_its_topic_and_red_flag_whichever_worker_answers(server: Served) -> None:
    def ask(question: str, number: int) -> dict[str, object]:
        body = {"question": question, "session_id": "worker-conversation"}
        status, reply, _ = server.call("POST", "/api/ask", body, headers={"X-Request-ID": f"conversation-{number}"})
        assert status == 200, reply
        return reply

    ask("What causes leg cramps at night?", 0)
    follow_ups = [ask("and how do I prevent them?", n) for n in range(1, 7)]
    assert all(reply["context_used"] is True and reply["matched"] is True for reply in follow_ups)
    flagged = ask("I have chest pain", 7)
    assert flagged["escalation"]["level"] == "emergency"  # type: ignore[index]
    later = [ask("How long do leg cramps last?", n) for n in range(8, 20)]
    for reply in later:
        assert reply["escalation"]["level"] == "emergency" and reply["escalation"]["from_earlier"] is True  # type: ignore[index]
    answered_by = answering_processes(server, [f"conversation-{n}" for n in range(20)])
    assert len(set(answered_by.values())) == 2  # both workers answered turns of it (each on a new connection)
