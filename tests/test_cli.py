"""The command line: ask, passages, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main
from bot.web.schemas import AskResponse


def test_ask_prints_the_answer_and_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What are leg cramps?"]) == 0
    out = capsys.readouterr().out
    assert "Leg cramps are sudden, involuntary muscle contractions" in out
    assert "From: Leg Cramps at Night" in out


def test_ask_json_prints_the_api_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "I have chest pain", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["escalation"]["level"] == "emergency"
    assert set(data) == set(AskResponse.model_fields)


def test_ask_rejects_an_empty_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "   "]) == 2
    assert "empty" in capsys.readouterr().err


def test_passages_lists_ids_sources_questions_and_lengths(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["passages"]) == 0
    out = capsys.readouterr().out
    assert "night-cramps-qa.what-are-leg-cramps" in out and "passages from 5 sources" in out


def test_passages_json_names_the_source_of_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["passages", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all({"id", "source", "question", "answer_chars"} <= set(r) for r in rows)


def test_missing_knowledge_folder_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    assert main(["passages", "--knowledge", str(tmp_path / "nope")]) == 1
    assert "not found" in capsys.readouterr().err


def test_python_dash_m_bot_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "hello"], capture_output=True, text=True, check=True)
    assert "leg cramps" in result.stdout
