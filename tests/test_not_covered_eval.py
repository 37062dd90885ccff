"""The not-covered evaluation: its set, its figures and its gate (knowledge/eval/not_covered.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.chat import Bot
from bot.cli import main
from bot.corpus.passages import BUNDLED_KNOWLEDGE, KnowledgeError
from bot.evaluation.not_covered import (
    NOT_COVERED_FILE,
    NotCoveredSet,
    Question,
    evaluate_not_covered,
    load_not_covered_set,
    outcome_of,
)

SET_PATH = BUNDLED_KNOWLEDGE / "eval" / NOT_COVERED_FILE


@pytest.fixture(scope="module")
def cases() -> NotCoveredSet:
    return load_not_covered_set(SET_PATH)


def test_the_set_has_at_least_80_not_covered_and_the_17_unanswerable_questions(cases: NotCoveredSet) -> None:
    assert len(cases.not_covered) >= 80
    assert len(cases.unanswerable) == 17


def test_every_not_covered_question_is_tagged_with_style_category_and_batch(cases: NotCoveredSet) -> None:
    styles = {"plain", "lay", "terse", "typo", "long", "caps", "other"}
    for question in cases.not_covered:
        assert len(question.tags) == 3 and question.tags[0] in styles and question.tags[2].startswith("batch-")


def test_no_not_covered_question_is_also_an_evaluation_question_elsewhere(cases: NotCoveredSet) -> None:
    others = set()
    for name in ("questions.yaml", "questions_holdout.yaml", "questions_fresh.yaml"):
        data = yaml.safe_load((BUNDLED_KNOWLEDGE / "eval" / name).read_text(encoding="utf-8"))
        others |= {str(e["q"]).casefold() for section in ("in_scope", "off_topic") for e in data.get(section) or []}
    texts = [q.text.casefold() for q in (*cases.not_covered, *cases.unanswerable)]
    assert not set(texts) & others
    assert len(texts) == len(set(texts))


def test_outcomes_tell_declines_from_partial_and_plain_answers(bot: Bot) -> None:
    assert outcome_of("q", bot.ask("is turmeric good for night cramps")).kind == "declined-named"
    assert outcome_of("q", bot.ask("what is the capital of france")).kind == "declined"
    assert outcome_of("q", bot.ask("can CBD or magnesium help with leg cramps?")).kind == "partly"
    assert outcome_of("q", bot.ask("What causes leg cramps at night?")).kind == "answered"


def test_figures_count_each_question_once(bot: Bot) -> None:
    small = NotCoveredSet(
        not_covered=(Question("is turmeric good for night cramps"), Question("What causes leg cramps at night?")),
        unanswerable=(Question("is kombucha good for leg cramps"),),
    )
    report = evaluate_not_covered(bot, small)
    assert report.count == 2 and report.declined_named == 0.5 and report.unanswerable_declined == 1.0
    assert [o.question for o in report.answered] == ["What causes leg cramps at night?"]


def test_a_figure_below_its_floor_is_a_failure_and_an_unknown_floor_too(bot: Bot) -> None:
    report = evaluate_not_covered(bot, NotCoveredSet((Question("What causes leg cramps at night?"),), ()))
    assert report.failures({"min_declined_named": 0.95}) == ["declined_named 0.0% is below the target 95.0%"]
    assert report.failures({"min_declined_nameed": 0.95}) == ["unknown not_covered threshold 'min_declined_nameed'"]


def test_eval_exits_1_when_the_not_covered_floor_is_not_met(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thresholds = knowledge_copy / "eval" / "thresholds.yaml"
    text = thresholds.read_text(encoding="utf-8").replace("min_declined_named: 0.95", "min_declined_named: 1.0")
    thresholds.write_text(text, encoding="utf-8")
    assert main(["eval", "--no-baselines", "--knowledge", str(knowledge_copy), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False and data["not_covered"]["declined_named"] < 1.0


def test_a_malformed_set_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / NOT_COVERED_FILE
    path.write_text("not_covered:\n  - subject: no question here\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"not_covered.*'q'"):
        load_not_covered_set(path)
