"""`crampbot review` (bot/store/review.py, bot/cli.py): the candidate phrasings from suggestion clicks,
listed with stable ids, accepted into alternates.yaml, refused when unknown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.corpus.passages import load_passages
from bot.store.database import open_engine
from bot.store.records import ExchangeRecord, new_exchange_id
from bot.store.review import candidate_id, candidates, stored_clicks
from bot.store.store import Store
from bot.store.tables import utcnow

TYPED = "my legs go funny at the cinema"  # a fallback...
CHOSEN = "night-cramps-qa.how-can-i-prevent-leg-cramps"  # ...then this suggestion
OTHER = ("leg knots when I lie down", "night-cramps-qa.what-causes-leg-cramps-at-night")
KNOWN = ("How can I prevent leg cramps?", CHOSEN)  # the chosen passage's own question


def exchange(question: str, kind: str, **fields: Any) -> ExchangeRecord:
    values: dict[str, Any] = {
        "id": new_exchange_id(),
        "at": utcnow() - timedelta(days=1),
        "session": "s",
        "question": question,
        "kind": kind,
        "passage_id": None,
        "confidence": 0.1,
        "escalation": None,
        "escalation_from_earlier": False,
        "context_used": False,
        "knowledge_version": "v",
        "latency_ms": 1.0,
    }
    return ExchangeRecord(**(values | fields))


def store_clicks(url: str, clicks: list[tuple[str, str]]) -> None:
    """Each (typed, passage id): a fallback, then the suggestion chosen after it."""
    store = Store(url, retention_days=36_500).start()
    for typed, passage_id in clicks:
        fallback = exchange(typed, "fallback")
        store.record(fallback)
        store.record(
            exchange("a suggestion", "answer", passage_id=passage_id, via="suggestion", previous_id=fallback.id)
        )
    store.close()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("CRAMPBOT_DATABASE_URL", url)
    return url


@pytest.fixture
def traffic(url: str, knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store with three candidates (one of them the passage's own question) and a knowledge copy to edit."""
    store_clicks(url, [(TYPED, CHOSEN), (TYPED, CHOSEN), OTHER, KNOWN])
    monkeypatch.setenv("CRAMPBOT_KNOWLEDGE", str(knowledge_copy))
    yield knowledge_copy


def test_candidates_come_from_the_reports_suggestion_clicks_on_every_database(database_url: str) -> None:
    store_clicks(database_url, [(TYPED, CHOSEN), (TYPED, CHOSEN), OTHER])
    engine = open_engine(database_url)
    clicks = stored_clicks(engine, utcnow() - timedelta(days=7))
    engine.dispose()
    assert clicks == [
        {"question": TYPED, "passage_id": CHOSEN, "count": 2},
        {"question": OTHER[0], "passage_id": OTHER[1], "count": 1},
    ]


def test_a_candidate_the_passage_already_has_or_whose_passage_is_gone_is_marked(knowledge_dir: Path) -> None:
    clicks = [{"question": q, "passage_id": p, "count": 1} for q, p in [KNOWN, (TYPED, CHOSEN), (TYPED, "no.such")]]
    found = candidates(clicks, load_passages(knowledge_dir, curated=True))
    assert [c.status for c in found] == ["known", "new", "no_passage"]
    assert found[1].passage_question == "How can I prevent leg cramps?"


@pytest.mark.parametrize("typed", ["cramps, call me on [phone]", "mail [email] about it", "born [number], cramps"])
def test_a_candidate_holding_a_redaction_placeholder_is_marked_redacted(knowledge_dir: Path, typed: str) -> None:
    [found] = candidates([{"question": typed, "passage_id": CHOSEN, "count": 3}], load_passages(knowledge_dir))
    assert found.status == "redacted"


