"""`bot.store.html`: the report as one self-contained page, user text escaped."""

from __future__ import annotations

import re
from typing import Any

from bot.store.html import render_html

QUESTION = '<script>alert("hi")</script> my legs & feet'


def report(**changes: Any) -> dict[str, Any]:
    kinds = ("answer", "fallback", "smalltalk", "not_covered", "other_topic")
    base: dict[str, Any] = {
        "since": "2026-12-01T00:00:00Z",
        "until": "2026-12-08T00:00:00Z",
        "exchanges": 30,
        "sessions": 12,
        "per_day": [{"day": f"2026-12-0{d}", "exchanges": d * 2, "fallback": d % 3} for d in range(1, 8)],
        "kinds": {k: {"count": 6, "share": 0.2} for k in kinds},
        "escalated": {"count": 1, "share": 0.0333, "emergency": 1, "doctor": 0},
        "context_used": {"count": 4, "share": 0.1333},
        "latency_ms": {"p50": 1.2, "p95": 3.4},
        "feedback": {"helpful": 3, "not_helpful": 1, "comments": 1},
        "not_helpful": [{"passage_id": "a.b", "not_helpful": 1, "helpful": 0, "comments": ["<b>too long</b>"]}],
        "unanswered": [
            {"question": QUESTION, "count": 4, "wordings": ["legs & feet?"], "nearest_passage": {"id": "x.y"}}
        ],
        "unanswered_groups": 1,
        "unanswered_ungrouped": 0,
        "declined": [{"question": "is <i>CBD</i> oil good?", "count": 3, "wordings": [], "subject": ["CBD <oil>"]}],
        "declined_groups": 1,
        "declined_ungrouped": 2,
        "suggestion_clicks": [{"question": QUESTION, "passage_id": "p.q", "count": 2}],
    }
    return base | changes


def test_the_page_needs_nothing_from_elsewhere() -> None:
    page = render_html(report())
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "@import" not in page


def test_what_users_typed_is_shown_escaped_never_run() -> None:
    page = render_html(report())
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; my legs &amp; feet" in page
    assert "&lt;b&gt;too long&lt;/b&gt;" in page and "<b>too long</b>" not in page


def test_the_day_chart_has_a_bar_pair_per_day_and_the_kinds_chart_a_bar_per_kind() -> None:
    page = render_html(report())
    days, kinds = page.split('aria-label="Questions per day"')[1].split('aria-label="Replies by kind"')
    assert days.count("<rect") == 2 * 7 and kinds.split("</svg>")[0].count("<rect") == 5
    assert "2026-12-07: 14 questions, 1 unanswered" in page


def test_an_empty_period_still_renders() -> None:
    empty = report(exchanges=0, per_day=[], not_helpful=[], unanswered=[], declined=[], suggestion_clicks=[])
    page = render_html(empty)
    assert "No days in the period." in page and page.count("None in this period.") == 4


def test_declined_questions_are_listed_with_what_no_article_covers() -> None:
    section = render_html(report()).split("<h2>Declined")[1].split("<h2>")[0]
    assert "is &lt;i&gt;CBD&lt;/i&gt; oil good?" in section and "CBD &lt;oil&gt;" in section
    assert "<td class=n>3</td>" in section and "2 more declined questions" in section
