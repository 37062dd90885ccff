"""Subjects the articles never mention: how often crampbot declines them, naming the subject.

A retriever always has a nearest passage, so accuracy on answerable questions says nothing about
whether the bot should have answered at all. `knowledge/eval/not_covered.yaml` asks about things
no article mentions (see its header); this module turns the bot's replies to it into figures and
threshold breaches. The targets live in knowledge/eval/thresholds.yaml under `not_covered:`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.chat import Bot, Reply
from bot.corpus.passages import KnowledgeError, read_yaml

NOT_COVERED_FILE = "not_covered.yaml"


@dataclass(frozen=True)
class Question:
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotCoveredSet:
    not_covered: tuple[Question, ...]  # subjects no article mentions
    unanswerable: tuple[Question, ...]  # no passage answers them, though the articles may name their subject


@dataclass(frozen=True)
class Outcome:
    question: str
    kind: str  # declined-named, declined, partly (answered the rest, subject named) or answered
    passage: str | None
    named: tuple[str, ...]


@dataclass(frozen=True)
class NotCoveredReport:
    count: int
    declined_named: float  # not_covered questions declined with the subject named
    declined: float  # declined at all (a fallback counts here, not above)
    named: float  # the subject named as not covered, whether or not the rest was answered
    unanswerable_count: int
    unanswerable_declined: float
    answered: tuple[Outcome, ...] = field(default=())  # not_covered questions answered as if covered
    unanswerable_answered: tuple[Outcome, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def failures(self, thresholds: Mapping[str, float]) -> list[str]:
        """Threshold breaches as sentences; an unknown threshold name is a breach too."""
        problems = []
        for key, value in thresholds.items():
            metric = key.removeprefix("min_")
            actual = getattr(self, metric, None)
            if not key.startswith("min_") or not isinstance(actual, float):
                problems.append(f"unknown not_covered threshold {key!r}")
            elif actual < value:
                problems.append(f"{metric} {actual:.1%} is below the target {value:.1%}")
        return problems

    def format_table(self, show: int = 30) -> str:
        rows = [
            ("declined, subject named", self.declined_named, self.count),
            ("declined (any reply without a passage)", self.declined, self.count),
            ("subject named as not covered", self.named, self.count),
            ("unanswerable questions declined", self.unanswerable_declined, self.unanswerable_count),
        ]
        lines = ["Not covered (subjects the articles never mention)"]
        lines += [f"  {label:<40}{value:>8.1%}  (n={n})" for label, value, n in rows]
        for title, outcomes in (
            ("answered as if covered", self.answered),
            ("unanswerable but answered", self.unanswerable_answered),
        ):
            if outcomes:
                lines.append(f"  {title} ({len(outcomes)}):")
                lines += [f"    - {o.question!r} -> {o.passage}" for o in outcomes[:show]]
        return "\n".join(lines)


def load_not_covered_set(path: Path) -> NotCoveredSet:
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise KnowledgeError("expected the sections 'not_covered:' and 'unanswerable:'", path=path)

    def questions(key: str) -> tuple[Question, ...]:
        entries = data.get(key) or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("q"), str) for e in entries
        ):
            raise KnowledgeError(f"every '{key}' entry needs a 'q' text", path=path)
        return tuple(Question(e["q"], tuple(str(t) for t in e.get("tags") or ())) for e in entries)

    return NotCoveredSet(not_covered=questions("not_covered"), unanswerable=questions("unanswerable"))


def outcome_of(question: str, reply: Reply) -> Outcome:
    if not reply.matched:
        kind = "declined-named" if reply.not_covered else "declined"
    else:
        kind = "partly" if reply.not_covered else "answered"
    return Outcome(question, kind, reply.passage.id if reply.passage else None, reply.not_covered)


def _share(outcomes: Sequence[Outcome], kinds: set[str]) -> float:
    return sum(o.kind in kinds for o in outcomes) / len(outcomes) if outcomes else 1.0


def evaluate_not_covered(bot: Bot, cases: NotCoveredSet) -> NotCoveredReport:
    outcomes = [outcome_of(q.text, bot.ask(q.text)) for q in cases.not_covered]
    unanswerable = [outcome_of(q.text, bot.ask(q.text)) for q in cases.unanswerable]
    return NotCoveredReport(
        count=len(outcomes),
        declined_named=_share(outcomes, {"declined-named"}),
        declined=_share(outcomes, {"declined-named", "declined"}),
        named=_share(outcomes, {"declined-named", "partly"}),
        unanswerable_count=len(unanswerable),
        unanswerable_declined=_share(unanswerable, {"declined-named", "declined"}),
        answered=tuple(o for o in outcomes if o.kind == "answered"),
        unanswerable_answered=tuple(o for o in unanswerable if o.kind in ("answered", "partly")),
    )
