"""The evaluation set -> accuracy, rejection and latency figures for crampbot and two baselines.

Baselines get the same passages and questions, and the benefit of the doubt: their confidence
threshold is the one that does best on this very set, which crampbot's is not.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.chat import Bot
from bot.corpus.passages import KnowledgeError, Passage, read_yaml

# A system under test: question -> (ranked passage ids, whether it would answer with the first).
Ranker = Callable[[str], tuple[list[str], bool]]


@dataclass(frozen=True)
class EvalCase:
    question: str
    ids: frozenset[str]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvalSet:
    in_scope: tuple[EvalCase, ...]
    off_topic: tuple[EvalCase, ...]


@dataclass
class SystemReport:
    name: str
    top1: float
    top3: float
    mrr: float
    off_topic_rejection: float
    false_rejection: float
    p50_ms: float
    p99_ms: float
    wrong: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    near_miss: float = 0.0  # in-scope questions not answered although a right passage ranked first

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvalReport:
    systems: list[SystemReport]
    failures: list[str]  # thresholds not met; empty when the gate passes
    counts: dict[str, int]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "systems": [s.to_dict() for s in self.systems],
            "failures": self.failures,
            "counts": self.counts,
            "passed": self.passed,
        }


def load_eval_set(path: Path) -> EvalSet:
    data = read_yaml(path) or {}
    try:
        in_scope = tuple(
            EvalCase(str(e["q"]), frozenset(str(i) for i in e["ids"]), tuple(e.get("tags") or ()))
            for e in data.get("in_scope") or []
        )
        off_topic = tuple(
            EvalCase(str(e["q"]), frozenset(), tuple(e.get("tags") or ())) for e in data.get("off_topic") or []
        )
    except (KeyError, TypeError) as exc:
        raise KnowledgeError(
            f"every in_scope entry needs 'q' and 'ids', every off_topic entry 'q' ({exc})", path=path
        ) from exc
    return EvalSet(in_scope=in_scope, off_topic=off_topic)


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def evaluate_system(name: str, ranker: Ranker, cases: EvalSet, note: str = "") -> SystemReport:
    latencies: list[float] = []
    top1 = top3 = rejected_in_scope = near_misses = 0
    reciprocal: list[float] = []
    wrong: list[dict[str, Any]] = []
    for case in cases.in_scope:
        start = time.perf_counter()
        ranked, answered = ranker(case.question)
        latencies.append((time.perf_counter() - start) * 1000)
        rank = next((i for i, pid in enumerate(ranked, start=1) if pid in case.ids), None)
        reciprocal.append(1.0 / rank if rank else 0.0)
        top3 += rank is not None and rank <= 3
        correct = answered and rank == 1
        top1 += correct
        rejected_in_scope += not answered
        near_misses += not answered and rank == 1
        if not correct:
            wrong.append(
                {
                    "question": case.question,
                    "expected": sorted(case.ids),
                    "got": ranked[0] if ranked and answered else None,
                    "rank": rank,
                }
            )
    rejected_off = 0
    for case in cases.off_topic:
        start = time.perf_counter()
        ranked, answered = ranker(case.question)
        latencies.append((time.perf_counter() - start) * 1000)
        rejected_off += not answered
        if answered:
            wrong.append(
                {
                    "question": case.question,
                    "expected": "not matched",
                    "got": ranked[0] if ranked else None,
                    "rank": None,
                }
            )
    n_in, n_off = max(len(cases.in_scope), 1), max(len(cases.off_topic), 1)
    return SystemReport(
        name=name,
        top1=top1 / n_in,
        top3=top3 / n_in,
        mrr=statistics.fmean(reciprocal) if reciprocal else 0.0,
        off_topic_rejection=rejected_off / n_off,
        false_rejection=rejected_in_scope / n_in,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        wrong=wrong,
        note=note,
        near_miss=near_misses / n_in,
    )


def crampbot_ranker(bot: Bot) -> Ranker:
    def rank(question: str) -> tuple[list[str], bool]:
        reply = bot.ask(question)
        candidates = reply.retrieval.candidates if reply.retrieval else ()
        return [c.passage.id for c in candidates], reply.matched

    return rank


def _best_threshold(scores_in: list[tuple[float, bool]], scores_off: list[float]) -> float:
    """The threshold that maximises correct answers plus correct rejections on this set."""
    candidates = sorted({s for s, _ in scores_in} | set(scores_off) | {0.0})
    best, best_value = 0.0, -1
    for t in candidates:
        value = sum(ok and s >= t for s, ok in scores_in) + sum(s < t for s in scores_off)
        if value > best_value:
            best, best_value = t, value
    return best


def _threshold_ranker(score_fn: Callable[[str], np.ndarray], ids: list[str], cases: EvalSet) -> tuple[Ranker, float]:
    def top(question: str) -> tuple[list[str], float]:
        scores = score_fn(question)
        order = np.argsort(-scores, kind="stable")[:10]
        return [ids[i] for i in order], float(scores[order[0]]) if len(order) else 0.0

    scores_in = []
    for case in cases.in_scope:
        ranked, score = top(case.question)
        scores_in.append((score, bool(ranked) and ranked[0] in case.ids))
    threshold = _best_threshold(scores_in, [top(c.question)[1] for c in cases.off_topic])

    def rank(question: str) -> tuple[list[str], bool]:
        ranked, score = top(question)
        return ranked, score >= threshold and score > 0

    return rank, threshold


def tfidf_baseline(passages: Sequence[Passage], cases: EvalSet) -> tuple[Ranker, float]:
    """scikit-learn's TfidfVectorizer with default settings over question + answer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer()
    matrix = vectoriser.fit_transform([f"{p.question}\n{p.answer}" for p in passages])
    return _threshold_ranker(
        lambda q: (matrix @ vectoriser.transform([q]).T).toarray().ravel(), [p.id for p in passages], cases
    )


