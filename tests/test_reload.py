"""Live reload: token guard, new answers without a restart, broken edits rejected, in-flight requests undisturbed."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot, Reply
from bot.cli import main
from bot.corpus.check import CheckReport, run_check
from bot.retrieval.retriever import RetrieverConfig
from bot.settings import SettingsError, get_settings
from bot.web.app import create_app
from bot.web.reload import KnowledgeHolder, KnowledgeRefused

TOKEN = "s3cret-token-for-the-reload-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = "do compression socks help night cramps"
SOCKS = """---
question: Do compression socks help night cramps?
sources: [https://www.example.org/compression-socks]
---
The articles in this knowledge base do not cover compression socks. Ask a healthcare professional
whether they suit you.
"""


def add_socks(knowledge: Path) -> None:
    (knowledge / "faq" / "socks.md").write_text(SOCKS, encoding="utf-8")


def answer_id(client: TestClient, question: str = QUESTION) -> str | None:
    passage = client.post("/api/ask", json={"question": question}).json()["passage"]
    return passage["id"] if passage else None


@pytest.fixture()
def client(knowledge_copy: Path) -> Iterator[TestClient]:
    settings = get_settings({"CRAMPBOT_KNOWLEDGE": str(knowledge_copy), "CRAMPBOT_ADMIN_TOKEN": TOKEN})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_admin_routes_do_not_exist_without_a_token(bot: Bot) -> None:
    with TestClient(create_app(get_settings({}), bot=bot)) as plain:
        assert plain.post("/api/admin/reload", headers=AUTH).status_code == 404
        assert "/api/admin/reload" not in plain.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic abc"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
    ],
)
def test_reload_needs_the_right_bearer_token(client: TestClient, headers: dict[str, str], status: int) -> None:
    response = client.post("/api/admin/reload", headers=headers)
    assert response.status_code == status and response.json()["error"]
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_reload_answers_a_new_entry_without_a_restart(client: TestClient, knowledge_copy: Path) -> None:
    before = client.get("/api/health").json()
    assert answer_id(client) != "faq.socks"
    add_socks(knowledge_copy)
    response = client.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "reloaded" and data["previous_version"] == before["version"] != data["version"]
    assert data["errors"] == [] and data["passages"] == before["passages"] + 1
    assert answer_id(client) == "faq.socks"
    assert client.get("/api/health").json()["version"] == data["version"]


def test_reload_without_changes_says_unchanged(client: TestClient) -> None:
    data = client.post("/api/admin/reload", headers=AUTH).json()
    assert data["status"] == "unchanged" and data["version"] == data["previous_version"]


def test_broken_edit_keeps_serving_the_last_good_knowledge_and_reports_errors(
    client: TestClient, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    version = client.get("/api/health").json()["version"]
    add_socks(knowledge_copy)
    (knowledge_copy / "faq" / "broken.md").write_text("---\nquestion: Why?\nsources: [x]\n---\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.web.reload"):
        response = client.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 409
    data = response.json()
    assert data["status"] == "rejected" and data["version"] == version
    assert {
        "level": "error",
        "file": "faq/broken.md",
        "line": 5,
        "message": "the answer is empty: write it below the closing '---'",
    } in data["errors"]
    assert "faq/broken.md:5: error: the answer is empty" in caplog.text
    assert client.get("/api/health").json()["version"] == version
    assert answer_id(client) != "faq.socks"  # the good new entry waits for the broken one to be fixed
    status = client.get("/api/admin/status", headers=AUTH).json()
    assert status["last_reload"]["status"] == "rejected" and status["version"] == version

    (knowledge_copy / "faq" / "broken.md").unlink()
    assert client.post("/api/admin/reload", headers=AUTH).json()["status"] == "reloaded"
    assert answer_id(client) == "faq.socks"


def test_a_file_the_loader_cannot_parse_is_rejected_too(client: TestClient, knowledge_copy: Path) -> None:
    (knowledge_copy / "synonyms.yaml").write_text("synonyms:\n  doc: [doctor\n", encoding="utf-8")
    response = client.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 409
    assert response.json()["errors"][0]["file"] == "synonyms.yaml"
    assert client.post("/api/ask", json={"question": "what causes leg cramps"}).json()["matched"]


def test_requests_in_flight_finish_on_the_old_knowledge(client: TestClient, knowledge_copy: Path) -> None:
    old_bot: Bot = client.app.state.bot  # type: ignore[attr-defined]
    entered, release = threading.Event(), threading.Event()
    original_ask = old_bot.ask

    def slow_ask(question: str) -> Reply:
        entered.set()
        assert release.wait(10)
        return original_ask(question)

    old_bot.ask = slow_ask  # type: ignore[method-assign]
    replies: list[dict[str, object]] = []
    in_flight = threading.Thread(
        target=lambda: replies.append(client.post("/api/ask", json={"question": QUESTION}).json())
    )
    in_flight.start()
    assert entered.wait(10)
    add_socks(knowledge_copy)
    # The ask runs on the event loop (bot.web.app), so the held ask holds the loop: reload as the
    # admin route and the watcher do, from another thread, while it is in flight.
    assert client.app.state.knowledge.reload().status == "reloaded"  # type: ignore[attr-defined]
    assert client.app.state.bot is not old_bot  # type: ignore[attr-defined]
    release.set()
    in_flight.join(10)
    assert answer_id(client) == "faq.socks"  # new requests get the new knowledge...
    expected = original_ask(QUESTION).to_dict() | {"id": replies[0]["id"]}  # (each reply gets its own exchange id)
    assert replies == [expected]  # ...while the one in flight finished on the old
    assert replies[0]["passage"] is None or replies[0]["passage"]["id"] != "faq.socks"  # type: ignore[index]


def test_reload_keeps_the_retriever_settings_of_the_bot_it_replaces(knowledge_copy: Path) -> None:
    config = RetrieverConfig(min_confidence=0.5)
    holder = KnowledgeHolder(knowledge_copy, Bot.from_knowledge(knowledge_copy, config))
    add_socks(knowledge_copy)
    assert holder.reload().status == "reloaded"
    assert holder.current is not None and holder.current.retriever.config == config


def test_watcher_reloads_when_a_file_changes_and_skips_broken_edits(knowledge_copy: Path) -> None:
    # Faster than CRAMPBOT_RELOAD_INTERVAL allows (0.5 s), to keep the test quick.
    settings = replace(get_settings({"CRAMPBOT_KNOWLEDGE": str(knowledge_copy)}), reload_interval=0.05)
    with TestClient(create_app(settings)) as watched:
        version = watched.get("/api/health").json()["version"]
        (knowledge_copy / "faq" / "broken.md").write_text(
            "---\nsources: [x]\n---\nNo question here.\n", encoding="utf-8"
        )
        holder: KnowledgeHolder = watched.app.state.knowledge  # type: ignore[attr-defined]
        wait_for(lambda: holder.last_result is not None)
        assert holder.last_result is not None and holder.last_result.status == "rejected"
        assert watched.get("/api/health").json()["version"] == version
        (knowledge_copy / "faq" / "broken.md").unlink()
        add_socks(knowledge_copy)
        wait_for(lambda: watched.get("/api/health").json()["version"] != version)
        assert answer_id(watched) == "faq.socks"


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_reload_interval_setting_is_validated() -> None:
    assert get_settings({}).reload_interval == 0.0
    assert get_settings({"CRAMPBOT_RELOAD_INTERVAL": "2.5"}).reload_interval == 2.5
    with pytest.raises(SettingsError, match=r"CRAMPBOT_RELOAD_INTERVAL.*'-1'"):
        get_settings({"CRAMPBOT_RELOAD_INTERVAL": "-1"})
    with pytest.raises(SettingsError, match=r"CRAMPBOT_RELOAD_INTERVAL.*0.5 seconds or more"):
        get_settings({"CRAMPBOT_RELOAD_INTERVAL": "0.01"})


def test_content_that_checks_clean_but_cannot_be_indexed_is_rejected_not_a_500(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = KnowledgeHolder(knowledge_copy)
    holder.load()
    original = holder.current.version

    def broken_bot(*args: object, **kwargs: object) -> Bot:
        raise RuntimeError("index exploded")

    messages = knowledge_copy / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    monkeypatch.setattr("bot.web.reload.Bot", broken_bot)
    result = holder.reload()
    assert result.status == "rejected" and "could not build the index" in result.errors[0].message
    assert holder.current.version == original
    assert holder.reload_if_changed() is None  # the same broken files are not retried on every poll
    assert holder.changed()  # yet they differ from what is served (/api/admin/status says so)


# --- start-up accepts exactly what a reload accepts (issue 13) -------------------------------------


def cite_an_unknown_passage(knowledge: Path) -> None:
    entry = knowledge / "faq" / "walking.md"
    text = entry.read_text(encoding="utf-8")
    cited = text.replace("night-cramps-qa.how-do-i-stop-leg-cramps-immediately", "night-cramps-qa.no-such-passage")
    entry.write_text(cited, encoding="utf-8")


def test_serve_refuses_a_folder_check_rejects_with_its_errors_and_status_1(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cite_an_unknown_passage(knowledge_copy)
    assert main(["check", "--knowledge", str(knowledge_copy)]) == 1
    capsys.readouterr()
    assert main(["serve", "--knowledge", str(knowledge_copy), "--port", "1"]) == 1  # refused before binding
    err = capsys.readouterr().err
    assert "refusing to serve it" in err and "faq/walking.md" in err and "night-cramps-qa.no-such-passage" in err
    assert "Traceback" not in err


def test_app_start_up_refuses_the_same_folder(knowledge_copy: Path) -> None:
    cite_an_unknown_passage(knowledge_copy)
    app = create_app(get_settings({"CRAMPBOT_KNOWLEDGE": str(knowledge_copy)}))
    with pytest.raises(KnowledgeRefused, match=r"night-cramps-qa\.no-such-passage"), TestClient(app):
        pass


# --- reloads that change nothing are cheap; workers follow each other (issue 16) --------------------


def refuse_to_check(*args: object) -> None:
    raise AssertionError("the folder was checked again")


def test_a_reload_of_unchanged_files_hashes_them_and_checks_nothing(
    knowledge_copy: Path, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = KnowledgeHolder(knowledge_copy, bot)  # the copy's version is the bundled one's
    messages = knowledge_copy / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8"), encoding="utf-8")  # saved again, same content
    assert holder.changed()  # the watcher sees a new modification time...
    monkeypatch.setattr("bot.web.reload.run_check", refuse_to_check)
    result = holder.reload()  # ...and the hash says nothing changed
    assert result.status == "unchanged" and not holder.changed()


def test_the_same_broken_files_are_rejected_again_without_checking_them_again(
    knowledge_copy: Path, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = KnowledgeHolder(knowledge_copy, bot)
    (knowledge_copy / "synonyms.yaml").write_text("synonyms:\n  doc: [doctor\n", encoding="utf-8")
    first = holder.reload()
    monkeypatch.setattr("bot.web.reload.run_check", refuse_to_check)
    again = holder.reload()
    assert first.status == again.status == "rejected" and again.errors == first.errors


def test_a_forced_reload_checks_and_indexes_even_unchanged_files(knowledge_copy: Path, bot: Bot) -> None:
    holder = KnowledgeHolder(knowledge_copy, bot)
    assert holder.reload(force=True).status == "reloaded" and holder.current is not bot


def two_workers(knowledge: Path, bot: Bot, run: Path) -> tuple[KnowledgeHolder, KnowledgeHolder]:
    from bot.web.generation import Generation

    run.mkdir()
    return (
        KnowledgeHolder(knowledge, bot, generation=Generation(run, workers=2)),
        KnowledgeHolder(knowledge, bot, generation=Generation(run, workers=2)),
    )


def follow_until(holder: KnowledgeHolder, done: Callable[[], bool]) -> None:
    """Run the holder's `follow` task until `done()` (30 s at most)."""
    import asyncio

    async def follow() -> None:
        task = asyncio.create_task(holder.follow(interval=0.01))
        while not done():
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(follow(), 30))


