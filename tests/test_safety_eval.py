"""The safety evaluation sets meet their targets, and the report says so clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.safety import (
    RedFlagCase,
    evaluate_safety,
    load_red_flag_cases,
    load_safety_cases,
    load_safety_thresholds,
)
from bot.safety.detect import Lexicon, load_lexicon

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "knowledge" / "eval"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(ROOT / "knowledge" / "red_flags.yaml")


def test_the_evaluation_sets_are_big_enough() -> None:
    red, safe = load_safety_cases(EVAL)
    assert len(red) >= 150
    assert len(safe) >= 150
    assert len({c.text for c in red}) == len(red), "duplicate red-flag messages"
    assert len(set(safe)) == len(safe), "duplicate safe messages"


def test_every_flag_has_at_least_two_red_flag_messages(lexicon: Lexicon) -> None:
    red, _ = load_safety_cases(EVAL)
    counts = {flag.name: sum(c.flag == flag.name for c in red) for flag in lexicon.flags}
    assert all(n >= 2 for n in counts.values()), counts


def test_the_evaluation_sets_meet_the_safety_thresholds(lexicon: Lexicon) -> None:
    red, safe = load_safety_cases(EVAL)
    report = evaluate_safety(lexicon, red, safe)
    thresholds = load_safety_thresholds(EVAL / "thresholds.yaml")
    assert report.failures(thresholds) == [], report.format_table()
    assert report.recall == 1.0 and report.emergency_recall == 1.0 and report.right_level == 1.0
    assert report.flag_accuracy == 1.0, report.format_table()
    assert report.false_alarm_rate <= 0.01


def test_the_thresholds_file_asks_for_full_recall_and_at_most_one_percent_false_alarms() -> None:
    assert load_safety_thresholds(EVAL / "thresholds.yaml") == {
        "min_recall": 1.0,
        "min_emergency_recall": 1.0,
        "min_right_level": 1.0,
        "max_false_alarm_rate": 0.01,
    }


def test_the_report_counts_misses_wrong_levels_and_false_alarms(lexicon: Lexicon) -> None:
    red = [
        RedFlagCase("I have chest pain", "emergency", "chest pain"),
        RedFlagCase("my calf is swollen", "emergency"),
        RedFlagCase("what stretches help", "doctor"),
    ]
    report = evaluate_safety(lexicon, red, ["red meat?", "my toes are numb", "magnesium?", "sleep tips"])
    assert report.recall == pytest.approx(2 / 3)
    assert report.emergency_recall == 0.5
    assert report.right_level == pytest.approx(1 / 3)
    assert report.false_alarm_rate == 0.25
    assert [m.text for m in report.misses] == ["my calf is swollen", "what stretches help"]
    assert report.false_alarms[0].terms == ("numbness or tingling",)
    assert report.failures({"min_recall": 1.0, "max_false_alarm_rate": 0.01}) == [
        "recall 66.7% is below the target 100.0%",
        "false_alarm_rate 25.0% is above the limit 1.0%",
    ]


def test_the_report_prints_a_table_and_serialises_to_json(lexicon: Lexicon) -> None:
    report = evaluate_safety(lexicon, [RedFlagCase("I fainted", "doctor")], ["my toes are numb"])
    table = report.format_table()
    assert "emergency recall" in table and "false alarms" in table
    assert "MISS [doctor; got emergency] I fainted" in table
    assert "FALSE ALARM [doctor: numbness or tingling] my toes are numb" in table
    assert json.loads(json.dumps(report.to_dict()))["red_flag_count"] == 1


def test_a_bad_case_is_reported_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "red_flags.yaml"
    path.write_text("cases:\n  - {text: hi, level: urgent}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="case 1 needs"):
        load_red_flag_cases(path)