def bm25_baseline(passages: Sequence[Passage], cases: EvalSet) -> tuple[Ranker, float] | None:
    """rank_bm25's BM25Okapi over lower-cased question + answer words (None when not installed)."""
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return None
    import re

    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    bm25 = BM25Okapi([tokens(f"{p.question}\n{p.answer}") for p in passages])
    return _threshold_ranker(lambda q: np.asarray(bm25.get_scores(tokens(q))), [p.id for p in passages], cases)


def floors_for(thresholds: dict[str, Any], set_name: str) -> dict[str, float]:
    """The retrieval floors for one evaluation set: the shared ones, then that set's own.

    A set written differently (from the users' side rather than from the passages) can sit lower
    than the others and still catch regressions; thresholds.yaml names it under `retrieval_by_set`.
    """
    shared = thresholds.get("retrieval") or {}
    by_set = thresholds.get("retrieval_by_set") or {}
    own = by_set.get(set_name) or {} if isinstance(by_set, dict) else None
    if not isinstance(shared, dict) or not isinstance(own, dict):
        raise KnowledgeError(
            "thresholds.yaml: 'retrieval' and each set under 'retrieval_by_set' must map "
            "floor names to numbers (min_top1: 0.9)"
        )
    return dict(shared) | dict(own)


RETRIEVAL_FLOORS = frozenset(
    {"min_top1", "min_top3", "min_off_topic_rejection", "max_false_rejection", "min_top1_lead_over_baselines"}
    | {"max_near_miss"}
)


