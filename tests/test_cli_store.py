"""The store's commands: `crampbot db`, `crampbot report` and `crampbot purge`, on CRAMPBOT_DATABASE_URL."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.chat import Bot
from bot.cli import main
from bot.store.records import ExchangeRecord, new_exchange_id
from bot.store.store import Store
from bot.store.tables import utcnow


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("CRAMPBOT_DATABASE_URL", url)
    return url


def store_questions(url: str, bot: Bot, questions: list[tuple[str, int]]) -> None:
    """Each question as asked that many days ago."""
    store = Store(url, retention_days=36_500).start()
    for question, days_ago in questions:
        reply = replace(bot.ask(question), id=new_exchange_id())
        record = ExchangeRecord.of(reply, question=question, session=None, version=bot.version, latency_ms=1.0)
        store.record(replace(record, at=utcnow() - timedelta(days=days_ago)))
    store.close()


def test_db_upgrade_sets_up_an_empty_database(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current"]) == 0
    assert "none (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_db_upgrade_creates_the_default_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "data" / "crampbot.sqlite3").exists()


def test_report_json_has_the_figures_and_the_nearest_passage(
    url: str, bot: Bot, capsys: pytest.CaptureFixture[str]
) -> None:
    store_questions(url, bot, [("What causes leg cramps at night?", 1), ("my legs go funny at the cinema", 2)] * 2)
    assert main(["report", "--since", "7d", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["exchanges"] == 4 and report["kinds"]["fallback"]["count"] == 2
    assert report["feedback"] == {"helpful": 0, "not_helpful": 0, "comments": 0}
    [group] = report["unanswered"]
    assert group["question"] == "my legs go funny at the cinema" and group["count"] == 2
    assert set(group["nearest_passage"]) == {"id", "question", "score"}


def test_report_prints_a_summary_for_people(url: str, bot: Bot, capsys: pytest.CaptureFixture[str]) -> None:
    store_questions(url, bot, [("my legs go funny at the cinema", 1)])
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 exchanges") and "my legs go funny at the cinema" in out


def test_report_without_a_database_says_so_and_creates_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 1
    assert "nothing has been stored yet" in capsys.readouterr().err
    assert not (tmp_path / "store.sqlite3").exists()


def test_report_on_an_old_schema_asks_for_an_upgrade(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    sqlite3.connect(url.removeprefix("sqlite:///")).close()  # a database crampbot never set up
    assert main(["report"]) == 1
    assert "crampbot db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["report", "--since", "last week"], ["purge", "--before", "soon"]])
def test_an_unreadable_date_is_a_usage_error(url: str, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(command) == 2
    assert "2026-12-01" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [["report", "--since", "999999999d"], ["purge", "--before", "999999999d"], ["review", "--since", "40000000h"]],
)
def test_a_date_out_of_range_is_a_usage_error(url: str, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(command) == 2
    assert "out of range" in capsys.readouterr().err


def test_purge_deletes_what_was_stored_before_the_date(url: str, bot: Bot, capsys: pytest.CaptureFixture[str]) -> None:
    store_questions(url, bot, [("What causes leg cramps at night?", 40), ("hello", 10), ("hello", 1)])
    assert main(["purge", "--before", "30d"]) == 0
    assert "deleted 1 exchange and 0 feedback" in capsys.readouterr().out
    assert main(["purge", "--before", (utcnow() - timedelta(days=5)).date().isoformat()]) == 0
    assert "deleted 1 exchange " in capsys.readouterr().out
    assert main(["report", "--since", "100d", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["exchanges"] == 1


@pytest.mark.parametrize("command", [["report"], ["purge", "--before", "1d"], ["db", "current"]])
def test_without_a_store_the_commands_say_nothing_is_stored(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPBOT_DATABASE_URL", "none")
    assert main(command) == 1
    assert "nothing is stored" in capsys.readouterr().err


STOPPED_BY_SIGTERM = (0, -signal.SIGTERM)  # recent uvicorn raises the signal again once shut down


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "CRAMPBOT_DATABASE_URL": url,
        "CRAMPBOT_PORT": str(port),
        "CRAMPBOT_LOG_LEVEL": "WARNING",
        "CRAMPBOT_RATE_LIMIT": "off",  # twelve asks in a row from one address
    }
    with log.open("ab") as errors:
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stderr=errors)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(OSError):
            if _call(port, "GET", "/api/health")[1].get("store") == "ok":
                return server
        time.sleep(0.1)
    server.kill()
    server.wait()
    raise AssertionError(f"crampbot serve did not start: {log.read_text()}")


def _call(port: int, method: str, path: str, body: object = None) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        method, path, json.dumps(body) if body is not None else None, {"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, json.loads(raw) if raw else {}


def test_what_was_sent_before_sigterm_is_in_the_report_after_a_restart(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = _serve(url, port, tmp_path / "serve.log")
    try:
        ids = [_call(port, "POST", "/api/ask", {"question": q})[1]["id"] for q in ["What causes leg cramps?"] * 12]
        for exchange, helpful in zip(ids[:3], (True, False, True), strict=True):
            assert _call(port, "POST", "/api/feedback", {"id": exchange, "helpful": helpful})[0] == 204
    finally:
        server.send_signal(signal.SIGTERM)  # at once: most of it is still queued
        assert server.wait(30) in STOPPED_BY_SIGTERM
    restarted = _serve(url, port, tmp_path / "serve.log")  # the feedback route finds the exchanges of the earlier run
    try:
        assert _call(port, "POST", "/api/feedback", {"id": ids[3], "helpful": False})[0] == 204
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(30) in STOPPED_BY_SIGTERM
    assert main(["report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["exchanges"] == 12 and report["feedback"] == {"helpful": 2, "not_helpful": 2, "comments": 0}


def test_report_html_writes_one_page_with_charts(url: str, bot: Bot, tmp_path: Path) -> None:
    store_questions(url, bot, [("my legs go funny at the cinema", 1), ("What causes leg cramps at night?", 2)])
    page = tmp_path / "week.html"
    assert main(["report", "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 2 and "my legs go funny at the cinema" in text