def test_accepting_a_redacted_candidate_skips_it_with_a_note(
    url: str, knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store_clicks(url, [("my legs cramp, call me on 555-1234", CHOSEN)])  # stored as "... on [phone]"
    monkeypatch.setenv("CRAMPBOT_KNOWLEDGE", str(knowledge_copy))
    before = (knowledge_copy / "alternates.yaml").read_bytes()
    assert main(["review", "--accept", candidate_id("my legs cramp, call me on [phone]", CHOSEN)]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "redact" in out and "unchanged" in out
    assert (knowledge_copy / "alternates.yaml").read_bytes() == before


def test_on_a_terminal_redacted_candidates_are_not_asked_about(
    traffic: Path, url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store_clicks(url, [("write to jo@example.com", CHOSEN)])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    answers = iter(["s", "s"])
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 candidate holding text redaction removed" in out and "[2/2]" in out
    assert "write to [email]" not in out


def test_without_a_terminal_review_lists_the_candidates_with_stable_ids(
    traffic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review"]) == 0
    first = capsys.readouterr().out
    assert main(["review"]) == 0
    assert capsys.readouterr().out == first
    assert f"{candidate_id(TYPED, CHOSEN)}     2x  {TYPED!r} -> {CHOSEN}" in first
    assert "(the passage already has it)" in first and "--accept ID" in first


def test_accepting_an_id_adds_the_phrasing_checks_and_says_how_to_reload(
    traffic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (traffic / "alternates.yaml").read_text(encoding="utf-8")
    assert main(["review", "--accept", candidate_id(TYPED, CHOSEN)]) == 0
    out = capsys.readouterr().out
    assert "added 1 phrasing" in out and "0 errors" in out
    assert "/api/admin/reload" in out and "restart" in out
    after = (traffic / "alternates.yaml").read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    [passage] = [p for p in load_passages(traffic, curated=True) if p.id == CHOSEN]
    assert TYPED in passage.alternates


def test_the_knowledge_option_names_the_folder_written(
    traffic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CRAMPBOT_KNOWLEDGE")
    assert main(["review", "--knowledge", str(traffic), "--accept", candidate_id(*OTHER)]) == 0
    assert OTHER[0] in (traffic / "alternates.yaml").read_text(encoding="utf-8")


def test_an_unknown_id_is_refused_and_nothing_is_written(traffic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (traffic / "alternates.yaml").read_bytes()
    assert main(["review", "--accept", candidate_id(TYPED, CHOSEN), "--accept", "0000000000"]) == 2
    assert "no candidate has the id '0000000000'" in capsys.readouterr().err
    assert (traffic / "alternates.yaml").read_bytes() == before


def test_a_phrasing_the_passage_already_has_is_not_added_twice(
    traffic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (traffic / "alternates.yaml").read_bytes()
    assert main(["review", "--accept", candidate_id(*KNOWN)]) == 0
    out = capsys.readouterr().out
    assert "already has" in out and "unchanged" in out
    assert (traffic / "alternates.yaml").read_bytes() == before


def test_export_writes_every_candidate_as_json(traffic: Path, tmp_path: Path) -> None:
    target = tmp_path / "candidates.json"
    assert main(["review", "--export", str(target)]) == 0
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert [(c["id"], c["count"], c["status"]) for c in exported] == [
        (candidate_id(TYPED, CHOSEN), 2, "new"),
        (candidate_id(*KNOWN), 1, "known"),
        (candidate_id(*OTHER), 1, "new"),
    ]


def test_on_a_terminal_it_asks_about_each_new_candidate(
    traffic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    answers = iter(["maybe", "s", "a"])  # an unclear answer is asked again
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert "[1/2]" in out and "[2/2]" in out and "added 1 phrasing" in out
    text = (traffic / "alternates.yaml").read_text(encoding="utf-8")
    assert OTHER[0] in text and TYPED not in text


def test_quitting_keeps_what_was_accepted_before(
    traffic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    answers = iter(["a", "q"])
    monkeypatch.setattr("builtins.input", lambda _: next(answers))
    assert main(["review"]) == 0
    assert TYPED in (traffic / "alternates.yaml").read_text(encoding="utf-8")


def test_without_a_store_review_says_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPBOT_DATABASE_URL", "none")
    assert main(["review"]) == 1
    assert "nothing is stored" in capsys.readouterr().err
