"""`crampbot eval`: figures, baselines, thresholds and exit codes, on a small made-up set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.cli import main
from bot.corpus.passages import BUNDLED_KNOWLEDGE, KnowledgeError
from bot.evaluation.retrieval import (
    SystemReport,
    check_thresholds,
    floors_for,
    format_report,
    load_eval_set,
    run_evaluation,
)
from bot.evaluation.thresholds import load_thresholds

SET = """
in_scope:
  - q: what are leg cramps
    ids: [night-cramps-qa.what-are-leg-cramps, treatment-faq.what-are-leg-cramps]
  - q: how long does a cramp last
    ids: [night-cramps-qa.how-long-do-leg-cramps-last, treatment-faq.how-long-do-leg-cramps-last]
off_topic:
  - q: what is the capital of france
"""


@pytest.fixture
def eval_set(tmp_path: Path) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(SET, encoding="utf-8")
    return path


def test_report_has_crampbot_and_both_baselines_with_every_figure(bot: Bot, eval_set: Path) -> None:
    report = run_evaluation(bot, eval_set, {})
    assert [s.name for s in report.systems] == ["crampbot", "tfidf-default", "bm25"]
    ours = report.systems[0]
    assert ours.top1 == 1.0 and ours.top3 == 1.0 and ours.mrr == 1.0
    assert ours.off_topic_rejection == 1.0 and ours.false_rejection == 0.0
    assert 0 < ours.p50_ms <= ours.p99_ms
    assert report.counts == {"in_scope": 2, "off_topic": 1}


def test_thresholds_name_the_figure_that_missed(bot: Bot, eval_set: Path) -> None:
    report = run_evaluation(bot, eval_set, {"min_top1": 1.0}, baselines=False)
    assert report.passed
    failures = check_thresholds(report.systems[0], [], {"min_top1": 1.01, "max_false_rejection": -1})
    assert any(f.startswith("top1 100.0% is below") for f in failures)
    assert any(f.startswith("false rejection") for f in failures)


def test_a_set_can_have_its_own_floors_on_top_of_the_shared_ones() -> None:
    thresholds = {
        "retrieval": {"min_top1": 0.9, "min_top3": 0.96},
        "retrieval_by_set": {"questions_fresh.yaml": {"min_top1": 0.84}},
    }
    assert floors_for(thresholds, "questions_fresh.yaml") == {"min_top1": 0.84, "min_top3": 0.96}
    assert floors_for(thresholds, "questions.yaml") == {"min_top1": 0.9, "min_top3": 0.96}
    assert floors_for({}, "questions.yaml") == {}


@pytest.mark.parametrize(
    "thresholds",
    [{"retrieval_by_set": {"questions.yaml": 0.9}}, {"retrieval_by_set": ["questions.yaml"]}, {"retrieval": 0.9}],
)
def test_floors_written_in_the_wrong_shape_are_a_clear_error(thresholds: dict[str, object]) -> None:
    with pytest.raises(KnowledgeError, match=r"thresholds\.yaml"):
        floors_for(thresholds, "questions.yaml")


def test_wrong_answers_are_listed_with_what_was_expected(bot: Bot, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "in_scope:\n  - q: what are leg cramps\n    ids: [understanding-nocturnal.kidney-disease]\n", encoding="utf-8"
    )
    report = run_evaluation(bot, path, {"min_top1": 0.5}, baselines=False)
    assert not report.passed
    text = format_report(report)
    assert "'what are leg cramps'" in text and "understanding-nocturnal.kidney-disease" in text and "FAIL" in text


def test_eval_set_without_ids_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("in_scope:\n  - q: no ids here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs 'q' and 'ids'"):
        load_eval_set(path)


def test_cli_eval_prints_json_with_retrieval_and_safety(capsys: pytest.CaptureFixture[str], eval_set: Path) -> None:
    assert main(["eval", "--set", str(eval_set), "--json", "--no-baselines"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is True
    assert data["retrieval"]["systems"][0]["name"] == "crampbot"
    assert data["safety"]["recall"] == 1.0


# --- gates that cannot pass by accident (issue 13) -------------------------------------------------


def test_the_retrieval_floors_are_pinned() -> None:
    """Lowering a floor to let a change in must show up in review as a change to this test too."""
    thresholds = load_thresholds(BUNDLED_KNOWLEDGE / "eval" / "thresholds.yaml")
    assert thresholds["retrieval"] == {
        "min_top1": 0.90,
        "min_top3": 0.96,
        "min_off_topic_rejection": 0.96,
        "max_false_rejection": 0.02,
        "max_near_miss": 0.01,
        "min_top1_lead_over_baselines": 0.25,
    }
    assert thresholds["retrieval_by_set"] == {
        "questions_fresh.yaml": {"min_top1": 0.87, "min_top3": 0.95, "min_off_topic_rejection": 0.95}
    }
    assert thresholds["not_covered"] == {"min_declined_named": 0.95, "min_unanswerable_declined": 0.55}
    assert thresholds["dialogue"] == {
        "min_follow_up_right": 0.58,
        "min_new_question_not_lower": 1.0,
        "min_off_topic_declined": 0.95,
        "min_off_topic_after_topic_declined": 0.95,
        "min_escalation_kept": 1.0,
    }


def test_eval_exits_1_below_a_retrieval_floor(knowledge_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = knowledge_copy / "eval" / "thresholds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("min_top1: 0.90", "min_top1: 0.999"), encoding="utf-8")
    assert main(["eval", "--no-baselines", "--knowledge", str(knowledge_copy)]) == 1
    assert "FAIL: top1" in capsys.readouterr().out


@pytest.mark.parametrize("breakage", ["delete", "empty", "no safety", "not a number"])
def test_eval_fails_when_its_floors_cannot_be_read(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str], breakage: str
) -> None:
    path = knowledge_copy / "eval" / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    if breakage == "delete":
        path.unlink()
    elif breakage == "empty":
        path.write_text("", encoding="utf-8")
    elif breakage == "no safety":
        path.write_text(text.split("safety:")[0] + "not_covered:\n  min_declined_named: 0.9\n", encoding="utf-8")
    else:
        path.write_text(text.replace("min_top3: 0.96", "min_top3: high"), encoding="utf-8")
    assert main(["eval", "--no-baselines", "--knowledge", str(knowledge_copy)]) == 1
    assert "thresholds.yaml" in capsys.readouterr().err


def test_a_misspelt_floor_is_a_failure_not_a_silent_pass() -> None:
    report = SystemReport("crampbot", 1.0, 1.0, 1.0, 1.0, 0.0, 0.1, 0.2)
    assert check_thresholds(report, [], {"min_top_1": 0.9}) == ["unknown retrieval floor 'min_top_1'"]
