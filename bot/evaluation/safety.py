"""Safety evaluation: red-flag messages and ordinary questions -> recall and false-alarm figures.

Pure (the loaders only read files) so that `crampbot eval`, the tests and CI all compute the
same numbers. The targets live in knowledge/eval/thresholds.yaml under `safety:`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.safety.detect import LEVELS, Lexicon, detect


@dataclass(frozen=True)
class RedFlagCase:
    text: str
    level: str  # expected level
    flag: str | None = None  # a term that must be among those that fire, when given


@dataclass(frozen=True)
class Miss:
    text: str
    expected: str
    got: str | None  # level that fired, or None
    terms: tuple[str, ...] = ()
    missing_flag: str | None = None


@dataclass(frozen=True)
class FalseAlarm:
    text: str
    level: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SafetyReport:
    red_flag_count: int
    emergency_count: int
    safe_count: int
    flagged_count: int  # red-flag messages that name an expected flag
    recall: float  # red-flag messages that escalated at all
    emergency_recall: float  # emergency messages that escalated at the emergency level
    doctor_recall: float  # doctor messages that escalated (at any level)
    right_level: float  # red-flag messages that escalated at exactly the expected level
    flag_accuracy: float  # messages with an expected flag where that flag fired
    false_alarm_rate: float  # ordinary questions that escalated
    misses: tuple[Miss, ...] = field(default=())  # wrong level, no escalation or expected flag missing
    false_alarms: tuple[FalseAlarm, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (`crampbot eval --json`)."""
        return asdict(self)

    def failures(self, thresholds: Mapping[str, float]) -> list[str]:
        """Threshold breaches as sentences; empty when the safety targets are met."""
        problems = []
        for key, value in thresholds.items():
            metric = key.removeprefix("min_").removeprefix("max_")
            actual = getattr(self, metric, None)
            if actual is None:
                problems.append(f"unknown safety threshold {key!r}")
            elif key.startswith("min_") and actual < value:
                problems.append(f"{metric} {actual:.1%} is below the target {value:.1%}")
            elif key.startswith("max_") and actual > value:
                problems.append(f"{metric} {actual:.1%} is above the limit {value:.1%}")
        return problems

    def format_table(self) -> str:
        """A short plain-text table for the terminal, with every miss and false alarm listed."""
        rows = [
            ("red-flag recall (escalated)", self.recall, self.red_flag_count),
            ("emergency recall (at emergency level)", self.emergency_recall, self.emergency_count),
            ("doctor-level recall", self.doctor_recall, self.red_flag_count - self.emergency_count),
            ("right level", self.right_level, self.red_flag_count),
            ("expected flag fired", self.flag_accuracy, self.flagged_count),
            ("false alarms on ordinary questions", self.false_alarm_rate, self.safe_count),
        ]
        lines = ["Safety", *(f"  {name:<40} {value:>7.1%}  (n={n})" for name, value, n in rows)]
        for miss in self.misses:
            detail = f"got {miss.got or 'nothing'}" + (
                f", missing flag {miss.missing_flag!r}" if miss.missing_flag else ""
            )
            lines.append(f"  MISS [{miss.expected}; {detail}] {miss.text}")
        for alarm in self.false_alarms:
            lines.append(f"  FALSE ALARM [{alarm.level}: {', '.join(alarm.terms)}] {alarm.text}")
        return "\n".join(lines)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def evaluate_safety(lexicon: Lexicon, red_flag_cases: Sequence[RedFlagCase], safe_cases: Sequence[str]) -> SafetyReport:
    """Run every message through `detect` and count; an empty set counts as fully met."""
    escalated = right = emergency_ok = doctor_ok = flag_ok = flagged = 0
    misses: list[Miss] = []
    for case in red_flag_cases:
        esc = detect(case.text, lexicon)
        level, terms = (esc.level, esc.terms) if esc else (None, ())
        escalated += esc is not None
        right += level == case.level
        emergency_ok += case.level == "emergency" and level == "emergency"
        doctor_ok += case.level == "doctor" and esc is not None
        missing = case.flag if case.flag and case.flag not in terms else None
        flagged += case.flag is not None
        flag_ok += case.flag is not None and missing is None
        if level != case.level or missing:
            misses.append(Miss(case.text, case.level, level, terms, missing))
    alarms = [FalseAlarm(text, esc.level, esc.terms) for text in safe_cases if (esc := detect(text, lexicon))]
    emergencies = sum(c.level == "emergency" for c in red_flag_cases)
    return SafetyReport(
        red_flag_count=len(red_flag_cases),
        emergency_count=emergencies,
        safe_count=len(safe_cases),
        flagged_count=flagged,
        recall=_ratio(escalated, len(red_flag_cases)),
        emergency_recall=_ratio(emergency_ok, emergencies),
        doctor_recall=_ratio(doctor_ok, len(red_flag_cases) - emergencies),
        right_level=_ratio(right, len(red_flag_cases)),
        flag_accuracy=_ratio(flag_ok, flagged),
        false_alarm_rate=len(alarms) / len(safe_cases) if safe_cases else 0.0,
        misses=tuple(misses),
        false_alarms=tuple(alarms),
    )


def load_red_flag_cases(path: Path) -> list[RedFlagCase]:
    """knowledge/eval/red_flags.yaml -> cases; a ValueError names the file and the bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for number, entry in enumerate(data.get("cases") or [], start=1):
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip() or entry.get("level") not in LEVELS:
            raise ValueError(
                f"{path}: case {number} needs a non-empty 'text' and a 'level' in {list(LEVELS)}: {entry!r}"
            )
        cases.append(RedFlagCase(str(entry["text"]), str(entry["level"]), entry.get("flag")))
    return cases


def load_safe_messages(path: Path) -> list[str]:
    """knowledge/eval/safe_messages.yaml -> the ordinary questions that must not escalate."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    messages = data.get("messages") or []
    if not all(isinstance(m, str) and m.strip() for m in messages):
        raise ValueError(f"{path}: 'messages' must be a list of non-empty strings")
    return list(messages)


def load_safety_cases(eval_dir: Path) -> tuple[list[RedFlagCase], list[str]]:
    """Both evaluation sets from a folder such as knowledge/eval."""
    return load_red_flag_cases(eval_dir / "red_flags.yaml"), load_safe_messages(eval_dir / "safe_messages.yaml")


def load_safety_thresholds(path: Path) -> dict[str, float]:
    """The `safety:` section of knowledge/eval/thresholds.yaml (other sections belong to others)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): float(v) for k, v in (data.get("safety") or {}).items()}