def follow_until_serving(holder: KnowledgeHolder, version: str) -> None:
    follow_until(holder, lambda: holder.current is not None and holder.current.version == version)


def test_a_worker_follows_a_version_another_worker_published(knowledge_copy: Path, bot: Bot, tmp_path: Path) -> None:
    first, second = two_workers(knowledge_copy, bot, tmp_path / "run")
    add_socks(knowledge_copy)
    result = first.reload()
    assert result.status == "reloaded" and second.current is not None and second.current.version != result.version
    assert first._generation is not None and first._generation.wait_for_all(result.version, 0.1) == 1  # not yet
    follow_until_serving(second, result.version)
    assert first._generation.wait_for_all(result.version, 5) == 2


def test_a_follower_builds_the_version_another_worker_checked_without_checking_it_again(
    knowledge_copy: Path, bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_workers(knowledge_copy, bot, tmp_path / "run")
    add_socks(knowledge_copy)
    result = first.reload()  # checked here...
    monkeypatch.setattr("bot.web.reload.run_check", refuse_to_check)
    follow_until_serving(second, result.version)  # ...not there
    assert second.last_result is not None and second.last_result.status == "reloaded"
    assert second.last_result.warnings == result.warnings
    assert second.current is not None and second.current.ask(QUESTION).passage is not None


def test_a_follower_checks_files_that_changed_after_the_version_it_follows(
    knowledge_copy: Path, bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_workers(knowledge_copy, bot, tmp_path / "run")
    add_socks(knowledge_copy)
    published = first.reload().version
    cite_an_unknown_passage(knowledge_copy)  # the files on disk are no longer what was checked: broken now
    checks: list[Path] = []
    monkeypatch.setattr("bot.web.reload.run_check", lambda root: checks.append(root) or run_check(root))
    follow_until(second, lambda: second.last_result is not None)
    assert checks == [knowledge_copy] and second.last_result is not None and second.last_result.status == "rejected"
    assert second.current is bot and published != bot.version  # the last good knowledge, not the broken files


def test_the_run_folder_tells_which_version_was_checked_and_its_warnings(tmp_path: Path) -> None:
    from bot.problems import warning
    from bot.web.generation import CHECKED, Generation

    generation = Generation(tmp_path, workers=2)
    found = (warning("faq/socks.md", 3, "no source date"),)
    generation.publish("abc123", found)
    assert Generation(tmp_path, workers=2).checked("abc123") == found
    assert generation.checked("another") is None  # nothing is known of a version never published
    (tmp_path / CHECKED).write_text("{not json", encoding="utf-8")
    assert generation.checked("abc123") is None  # unreadable: the folder is checked where it is loaded


def test_a_worker_does_not_follow_its_own_publication(knowledge_copy: Path, bot: Bot, tmp_path: Path) -> None:
    from bot.web.generation import Generation

    generation = Generation(tmp_path, workers=1)
    holder = KnowledgeHolder(knowledge_copy, bot, generation=generation)
    holder._swap(bot, ())  # as a load or a reload does: publish
    assert generation.serving(bot.version) == 1
    assert generation.news() is None


def test_no_cyclic_collection_stops_the_server_while_a_reload_checks_and_indexes(
    knowledge_copy: Path, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection among the objects a reload makes took 50-110 ms and stopped every request."""
    seen: list[bool] = []
    real_check = run_check

    def check_and_look(root: Path) -> CheckReport:
        seen.append(gc.isenabled())
        return real_check(root)

    monkeypatch.setattr("bot.web.reload.run_check", check_and_look)
    assert KnowledgeHolder(knowledge_copy, bot).reload(force=True).status == "reloaded"
    assert seen == [False] and gc.isenabled()


def test_a_reload_leaves_a_collector_switched_off_by_someone_else_off(knowledge_copy: Path, bot: Bot) -> None:
    gc.disable()
    try:
        KnowledgeHolder(knowledge_copy, bot).reload(force=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
