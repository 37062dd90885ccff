"""`crampbot report`: what people asked over a period, read from the store.

`build_report()` returns a JSON-ready dict (the same for SQLite and PostgreSQL; every count comes
from SQL, the grouping from `bot.store.grouping`): volume per day, shares by kind, escalations,
feedback, the passages found not helpful with their comments, unanswered questions grouped by
meaning with the passage nearest to each, and the suggestions chosen after a fallback (candidate
alternate phrasings). `format_report()` prints it for a terminal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from bot.store.database import READ_ONLY
from bot.store.grouping import group_questions
from bot.store.tables import exchanges, feedback, utcnow

KINDS = ("answer", "fallback", "smalltalk", "not_covered", "other_topic")
TOP = 20  # rows in each ranked list
MAX_COMMENTS = 5  # comments shown per passage

Nearest = Callable[[str], "dict[str, Any] | None"]  # a question -> the passage nearest to it


class PeriodError(ValueError):
    """A --since or --before value crampbot cannot read."""


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w` (that long ago) or a date/time in ISO form (`2026-12-01`, UTC), as naive UTC."""
    now = now or utcnow()
    value = text.strip()
    relative = re.fullmatch(r"(\d+)\s*([hdw])", value.casefold())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{text!r} is neither a duration (7d, 12h, 2w) nor a date (2026-12-01)") from None
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def build_report(
    engine: Engine,
    since: datetime,
    until: datetime | None = None,
    *,
    nearest: Nearest | None = None,
    top: int = TOP,
) -> dict[str, Any]:
    """The report for exchanges at `since` or later (and before `until`, default now), in one
    read transaction. `nearest` names the passage closest to an unanswered question (the CLI passes
    the retriever's best guess); without it, `nearest_passage` is null."""
    until = until or utcnow()
    period = (exchanges.c.at >= since) & (exchanges.c.at < until)
    with engine.connect().execution_options(**READ_ONLY) as connection, connection.begin():
        total = connection.execute(select(func.count()).select_from(exchanges).where(period)).scalar_one()
        report: dict[str, Any] = {
            "since": since.isoformat(timespec="seconds") + "Z",
            "until": until.isoformat(timespec="seconds") + "Z",
            "exchanges": total,
            "sessions": connection.execute(
                select(func.count(func.distinct(exchanges.c.session))).where(period)
            ).scalar_one(),
            "per_day": _per_day(connection, period, since, until),
            "kinds": _kinds(connection, period, total),
            "escalated": _escalated(connection, period, total),
            "context_used": _context_used(connection, period, total),
            "latency_ms": _latency(connection, period),
            "feedback": _feedback(connection, period),
            "not_helpful": _not_helpful(connection, period, top),
            **_unanswered(connection, period, nearest, top),
            "suggestion_clicks": _suggestion_clicks(connection, period, top),
        }
    return report


def _per_day(connection: Connection, period: Any, since: datetime, until: datetime) -> list[dict[str, Any]]:
    day = func.date(exchanges.c.at)  # SQLite: 'YYYY-MM-DD'; PostgreSQL: a date
    counted = connection.execute(
        select(day, exchanges.c.kind, func.count()).where(period).group_by(day, exchanges.c.kind)
    ).all()
    by_day: dict[str, dict[str, int]] = defaultdict(dict)
    for when, kind, count in counted:
        by_day[str(when)][kind] = count
    days = []
    current, last = since.date(), (until - timedelta(microseconds=1)).date()
    while current <= last:  # every day of the period, quiet ones too (a chart needs them)
        kinds = by_day.get(current.isoformat(), {})
        days.append(
            {"day": current.isoformat(), "exchanges": sum(kinds.values()), "fallback": kinds.get("fallback", 0)}
        )
        current += timedelta(days=1)
    return days


def _kinds(connection: Connection, period: Any, total: int) -> dict[str, dict[str, Any]]:
    by_kind = select(exchanges.c.kind, func.count()).where(period).group_by(exchanges.c.kind)
    counts: dict[str, int] = dict(connection.execute(by_kind).all())
    return {kind: {"count": counts.get(kind, 0), "share": _share(counts.get(kind, 0), total)} for kind in KINDS}


def _escalated(connection: Connection, period: Any, total: int) -> dict[str, Any]:
    """Messages that raised a red flag themselves (not the ones that carried an earlier one)."""
    raised = period & exchanges.c.escalation.is_not(None) & ~exchanges.c.escalation_from_earlier
    by_level = select(exchanges.c.escalation, func.count()).where(raised).group_by(exchanges.c.escalation)
    counts: dict[str, int] = dict(connection.execute(by_level).all())
    count = sum(counts.values())
    return {
        "count": count,
        "share": _share(count, total),
        "emergency": counts.get("emergency", 0),
        "doctor": counts.get("doctor", 0),
    }


def _context_used(connection: Connection, period: Any, total: int) -> dict[str, Any]:
    count = connection.execute(select(func.count()).where(period & exchanges.c.context_used)).scalar_one()
    return {"count": count, "share": _share(count, total)}


def _latency(connection: Connection, period: Any) -> dict[str, float | None]:
    values = connection.execute(select(exchanges.c.latency_ms).where(period)).scalars().all()
    return {"p50": _percentile(values, 0.5), "p95": _percentile(values, 0.95)}


