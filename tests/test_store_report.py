"""`bot.store.report`: the report's JSON, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from bot.store.database import open_engine
from bot.store.records import ExchangeRecord, FeedbackRecord, new_exchange_id
from bot.store.report import PeriodError, build_report, format_report, parse_moment
from bot.store.store import Store

NOW = datetime(2026, 12, 8, 12, 0)
SENT = NOW - timedelta(hours=20)  # when the feedback of the week was sent


def asked(question: str | None, kind: str = "answer", *, days_ago: float = 1, **fields: Any) -> ExchangeRecord:
    values: dict[str, Any] = {
        "id": new_exchange_id(),
        "at": NOW - timedelta(days=days_ago),
        "session": None,
        "question": question or "",
        "kind": kind,
        "passage_id": "night-cramps-qa.what-causes-leg-cramps" if kind == "answer" else None,
        "confidence": 0.3 if kind == "answer" else 0.05,
        "escalation": None,
        "escalation_from_earlier": False,
        "context_used": False,
        "knowledge_version": "abc123",
        "latency_ms": 2.0,
    }
    return ExchangeRecord(**(values | fields))


@pytest.fixture
def week(database_url: str) -> Iterator[str]:
    """A week of traffic with known figures."""
    store = Store(database_url, retention_days=36_500).start()
    records = [
        *(asked("What causes leg cramps at night?", days_ago=d) for d in (1, 1, 2, 3)),
        asked("why do my calves cramp", days_ago=2, passage_id="understanding-nocturnal.causes"),
        asked("hello", "smalltalk", passage_id=None),
        asked("is CBD oil good for cramps?", "not_covered"),
        asked("I have chest pain and cramps", "fallback", escalation="emergency"),
        asked("and now?", "answer", escalation="emergency", escalation_from_earlier=True, context_used=True),
        asked("my calf is swollen", "answer", escalation="doctor"),
        asked("how do I reset my password?", "fallback", days_ago=1),
        asked("How do I reset my password", "fallback", days_ago=2),
        asked("how do i reset my pasword", "fallback", days_ago=3),
        asked("who won the champions league final", "fallback"),
        asked("old question", "fallback", days_ago=30),  # outside the week
        asked(None, "fallback"),  # stored without its text (CRAMPBOT_STORE_QUESTIONS=false)
    ]
    for record in records:
        store.record(record)
    store.flush()
    first, second = records[0].id, records[4].id
    unanswered, clicked = asked("my legs go funny at the cinema", "fallback"), None
    clicked = asked("How can I prevent leg cramps?", via="suggestion", previous_id=unanswered.id,
                    passage_id="night-cramps-qa.how-to-prevent")  # fmt: skip
    for record in (unanswered, clicked):
        store.record(record)
    store.flush()
    for given in (
        FeedbackRecord(first, helpful=False, comment="did not say why at night", at=SENT),
        FeedbackRecord(records[1].id, helpful=False, at=SENT),
        FeedbackRecord(records[2].id, helpful=True, at=SENT),
        FeedbackRecord(second, helpful=True, comment="thanks", at=SENT),
    ):
        store._writer.put(given)  # the store's own check needs no exercise here
    store.close()
    _blank_the_metadata_only_question(database_url, records[-1].id)
    yield database_url


def _blank_the_metadata_only_question(url: str, exchange_id: str) -> None:
    from sqlalchemy import update

    from bot.store.tables import exchanges

    engine = open_engine(url)
    with engine.begin() as connection:
        connection.execute(update(exchanges).where(exchanges.c.id == exchange_id).values(question=None))
    engine.dispose()


def report_of(url: str, **options: Any) -> dict[str, Any]:
    engine = open_engine(url)
    try:
        return build_report(engine, NOW - timedelta(days=7), NOW, **options)
    finally:
        engine.dispose()


def test_the_report_counts_the_exchanges_of_the_period(week: str) -> None:
    report = report_of(week)
    assert report["exchanges"] == 17  # the 30-day-old one is outside
    assert report["since"] == "2026-12-01T12:00:00Z" and report["until"] == "2026-12-08T12:00:00Z"
    assert json.loads(json.dumps(report)) == report  # plain JSON


def test_the_report_gives_the_volume_of_every_day_quiet_ones_included(week: str) -> None:
    per_day = report_of(week)["per_day"]
    assert [d["day"] for d in per_day] == [f"2026-12-0{d}" for d in range(1, 9)]
    by_day = {d["day"]: d for d in per_day}
    assert by_day["2026-12-07"]["exchanges"] == 12 and by_day["2026-12-06"]["exchanges"] == 3
    assert by_day["2026-12-05"] == {"day": "2026-12-05", "exchanges": 2, "fallback": 1}
    assert by_day["2026-12-02"]["exchanges"] == 0 and sum(d["exchanges"] for d in per_day) == 17


def test_the_volume_per_day_starts_at_the_oldest_exchange_stored(week: str) -> None:
    engine = open_engine(week)
    try:
        report = build_report(engine, datetime(1, 1, 1), NOW)
    finally:
        engine.dispose()
    assert report["per_day"][0] == {"day": "2026-11-08", "exchanges": 1, "fallback": 1}  # the 30-day-old one
    assert len(report["per_day"]) == 31 and len(json.dumps(report)) < 10_000


def test_the_report_gives_every_kinds_count_and_share(week: str) -> None:
    kinds = report_of(week)["kinds"]
    assert list(kinds) == ["answer", "fallback", "smalltalk", "not_covered", "other_topic"]
    assert {k: v["count"] for k, v in kinds.items()} == {
        "answer": 8,
        "fallback": 7,
        "smalltalk": 1,
        "not_covered": 1,
        "other_topic": 0,
    }
    assert kinds["fallback"]["share"] == round(7 / 17, 4)


def test_escalations_count_the_messages_that_raised_them(week: str) -> None:
    report = report_of(week)
    assert report["escalated"] == {"count": 2, "share": round(2 / 17, 4), "emergency": 1, "doctor": 1}
    assert report["context_used"]["count"] == 1


def test_the_report_counts_feedback_and_ranks_unhelpful_passages_with_comments(week: str) -> None:
    report = report_of(week)
    assert report["feedback"] == {"helpful": 2, "not_helpful": 2, "comments": 2}
    assert report["not_helpful"] == [
        {
            "passage_id": "night-cramps-qa.what-causes-leg-cramps",
            "not_helpful": 2,
            "helpful": 1,
            "comments": ["did not say why at night"],
        }
    ]


def test_unanswered_questions_are_grouped_by_wording_and_ranked_by_count(week: str) -> None:
    report = report_of(week)
    first, *rest = report["unanswered"]
    assert first["count"] == 3 and first["question"].casefold().startswith("how do i reset my pas")
    assert len(first["wordings"]) == 2
    assert {g["question"] for g in rest} == {
        "I have chest pain and cramps",
        "who won the champions league final",
        "my legs go funny at the cinema",
    }
    assert all(g["count"] == 1 and g["nearest_passage"] is None for g in rest)
    assert report["unanswered_groups"] == 4 and report["unanswered_ungrouped"] == 1


def test_each_unanswered_group_names_its_nearest_passage(week: str) -> None:
    report = report_of(week, nearest=lambda q: {"id": "p", "question": q.upper(), "score": 0.1})
    assert all(g["nearest_passage"]["question"] == g["question"].upper() for g in report["unanswered"])


def test_declined_questions_are_grouped_like_the_unanswered_with_what_they_name(week: str) -> None:
    report = report_of(week, uncovered=lambda q: ["CBD oil"] if "CBD" in q else None)
    assert report["declined"] == [
        {"question": "is CBD oil good for cramps?", "count": 1, "wordings": [], "subject": ["CBD oil"]}
    ]
    assert report["declined_groups"] == 1 and report["declined_ungrouped"] == 0
    assert report_of(week)["declined"][0]["subject"] is None  # not stored: named only when asked to read it
    assert "declined as not covered" in format_report(report) and "names: CBD oil" in format_report(report)


def test_suggestions_chosen_after_a_fallback_are_candidate_phrasings(week: str) -> None:
    assert report_of(week)["suggestion_clicks"] == [
        {"question": "my legs go funny at the cinema", "passage_id": "night-cramps-qa.how-to-prevent", "count": 1}
    ]


def test_feedback_is_counted_in_the_period_it_was_sent(week: str) -> None:
    engine = open_engine(week)
    try:
        later = build_report(engine, NOW, NOW + timedelta(days=7))
    finally:
        engine.dispose()
    assert later["feedback"] == {"helpful": 0, "not_helpful": 0, "comments": 0} and later["not_helpful"] == []


def test_the_lists_are_cut_at_top(week: str) -> None:
    assert len(report_of(week, top=1)["unanswered"]) == 1


def test_an_empty_store_gives_a_report_of_zeros(database_url: str) -> None:
    Store(database_url).start().close()
    report = report_of(database_url)
    assert report["exchanges"] == 0 and report["unanswered"] == [] and report["latency_ms"]["p50"] is None
    assert report["per_day"] == []  # no day holds anything to count
    assert all(k["share"] == 0 for k in report["kinds"].values())
    assert "0 exchanges" in format_report(report)


def test_the_text_report_shows_the_figures_and_the_lists(week: str) -> None:
    text = format_report(report_of(week, nearest=lambda q: {"id": "some.passage", "question": q, "score": 0.1}))
    assert text.startswith("17 exchanges")
    assert "fallback 7 (41%)" in text and "nearest: some.passage" in text
    assert "did not say why at night" in text and "my legs go funny at the cinema" in text


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("12h", NOW - timedelta(hours=12)),
        ("2w", NOW - timedelta(days=14)),
        ("2026-12-01", datetime(2026, 12, 1)),
        ("2026-12-01T08:30", datetime(2026, 12, 1, 8, 30)),
        ("2026-12-01T08:30+01:00", datetime(2026, 12, 1, 7, 30)),
    ],
)
def test_periods_are_read_as_ages_or_dates(text: str, moment: datetime) -> None:
    assert parse_moment(text, now=NOW) == moment


@pytest.mark.parametrize("text", ["", "seven days", "7y", "2026-13-01"])
def test_an_unreadable_period_says_what_it_expected(text: str) -> None:
    with pytest.raises(PeriodError, match="duration"):
        parse_moment(text, now=NOW)


OUT_OF_RANGE = ["999999999d", "1000000d", "40000000h", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00",
                "9" * 5000 + "d"]  # fmt: skip


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_a_moment_no_date_can_hold_is_an_unreadable_period(text: str) -> None:
    with pytest.raises(PeriodError, match="out of range") as raised:
        parse_moment(text, now=NOW)
    assert len(str(raised.value)) < 120  # the value quoted, cut short


@hypothesis.given(st.one_of(st.text(), st.from_regex(r"\A\s*\d{1,12}\s*[hdwHDW]\s*\Z"), st.datetimes().map(str)))
def test_any_text_is_a_moment_or_an_unreadable_period(text: str) -> None:
    try:
        moment = parse_moment(text, now=NOW)
    except PeriodError:
        return
    assert isinstance(moment, datetime) and moment.tzinfo is None
