"""`crampbot report`: what people asked over a period, read from the store.

`build_report()` returns a JSON-ready dict (the same for SQLite and PostgreSQL; every count comes
from SQL, the grouping from `bot.store.grouping`): volume per day, shares by kind, escalations,
feedback, the passages found not helpful with their comments, unanswered questions grouped by
meaning with the passage nearest to each, declined questions (`not_covered`: they name something
the articles never mention) grouped the same way with what they name, and the suggestions chosen
after a fallback (candidate alternate phrasings). The volume per day lists every day from `since`
(or from the oldest exchange stored, when that is later: an early `since` costs nothing) to
`until`. `format_report()` prints it for a terminal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, case, func, select, true

from bot.store.database import READ_ONLY
from bot.store.grouping import Grouping, group_counted
from bot.store.tables import exchanges, feedback, utcnow

KINDS = ("answer", "fallback", "smalltalk", "not_covered", "other_topic")
TOP = 20  # rows in each ranked list
MAX_COMMENTS = 5  # comments shown per passage

Nearest = Callable[[str], "dict[str, Any] | None"]  # a question -> the passage nearest to it
Uncovered = Callable[[str], "list[str] | None"]  # a declined question -> what it names that no article mentions


class PeriodError(ValueError):
    """A --since or --before value crampbot cannot read."""


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w` (that long ago) or a date/time in ISO form (`2026-12-01`, UTC), as naive UTC.
    Anything else, or a moment a datetime cannot hold (`999999999d`, `0001-01-01T00:00+01:00`),
    raises PeriodError: a client's mistake, never an OverflowError."""
    now = now or utcnow()
    value = text.strip()
    relative = re.fullmatch(r"(\d+)\s*([hdw])", value.casefold())
    try:
        if relative:
            amount, unit = int(relative.group(1)), relative.group(2)
            return now - {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        raise PeriodError(f"{_shown(text)} is out of range: give a moment between the years 1 and 9999") from None
    except ValueError:  # not a date, or a number too long to read
        if relative:
            raise PeriodError(f"{_shown(text)} is out of range: give a moment between the years 1 and 9999") from None
        raise PeriodError(f"{_shown(text)} is neither a duration (7d, 12h, 2w) nor a date (2026-12-01)") from None


def _shown(text: str, most: int = 40) -> str:
    """The value as an error message quotes it: cut short, since a client may send anything."""
    return repr(text if len(text) <= most else text[:most] + "…")


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def build_report(
    engine: Engine,
    since: datetime,
    until: datetime | None = None,
    *,
    nearest: Nearest | None = None,
    uncovered: Uncovered | None = None,
    top: int = TOP,
) -> dict[str, Any]:
    """The report for exchanges at `since` or later (and before `until`, default now), in one
    read transaction. `nearest` names the passage closest to an unanswered question (the CLI passes
    the retriever's best guess); without it, `nearest_passage` is null. `uncovered` names what a
    declined question asks about that the articles never mention (the subject is not stored: the
    CLI reads it again with the knowledge in use); without it, `subject` is null."""
    until = until or utcnow()
    given = (feedback.c.at >= since) & (feedback.c.at < until)  # feedback sent in the period: a small table
    with engine.connect().execution_options(**READ_ONLY) as connection, connection.begin():
        span = _stored_span(connection)
        period = _period(span, since, until)
        counts = _counts(connection, period)
        total = counts.total
        sessions = select(func.count(func.distinct(exchanges.c.session))).where(period)
        report: dict[str, Any] = {
            "since": since.isoformat(timespec="seconds") + "Z",
            "until": until.isoformat(timespec="seconds") + "Z",
            "exchanges": total,
            "sessions": connection.execute(sessions).scalar_one(),
            "per_day": _per_day(counts, _first_day(span, since), until),
            "kinds": {k: {"count": counts.kind(k), "share": _share(counts.kind(k), total)} for k in KINDS},
            "escalated": {
                "count": counts.emergency + counts.doctor,
                "share": _share(counts.emergency + counts.doctor, total),
                "emergency": counts.emergency,
                "doctor": counts.doctor,
            },
            "context_used": {"count": counts.context_used, "share": _share(counts.context_used, total)},
            "latency_ms": _latency(connection, period),
            "feedback": _feedback(connection, given),
            "not_helpful": _not_helpful(connection, given, top),
            **_question_groups(
                connection,
                period,
                "fallback",
                "unanswered",
                ("nearest_passage", nearest),
                top,
                without_text=counts.without_text.get("fallback", 0),
            ),
            **_question_groups(
                connection,
                period,
                "not_covered",
                "declined",
                ("subject", uncovered),
                top,
                without_text=counts.without_text.get("not_covered", 0),
            ),
            "suggestion_clicks": suggestion_clicks(connection, period, top),
        }
    return report


def period_of(connection: Connection, since: datetime, until: datetime) -> ColumnElement[bool]:
    """The exchanges of the period. When it holds everything stored (a young database, or a report
    as long as the retention), no condition at all: reading the whole table through the time index
    costs SQLite four times a plain scan."""
    return _period(_stored_span(connection), since, until)


def _period(span: tuple[datetime | None, datetime | None], since: datetime, until: datetime) -> ColumnElement[bool]:
    oldest, newest = span
    if oldest is None or newest is None or (since <= oldest and newest < until):
        return true()
    return (exchanges.c.at >= since) & (exchanges.c.at < until)


def _stored_span(connection: Connection) -> tuple[datetime | None, datetime | None]:
    """When the oldest and the newest stored exchange were asked (None, None for an empty store)."""
    oldest = connection.execute(select(func.min(exchanges.c.at))).scalar()  # two look-ups in the index:
    newest = connection.execute(select(func.max(exchanges.c.at))).scalar()  # SQLite scans it for both at once
    return oldest, newest


@dataclass
class _Counts:
    """The figures one pass over the period gives: exchanges by day and kind, and conditional counts."""

    by_day_and_kind: dict[tuple[str, str], int] = field(default_factory=dict)
    context_used: int = 0
    emergency: int = 0  # raised by the message itself, not carried from an earlier one
    doctor: int = 0
    without_text: dict[str, int] = field(default_factory=dict)  # by kind: stored with CRAMPBOT_STORE_QUESTIONS=false

    @property
    def total(self) -> int:
        return sum(self.by_day_and_kind.values())

    def kind(self, kind: str) -> int:
        return sum(n for (_, k), n in self.by_day_and_kind.items() if k == kind)


def _counts(connection: Connection, period: Any) -> _Counts:
    """One grouped scan of the period (a scan beats the time index when the period is most of the
    table, as a report's usually is)."""
    day = func.date(exchanges.c.at)  # SQLite: 'YYYY-MM-DD'; PostgreSQL: a date

    def count_if(condition: Any) -> Any:
        return func.count(case((condition, 1)))

    raised = exchanges.c.escalation.is_not(None) & ~exchanges.c.escalation_from_earlier
    rows = connection.execute(
        select(
            day,
            exchanges.c.kind,
            func.count(),
            count_if(exchanges.c.context_used),
            count_if(raised & (exchanges.c.escalation == "emergency")),
            count_if(raised & (exchanges.c.escalation == "doctor")),
            count_if(exchanges.c.question.is_(None)),
        )
        .where(period)
        .group_by(day, exchanges.c.kind)
    )
    counts = _Counts()
    for when, kind, n, context_used, emergency, doctor, without_text in rows:
        counts.by_day_and_kind[str(when), kind] = n
        counts.context_used += context_used
        counts.emergency += emergency
        counts.doctor += doctor
        counts.without_text[kind] = counts.without_text.get(kind, 0) + without_text
    return counts


def _first_day(span: tuple[datetime | None, datetime | None], since: datetime) -> datetime | None:
    """Where the volume per day starts: `since`, or the oldest exchange stored when that is later.
    The days before it hold nothing to count (nothing was stored yet, or it has been deleted), and
    listing them would make `since=0001-01-01` a list of 740,000 days. None: nothing is stored."""
    oldest, _ = span
    return None if oldest is None else max(since, oldest)


def _per_day(counts: _Counts, since: datetime | None, until: datetime) -> list[dict[str, Any]]:
    by_day: dict[str, dict[str, int]] = defaultdict(dict)
    for (when, kind), n in counts.by_day_and_kind.items():
        by_day[when][kind] = n
    days: list[dict[str, Any]] = []
    if since is None:
        return days
    current, last = since.date(), (until - timedelta(microseconds=1)).date()
    while current <= last:  # every day of the period, quiet ones too (a chart needs them)
        kinds = by_day.get(current.isoformat(), {})
        total = sum(kinds.values())
        days.append({"day": current.isoformat(), "exchanges": total, "fallback": kinds.get("fallback", 0)})
        current += timedelta(days=1)
    return days


def _latency(connection: Connection, period: Any) -> dict[str, float | None]:
    """The median and 95th percentile, to a tenth of a millisecond, from one scan's histogram (the
    same SQL everywhere; sorting every latency twice cost more than the rest of the report)."""
    tenths = func.round(exchanges.c.latency_ms * 10)
    histogram = sorted(
        (float(t), n) for t, n in connection.execute(select(tenths, func.count()).where(period).group_by(tenths))
    )
    total = sum(n for _, n in histogram)

    def percentile(q: float) -> float | None:
        seen = 0
        for value, n in histogram:
            seen += n
            if seen > q * total:
                return value / 10
        return None

    return {"p50": percentile(0.5), "p95": percentile(0.95)}


def _feedback(connection: Connection, given: Any) -> dict[str, int]:
    rows = connection.execute(
        select(
            func.count(case((feedback.c.helpful, 1))),
            func.count(case((~feedback.c.helpful, 1))),
            func.count(feedback.c.comment),
        ).where(given)
    ).one()
    return {"helpful": rows[0], "not_helpful": rows[1], "comments": rows[2]}


def _not_helpful(connection: Connection, given: Any, top: int) -> list[dict[str, Any]]:
    """Passages ranked by how often they were found not helpful, with the latest comments."""
    not_helpful = func.count(case((~feedback.c.helpful, 1)))
    ranked = connection.execute(
        select(exchanges.c.passage_id, not_helpful, func.count(case((feedback.c.helpful, 1))))
        .select_from(feedback.join(exchanges))
        .where(given & exchanges.c.passage_id.is_not(None))
        .group_by(exchanges.c.passage_id)
        .having(not_helpful > 0)
        .order_by(not_helpful.desc(), exchanges.c.passage_id)
        .limit(top)
    ).all()
    comments: dict[str, list[str]] = defaultdict(list)
    for passage_id, comment in connection.execute(
        select(exchanges.c.passage_id, feedback.c.comment)
        .select_from(feedback.join(exchanges))
        .where(given & ~feedback.c.helpful & feedback.c.comment.is_not(None))
        .where(exchanges.c.passage_id.in_([r[0] for r in ranked]))
        .order_by(feedback.c.at.desc())
    ):
        if len(comments[passage_id]) < MAX_COMMENTS:
            comments[passage_id].append(comment)
    return [
        {"passage_id": p, "not_helpful": bad, "helpful": good, "comments": comments.get(p, [])}
        for p, bad, good in ranked
    ]


def _grouped(connection: Connection, period: Any, kind: str) -> Grouping:
    """The questions of one kind of reply in the period, grouped by meaning."""
    asked = func.count()
    of_kind = period & (exchanges.c.kind == kind) & exchanges.c.question.is_not(None)
    questions = connection.execute(select(exchanges.c.question, asked).where(of_kind).group_by(exchanges.c.question))
    return group_counted((question, n) for question, n in questions)


def _question_groups(
    connection: Connection,
    period: Any,
    kind: str,
    name: str,
    about: tuple[str, Callable[[str], Any] | None],
    top: int,
    *,
    without_text: int,
) -> dict[str, Any]:
    """The questions of one reply kind, grouped by meaning, each with what `about` says of it: the
    unanswered ones (fallbacks) with their nearest passage, the declined ones (not covered) with what
    they name that no article mentions (a new article's subject, or a synonym missing)."""
    label, describe = about
    grouping = _grouped(connection, period, kind)
    return {
        name: [
            {
                "question": g.question,
                "count": g.count,
                "wordings": list(g.wordings),
                label: describe(g.question) if describe else None,
            }
            for g in grouping.groups[:top]
        ],
        f"{name}_groups": len(grouping.groups),
        f"{name}_ungrouped": grouping.ungrouped + without_text,  # too rare to compare, or stored without text
    }


def suggestion_clicks(connection: Connection, period: Any, top: int | None) -> list[dict[str, Any]]:
    """After a fallback, the suggestion the user chose: the unanswered wording is a candidate
    alternate phrasing of the chosen passage (`crampbot review` walks them). `top` None: all."""
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


def _group_lines(title: str, groups: list[dict[str, Any]], after: Callable[[dict[str, Any]], str]) -> list[str]:
    """A group list of the report for people: count, wording, what `after` adds, two other wordings."""
    if not groups:
        return []
    lines = ["", title]
    for group in groups:
        lines.append(f"  {group['count']:>5}  {group['question']}" + after(group))
        lines += [f"         also: {w}" for w in group["wordings"][:2]]
    return lines


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
    lines += _group_lines(
        f"unanswered ({report['unanswered_groups']} groups, most asked first):",
        report["unanswered"],
        lambda g: f"  -> nearest: {g['nearest_passage']['id']}" if g["nearest_passage"] else "",
    )
    lines += _group_lines(
        f"declined as not covered ({report['declined_groups']} groups, most asked first):",
        report["declined"],
        lambda g: f"  -> names: {', '.join(g['subject'])}" if g["subject"] else "",
    )
    if report["not_helpful"]:
        lines += ["", "not helpful (passage, not helpful / helpful):"]
        for row in report["not_helpful"]:
            lines.append(f"  {row['not_helpful']:>5} / {row['helpful']:<5} {row['passage_id']}")
            lines += [f"         “{c}”" for c in row["comments"]]
    if report["suggestion_clicks"]:
        lines += ["", "suggestions chosen after a fallback (candidate alternate phrasings):"]
        lines += [f"  {r['count']:>5}  {r['question']}  -> {r['passage_id']}" for r in report["suggestion_clicks"]]
    return "\n".join(lines)