def check_thresholds(
    report: SystemReport, baselines: Sequence[SystemReport], thresholds: dict[str, float]
) -> list[str]:
    """Every floor the report misses, as a sentence; a floor name it does not know is one too
    (a misspelt floor would otherwise never be checked)."""
    failures = [f"unknown retrieval floor {name!r}" for name in sorted(set(thresholds) - RETRIEVAL_FLOORS)]
    for key, minimum in (
        ("top1", "min_top1"),
        ("top3", "min_top3"),
        ("off_topic_rejection", "min_off_topic_rejection"),
    ):
        if minimum in thresholds and getattr(report, key) < thresholds[minimum]:
            failures.append(f"{key} {getattr(report, key):.1%} is below {thresholds[minimum]:.1%}")
    if "max_near_miss" in thresholds and report.near_miss > thresholds["max_near_miss"]:
        failures.append(
            f"near misses (not answered, a right passage first) {report.near_miss:.1%} "
            f"are above {thresholds['max_near_miss']:.1%}"
        )
    if "max_false_rejection" in thresholds and report.false_rejection > thresholds["max_false_rejection"]:
        failures.append(
            f"false rejection {report.false_rejection:.1%} is above {thresholds['max_false_rejection']:.1%}"
        )
    lead = thresholds.get("min_top1_lead_over_baselines")
    for baseline in baselines:
        if lead is not None and report.top1 - baseline.top1 < lead:
            failures.append(f"top1 lead over {baseline.name} is {report.top1 - baseline.top1:+.1%}, needs {lead:+.1%}")
    return failures


def run_evaluation(
    bot: Bot, eval_path: Path, thresholds: dict[str, float] | None = None, baselines: bool = True
) -> EvalReport:
    """The set's figures for `bot` (and the baselines'). The latency columns time retrieval only when
    the bot's answer cache is off (`crampbot eval` turns it off): else the warm-up below fills it."""
    cases = load_eval_set(eval_path)
    for case in cases.in_scope[:20]:
        bot.ask(case.question)  # warm caches so latency reflects steady state
    ours = evaluate_system("crampbot", crampbot_ranker(bot), cases)
    others: list[SystemReport] = []
    if baselines:
        passages = bot.knowledge.passages
        ranker, t = tfidf_baseline(passages, cases)
        others.append(evaluate_system("tfidf-default", ranker, cases, note=f"best threshold on this set: {t:.3f}"))
        bm25 = bm25_baseline(passages, cases)
        if bm25 is not None:
            ranker, t = bm25
            others.append(evaluate_system("bm25", ranker, cases, note=f"best threshold on this set: {t:.3f}"))
    failures = check_thresholds(ours, others, thresholds or {})
    return EvalReport(
        systems=[ours, *others],
        failures=failures,
        counts={"in_scope": len(cases.in_scope), "off_topic": len(cases.off_topic)},
    )


def format_report(report: EvalReport, show_wrong: int = 50) -> str:
    header = (
        f"{'system':<15}{'top-1':>8}{'top-3':>8}{'MRR':>7}{'off-topic rej.':>16}{'false rej.':>12}"
        f"{'near miss':>11}{'p50 ms':>9}{'p99 ms':>9}"
    )
    lines = [
        f"{report.counts['in_scope']} in-scope and {report.counts['off_topic']} off-topic questions",
        "",
        header,
        "-" * len(header),
    ]
    for s in report.systems:
        lines.append(
            f"{s.name:<15}{s.top1:>8.1%}{s.top3:>8.1%}{s.mrr:>7.3f}{s.off_topic_rejection:>16.1%}"
            f"{s.false_rejection:>12.1%}{s.near_miss:>11.1%}{s.p50_ms:>9.3f}{s.p99_ms:>9.3f}"
        )
    notes = [f"  {s.name}: {s.note}" for s in report.systems if s.note]
    if notes:
        lines += ["", "notes:", *notes]
    ours = report.systems[0]
    if ours.wrong:
        lines += [
            "",
            f"crampbot got {len(ours.wrong)} wrong"
            + (f" (first {show_wrong}):" if len(ours.wrong) > show_wrong else ":"),
        ]
        for w in ours.wrong[:show_wrong]:
            expected = w["expected"] if isinstance(w["expected"], str) else ", ".join(w["expected"])
            lines.append(
                f"  - {w['question']!r}\n      expected {expected}; got {w['got']} (rank of a right one: {w['rank']})"
            )
    lines += ["", "PASS: all thresholds met" if report.passed else "FAIL: " + "; ".join(report.failures)]
    return "\n".join(lines)
