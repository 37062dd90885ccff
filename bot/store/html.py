"""`crampbot report --html FILE`: the report as one self-contained page, charts drawn in inline SVG.

No script, no stylesheet or font from elsewhere: the file can be mailed or opened offline. Every
text that came from a user (questions, comments) is escaped: the page shows what people typed, it
never runs it.
"""

from __future__ import annotations

from html import escape
from typing import Any

ANSWERED, UNANSWERED = "#0b5cad", "#d9822b"
KIND_LABELS = {
    "answer": "answered",
    "fallback": "unanswered (fallback)",
    "smalltalk": "small talk",
    "not_covered": "not covered (declined)",
    "other_topic": "another topic (declined)",
}

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2733; max-width: 980px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 2em; }
.period { color: #5a6673; margin-top: 0; }
.figures { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1.2em 0; }
.figure { border: 1px solid #d8dee4; border-radius: 8px; padding: 0.6em 1em; min-width: 8.5em; }
.figure b { display: block; font-size: 1.6em; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 0.35em 0.5em; vertical-align: top; }
tr + tr td { border-top: 1px solid #eef1f4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 4em; }
.muted { color: #5a6673; font-size: 0.9em; } svg text { font: 12px system-ui, sans-serif; fill: #1d2733; }
"""


def render_html(report: dict[str, Any]) -> str:
    """The whole page for a report from `build_report()`."""
    kinds, feedback, escalated = report["kinds"], report["feedback"], report["escalated"]
    figures = [
        ("exchanges", f"{report['exchanges']:,}"),
        ("conversations", f"{report['sessions']:,}"),
        ("answered", f"{kinds['answer']['share']:.0%}"),
        ("unanswered", f"{kinds['fallback']['share']:.0%}"),
        ("escalated", f"{escalated['share']:.1%}"),
        ("helpful", f"{feedback['helpful']} / {feedback['helpful'] + feedback['not_helpful']}"),
    ]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>crampbot report {escape(report['since'][:10])} to {escape(report['until'][:10])}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What people asked crampbot</h1>",
        f'<p class="period">{escape(report["since"])} to {escape(report["until"])} (UTC)</p>',
        '<div class="figures">',
        *(f'<div class="figure"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in figures),
        "</div>",
        "<h2>Questions per day</h2>",
        _days_chart(report["per_day"]),
        "<h2>What the replies were</h2>",
        _kinds_chart(kinds),
        f'<p class="muted">Red-flag advice raised by {escalated["count"]} messages: '
        f"{escalated['emergency']} emergency, {escalated['doctor']} see a doctor. "
        f"Follow-ups read with the conversation: {report['context_used']['count']}.</p>",
        "<h2>Unanswered questions, grouped</h2>",
        _unanswered(report),
        "<h2>Declined: subjects the articles do not cover</h2>",
        _declined(report),
        "<h2>Passages found not helpful</h2>",
        _not_helpful(report["not_helpful"]),
        "<h2>Suggestions chosen after a fallback</h2>",
        '<p class="muted">Each is a candidate alternate phrasing for the passage the user chose.</p>',
        _table(
            ["asked", "then chose", "times"],
            [
                [escape(r["question"]), f"<code>{escape(r['passage_id'])}</code>", str(r["count"])]
                for r in report["suggestion_clicks"]
            ],
        ),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _days_chart(days: list[dict[str, Any]], width: int = 940, height: int = 220) -> str:
    """Bars per day: answered below, unanswered stacked on top."""
    if not days:
        return '<p class="muted">No days in the period.</p>'
    left, bottom, top = 64, 28, 12
    most = max((d["exchanges"] for d in days), default=0) or 1
    slot = (width - left) / len(days)
    bar = max(2.0, slot * 0.7)
    scale = (height - bottom - top) / most
    shapes = [
        f'<svg role="img" aria-label="Questions per day" viewBox="0 0 {width} {height}" width="100%">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#99a3ad"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{most:,}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(days) // 14)
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        answered, unanswered = day["exchanges"] - day["fallback"], day["fallback"]
        y_answered = height - bottom - answered * scale
        y_unanswered = y_answered - unanswered * scale
        title = f"{day['day']}: {day['exchanges']} questions, {unanswered} unanswered"
        shapes += [
            f"<g><title>{escape(title)}</title>",
            f'<rect x="{x:.1f}" y="{y_answered:.1f}" width="{bar:.1f}" height="{answered * scale:.1f}" '
            f'fill="{ANSWERED}"/>',
            f'<rect x="{x:.1f}" y="{y_unanswered:.1f}" width="{bar:.1f}" height="{unanswered * scale:.1f}" '
            f'fill="{UNANSWERED}"/></g>',
        ]
        if i % label_every == 0:
            shapes.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle">{escape(day["day"][5:])}</text>'
            )
    shapes.append("</svg>")
    legend = (
        f'<p class="muted"><span style="color:{ANSWERED}">■</span> answered or declined &nbsp; '
        f'<span style="color:{UNANSWERED}">■</span> unanswered (fallback)</p>'
    )
    return "\n".join(shapes) + "\n" + legend


def _kinds_chart(kinds: dict[str, dict[str, Any]], width: int = 940) -> str:
    """One horizontal bar per kind of reply, as a share of all exchanges."""
    row, label_width = 26, 200
    height = row * len(kinds) + 8
    shapes = [f'<svg role="img" aria-label="Replies by kind" viewBox="0 0 {width} {height}" width="100%">']
    for i, (kind, value) in enumerate(kinds.items()):
        y = 4 + i * row
        length = (width - label_width - 90) * value["share"]
        colour = UNANSWERED if kind == "fallback" else ANSWERED
        shapes += [
            f'<text x="0" y="{y + 15}">{escape(KIND_LABELS.get(kind, kind))}</text>',
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row - 8}" fill="{colour}"/>',
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{value["share"]:.1%} ({value["count"]:,})</text>',
        ]
    shapes.append("</svg>")
    return "\n".join(shapes)


def _unanswered(report: dict[str, Any]) -> str:
    rows = []
    for group in report["unanswered"]:
        near = group["nearest_passage"]
        wordings = "".join(f'<div class="muted">also: {escape(w)}</div>' for w in group["wordings"][:3])
        nearest = '<span class="muted">none</span>'
        if near:
            score = f' <span class="muted">({near["score"]:.2f})</span>' if "score" in near else ""
            nearest = f"<code>{escape(near['id'])}</code>{score}"
        rows.append([f"{escape(group['question'])}{wordings}", nearest, str(group["count"])])
    note = (
        f'<p class="muted">{report["unanswered_groups"]} groups; {report["unanswered_ungrouped"]} more unanswered '
        "questions were too rare to compare or stored without their text.</p>"
    )
    headings = ["question (most asked wording)", "nearest passage (retrieval score)", "times"]
    return _table(headings, rows) + "\n" + note


def _declined(report: dict[str, Any]) -> str:
    rows = []
    for group in report["declined"]:
        wordings = "".join(f'<div class="muted">also: {escape(w)}</div>' for w in group["wordings"][:3])
        named = group["subject"]
        subject = escape(", ".join(named)) if named else '<span class="muted">not named</span>'
        rows.append([f"{escape(group['question'])}{wordings}", subject, str(group["count"])])
    note = (
        f'<p class="muted">{report["declined_groups"]} groups; {report["declined_ungrouped"]} more '
        "declined questions were too rare to compare or stored without their text.</p>"
    )
    return _table(["question (most asked wording)", "what no article covers", "times"], rows) + "\n" + note


def _not_helpful(rows: list[dict[str, Any]]) -> str:
    cells = []
    for row in rows:
        comments = "".join(f'<div class="muted">“{escape(c)}”</div>' for c in row["comments"])
        cells.append(
            [f"<code>{escape(row['passage_id'])}</code>{comments}", str(row["not_helpful"]), str(row["helpful"])]
        )
    return _table(["passage, with the latest comments", "not helpful", "helpful"], cells)


def _table(headings: list[str], rows: list[list[str]]) -> str:
    """A table of cells already escaped; the last column is a number."""
    if not rows:
        return '<p class="muted">None in this period.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i == len(r) - 1 else ''}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"
