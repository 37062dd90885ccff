"""The evidence behind a reply, as `crampbot ask --explain` (and later a staff view) shows it."""

from __future__ import annotations

import json

import pytest

from bot.chat import Bot
from bot.cli import main
from bot.evaluation.explain import explain, format_explanation
from bot.web.schemas import AskResponse


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
    assert set(data) == set(AskResponse.model_fields) | {"explain"}  # the API reply, one key more
    assert data["explain"]["synonyms_used"] == ["charley horse"]


def test_explain_shows_the_subject_and_whether_the_knowledge_base_knows_it(bot: Bot) -> None:
    evidence = explain(bot.ask("is turmeric or magnesium good for leg cramps"), bot.retriever.config, bot.version)
    phrases = {p["text"]: p for p in evidence["subject"]["phrases"]}
    assert phrases["turmeric"]["known"] is False and phrases["turmeric"]["unknown_words"] == ["turmeric"]
    assert phrases["magnesium"]["known"] is True
    assert evidence["not_covered"] == ["turmeric"]
    text = format_explanation(evidence)
    assert (
        "asks about: 'turmeric' (NOT in the knowledge base: turmeric); 'magnesium' (the knowledge base knows it)"
        in text
    )


def test_explain_says_when_the_subject_was_not_read(bot: Bot) -> None:
    evidence = explain(bot.ask("what is the capital of france"), bot.retriever.config, bot.version)
    assert evidence["subject"] is None
    assert "asks about: not read" in format_explanation(evidence)