def _feedback(connection: Connection, period: Any) -> dict[str, int]:
    rows = connection.execute(
        select(
            func.count(case((feedback.c.helpful, 1))),
            func.count(case((~feedback.c.helpful, 1))),
            func.count(feedback.c.comment),
        )
        .select_from(feedback.join(exchanges))
        .where(period)
    ).one()
    return {"helpful": rows[0], "not_helpful": rows[1], "comments": rows[2]}


def _not_helpful(connection: Connection, period: Any, top: int) -> list[dict[str, Any]]:
    """Passages ranked by how often they were found not helpful, with the latest comments."""
    not_helpful = func.count(case((~feedback.c.helpful, 1)))
    ranked = connection.execute(
        select(exchanges.c.passage_id, not_helpful, func.count(case((feedback.c.helpful, 1))))
        .select_from(feedback.join(exchanges))
        .where(period & exchanges.c.passage_id.is_not(None))
        .group_by(exchanges.c.passage_id)
        .having(not_helpful > 0)
        .order_by(not_helpful.desc(), exchanges.c.passage_id)
        .limit(top)
    ).all()
    comments: dict[str, list[str]] = defaultdict(list)
    for passage_id, comment in connection.execute(
        select(exchanges.c.passage_id, feedback.c.comment)
        .select_from(feedback.join(exchanges))
        .where(period & ~feedback.c.helpful & feedback.c.comment.is_not(None))
        .where(exchanges.c.passage_id.in_([r[0] for r in ranked]))
        .order_by(feedback.c.at.desc())
    ):
        if len(comments[passage_id]) < MAX_COMMENTS:
            comments[passage_id].append(comment)
    return [
        {"passage_id": p, "not_helpful": bad, "helpful": good, "comments": comments.get(p, [])}
        for p, bad, good in ranked
    ]


def _unanswered(connection: Connection, period: Any, nearest: Nearest | None, top: int) -> dict[str, Any]:
    fallback = period & (exchanges.c.kind == "fallback")
    questions = connection.execute(select(exchanges.c.question).where(fallback & exchanges.c.question.is_not(None)))
    grouping = group_questions(q for (q,) in questions)
    without_text = connection.execute(
        select(func.count()).where(fallback & exchanges.c.question.is_(None))
    ).scalar_one()
    return {
        "unanswered": [
            {
                "question": g.question,
                "count": g.count,
                "wordings": list(g.wordings),
                "nearest_passage": nearest(g.question) if nearest else None,
            }
            for g in grouping.groups[:top]
        ],
        "unanswered_groups": len(grouping.groups),
        "unanswered_ungrouped": grouping.ungrouped + without_text,  # too rare to compare, or stored without text
    }


def _suggestion_clicks(connection: Connection, period: Any, top: int) -> list[dict[str, Any]]:
    """After a fallback, the suggestion the user chose: the unanswered wording is a candidate
    alternate phrasing of the chosen passage."""
    before = exchanges.alias("before")
    count = func.count()
    rows = connection.execute(
        select(before.c.question, exchanges.c.passage_id, count)
        .select_from(exchanges.join(before, exchanges.c.previous_id == before.c.id))
        .where(period & (exchanges.c.via == "suggestion") & exchanges.c.passage_id.is_not(None))
        .where((before.c.kind == "fallback") & before.c.question.is_not(None))
        .group_by(before.c.question, exchanges.c.passage_id)
        .order_by(count.desc(), before.c.question)
        .limit(top)
    ).all()
    return [{"question": q, "passage_id": p, "count": n} for q, p, n in rows]


def format_report(report: dict[str, Any]) -> str:
    """The report for a terminal: the figures first, then the lists maintainers act on."""
    total = report["exchanges"]
    lines = [f"{total} exchanges in {report['sessions']} sessions, {report['since']} to {report['until']}", ""]
    lines.append("by kind:    " + ", ".join(f"{k} {v['count']} ({v['share']:.0%})" for k, v in report["kinds"].items()))
    esc = report["escalated"]
    lines.append(
        f"escalated:  {esc['count']} ({esc['share']:.0%}): emergency {esc['emergency']}, doctor {esc['doctor']}"
    )
    fb = report["feedback"]
    lines.append(f"feedback:   helpful {fb['helpful']}, not helpful {fb['not_helpful']}, comments {fb['comments']}")
    if report["latency_ms"]["p50"] is not None:
        lines.append(f"latency:    p50 {report['latency_ms']['p50']} ms, p95 {report['latency_ms']['p95']} ms")
    lines += ["", "per day:"]
    lines += [f"  {d['day']}  {d['exchanges']:>6}  ({d['fallback']} unanswered)" for d in report["per_day"]]
    if report["unanswered"]:
        lines += ["", f"unanswered ({report['unanswered_groups']} groups, most asked first):"]
        for group in report["unanswered"]:
            near = group["nearest_passage"]
            lines.append(
                f"  {group['count']:>5}  {group['question']}" + (f"  -> nearest: {near['id']}" if near else "")
            )
            lines += [f"         also: {w}" for w in group["wordings"][:2]]
    if report["not_helpful"]:
        lines += ["", "not helpful (passage, not helpful / helpful):"]
        for row in report["not_helpful"]:
            lines.append(f"  {row['not_helpful']:>5} / {row['helpful']:<5} {row['passage_id']}")
            lines += [f"         “{c}”" for c in row["comments"]]
    if report["suggestion_clicks"]:
        lines += ["", "suggestions chosen after a fallback (candidate alternate phrasings):"]
        lines += [f"  {r['count']:>5}  {r['question']}  -> {r['passage_id']}" for r in report["suggestion_clicks"]]
    return "\n".join(lines)
