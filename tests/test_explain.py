"""The evidence behind a reply, as `crampbot ask --explain` (and later a staff view) shows it."""

from __future__ import annotations

import json

import pytest

from bot.chat import Bot
from bot.cli import main
from bot.explain import explain, format_explanation


def test_an_answer_is_explained_by_its_candidates_intents_and_threshold(bot: Bot) -> None:
    reply = bot.ask("what causes crampz in my calf")
    evidence = explain(reply, bot.retriever.config, bot.version)
    assert evidence["kind"] == "answer" and evidence["threshold"] == bot.retriever.config.min_confidence
    assert evidence["candidates"][0]["id"] == reply.passage.id
    scores = [c["score"] for c in evidence["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert evidence["intents"] == ["cause"]
    assert evidence["corrections"] == {"crampz": "cramps"}
    assert evidence["knowledge_version"] == bot.version


def test_a_red_flag_shows_in_the_explanation(bot: Bot) -> None:
    evidence = explain(bot.ask("my calf is swollen and red"), bot.retriever.config, bot.version)
    assert evidence["safety"]["level"] == "doctor"
    assert "safety: doctor" in format_explanation(evidence)


def test_small_talk_is_explained_without_candidates(bot: Bot) -> None:
    evidence = explain(bot.ask("hello"), bot.retriever.config, bot.version)
    assert evidence["kind"] == "smalltalk" and "candidates" not in evidence
    assert "best passages" not in format_explanation(evidence)


def test_ask_explain_prints_why_after_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "how do I prevent cramps at night", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.index("From: ") < out.index("Explanation (answer;")
    assert "asks for: prevent" in out and "against a threshold of" in out


def test_ask_json_explain_adds_the_evidence_to_the_api_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "what is a charley horse", "--json", "--explain"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"answer", "matched", "confidence", "passage", "escalation", "suggestions", "explain"}
    assert data["explain"]["synonyms_used"] == ["charley horse"]
