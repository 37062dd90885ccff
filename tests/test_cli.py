"""The command line: ask, passages, and clear errors."""

from __future__ import annotations

import io
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


def test_ask_joins_unquoted_words_into_one_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What", "are", "leg", "cramps?"]) == 0
    assert "Leg cramps are sudden, involuntary muscle contractions" in capsys.readouterr().out


def test_ask_reads_the_question_from_standard_input_for_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("What are leg cramps?\n"))
    assert main(["ask", "-"]) == 0
    assert "Leg cramps are sudden, involuntary muscle contractions" in capsys.readouterr().out


def test_ask_shows_the_escalation_first_and_marked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "How do I stop a leg cramp? I also have chest pain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(" EMERGENCY ")
    assert out.index("emergency number") < out.index("From:")


def test_ask_prints_the_summary_and_the_full_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "How do I stop a leg cramp right now?"]) == 0
    out = capsys.readouterr().out
    assert "In full:" in out and out.index("From:") < out.index("In full:")


def test_chat_holds_a_conversation_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "my leg is red and warm to the touch\nwhat should I do?\nquit\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert out.count("SEE A DOCTOR") == 2 and "(from an earlier message)" in out


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.terminal import use_colour

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Tty()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())
