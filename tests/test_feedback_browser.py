"""The widget's feedback in a real browser (Debian's Chromium, headless, as in test_widget_browser.py):
thumbs up / down under an answer sent to POST /api/feedback and kept by the store, the optional
comment on "not helpful", the keyboard alone, the choice kept across a reload, errors that keep the
choice, and suggestion chips that send `via: "suggestion"`.

The server is the real app with its store on an SQLite file of this module, so the tests read what
the store kept. Rate limits are off here: every request of these tests comes from one address.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    PHONE,
    LiveServer,
    PageProblems,
    Widget,
    fulfil_with,
    new_page,
    shot,
)
from playwright.sync_api import Browser, Page, Request, Route, expect
from sqlalchemy import select

from bot.settings import get_settings
from bot.store.database import open_engine
from bot.store.tables import exchanges, feedback
from bot.web.app import create_app

pytestmark = pytest.mark.browser

ANSWERED = "What causes leg cramps at night?"


class StoredServer(LiveServer):
    """The live app with its store on `database`, which the tests read back."""

    def __init__(self, database: Path) -> None:
        self.database_url = f"sqlite:///{database}"
        settings = get_settings({"CRAMPBOT_DATABASE_URL": self.database_url, "CRAMPBOT_RATE_LIMIT": "off"})
        super().__init__(create_app(settings))

    def rows(self, table: Any) -> list[dict[str, Any]]:
        """The table's rows once everything queued is written."""
        assert self.app.state.store.flush()
        engine = open_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [dict(r._mapping) for r in connection.execute(select(table))]
        finally:
            engine.dispose()

    def feedback_on(self, exchange_id: str) -> list[tuple[bool, str | None]]:
        return [(r["helpful"], r["comment"]) for r in self.rows(feedback) if r["exchange_id"] == exchange_id]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoredServer]:
    live = StoredServer(tmp_path_factory.mktemp("store") / "store.sqlite3")
    live.start()
    yield live
    live.stop()


@pytest.fixture
def page(chromium: Browser, server: StoredServer, problems: PageProblems) -> Iterator[Page]:
    page = new_page(chromium, server.url + "/", problems)
    yield page
    page.context.close()


class Sent(list[Any]):
    """The JSON bodies the page posted to one API route, in order."""

    def __init__(self, page: Page, route: str) -> None:
        super().__init__()

        def seen(request: Request) -> None:
            if request.method == "POST" and request.url.endswith(route):
                self.append(request.post_data_json)

        page.on("request", seen)


def ask(w: Widget, question: str) -> str:
    """Ask `question`; the exchange id of the reply."""
    with w.page.expect_response("**/api/ask") as answer:
        w.ask(question)
    exchange_id: str = answer.value.json()["id"]
    return exchange_id


def thumbs(w: Widget) -> tuple[Any, Any]:
    reply = w.replies.last
    return (
        reply.get_by_role("button", name="Helpful", exact=True),
        reply.get_by_role("button", name="Not helpful", exact=True),
    )


def test_thumbs_up_is_sent_and_kept_by_the_store(page: Page, server: StoredServer) -> None:
    sent = Sent(page, "/api/feedback")
    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    group = w.replies.last.get_by_role("group", name="Was this helpful?")
    expect(group).to_be_visible()
    up, down = thumbs(w)
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(down).to_have_attribute("aria-pressed", "false")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    status = w.replies.last.locator(".feedback-status")
    expect(status).to_have_text("Thanks for your feedback.")
    expect(status).to_have_attribute("role", "status")
    assert sent == [{"id": exchange_id, "helpful": True}]
    assert server.feedback_on(exchange_id) == [(True, None)]
    expect(w.replies.last.locator(".feedback-comment")).to_be_hidden()  # no comment asked on "helpful"
    up.click()  # pressing it again: already said, nothing to take back
    page.wait_for_timeout(200)
    expect(up).to_have_attribute("aria-pressed", "true")
    assert len(sent) == 1
    shot(page, "20-feedback-helpful", panel_only=True)


def test_not_helpful_opens_an_optional_comment_with_a_counter(page: Page, server: StoredServer) -> None:
    sent = Sent(page, "/api/feedback")
    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    _, down = thumbs(w)
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    status = w.replies.last.locator(".feedback-status")
    expect(status).to_have_text("Thanks for your feedback.")
    assert sent == [{"id": exchange_id, "helpful": False}]  # the choice is sent at once; the comment is extra
    comment = w.replies.last.get_by_label("What was wrong or missing? (optional)")
    expect(comment).to_be_visible()
    counter = w.replies.last.locator(".comment-count")
    expect(counter).to_have_text("0 / 500")
    comment.fill("x" * 600)
    expect(comment).to_have_value("x" * 500)
    expect(counter).to_have_text("500 / 500")
    comment.fill("It did not say how long a cramp lasts.")
    expect(counter).to_have_text("38 / 500")
    shot(page, "21-feedback-comment", panel_only=True)
    w.replies.last.get_by_role("button", name="Send comment").click()
    expect(status).to_have_text("Thanks for your comment.")
    expect(comment).to_be_hidden()
    expect(down).to_have_attribute("aria-pressed", "true")
    assert sent[-1] == {"id": exchange_id, "helpful": False, "comment": "It did not say how long a cramp lasts."}
    assert server.feedback_on(exchange_id) == [(False, "It did not say how long a cramp lasts.")]


def test_changing_the_choice_replaces_the_feedback(page: Page, server: StoredServer) -> None:
    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    up, down = thumbs(w)
    down.click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(w.replies.last.locator(".feedback-comment")).to_be_hidden()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    assert server.feedback_on(exchange_id) == [(True, None)]


FOCUS_VISIBLE_JS = "() => document.querySelector('crampbot-widget').shadowRoot.activeElement.matches(':focus-visible')"


def focus_visible(w: Widget) -> bool:
    """Whether the focused element shows its focus ring (the browser's keyboard-focus heuristic)."""
    return bool(w.page.evaluate(FOCUS_VISIBLE_JS))


def test_feedback_works_from_the_keyboard_alone(page: Page, server: StoredServer) -> None:
    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    up, down = thumbs(w)
    w.input.focus()
    for _ in range(12):  # back from the input, past the suggestions, to "Not helpful"
        page.keyboard.press("Shift+Tab")
        if down.evaluate("el => el.getRootNode().activeElement === el"):
            break
    expect(down).to_be_focused()
    assert focus_visible(w)
    page.keyboard.press("Space")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    page.keyboard.press("Tab")  # the comment follows the buttons
    comment = w.replies.last.locator(".comment-input")
    expect(comment).to_be_focused()
    page.keyboard.type("Too long")
    page.keyboard.press("Enter")
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your comment.")
    expect(down).to_be_focused()  # the comment's form is gone: focus stays on the choice
    assert server.feedback_on(exchange_id) == [(False, "Too long")]
    page.keyboard.press("Shift+Tab")
    expect(up).to_be_focused()
    assert focus_visible(w)
    page.keyboard.press("Enter")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    assert server.feedback_on(exchange_id) == [(True, None)]


def test_the_choice_survives_a_reload(page: Page, server: StoredServer) -> None:
    sent = Sent(page, "/api/feedback")
    w = Widget(page)
    w.open()
    first = ask(w, ANSWERED)
    thumbs(w)[0].click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    second = ask(w, "How can I prevent leg cramps?")
    thumbs(w)[1].click()
    comment = w.replies.last.locator(".comment-input")
    comment.fill("More about stretching, please.")
    comment.press("Enter")
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your comment.")
    third = ask(w, "Can magnesium help with cramps?")
    thumbs(w)[1].click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    assert len(sent) == 4

    page.reload()
    expect(w.replies).to_have_count(3)
    pressed = w.replies.locator(".thumb").evaluate_all(
        "els => els.map(el => el.getAttribute('aria-label') + ':' + el.getAttribute('aria-pressed'))"
    )
    assert pressed == [
        "Helpful:true",
        "Not helpful:false",
        "Helpful:false",
        "Not helpful:true",
        "Helpful:false",
        "Not helpful:true",
    ]
    comments = w.replies.locator(".feedback-comment")
    expect(comments.nth(1)).to_be_hidden()  # commented already
    expect(comments.nth(2)).to_be_visible()  # "not helpful", and a comment may still follow
    expect(w.replies.locator(".feedback-error")).to_have_text(["", "", ""])
    page.wait_for_timeout(200)
    assert len(sent) == 4  # a reload sends nothing again
    assert server.feedback_on(first) == [(True, None)]
    assert server.feedback_on(second) == [(False, "More about stretching, please.")]
    assert server.feedback_on(third) == [(False, None)]
    kept = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.includes(':feedback:'))")
    assert len(kept) == 1 and "stretching" not in kept[0][1]  # choices only: no comment text on the device


@pytest.mark.parametrize(
    ("status", "headers", "message", "retry"),
    [
        (429, {"Retry-After": "7"}, "Please wait 7 seconds", True),
        (404, {}, "no longer has this answer on record", False),
        (503, {"Retry-After": "30"}, "could not save your feedback right now", True),
        (0, {}, "cannot be reached", True),
    ],
    ids=["rate-limited", "unknown-id", "database-down", "network"],
)
def test_an_error_keeps_the_choice_and_says_what_to_do(
    page: Page, server: StoredServer, status: int, headers: dict[str, str], message: str, retry: bool
) -> None:
    def fail(route: Route) -> None:
        if status:
            fulfil_with(status, {"detail": "nope", "error": "nope"}, headers)(route)
        else:
            route.abort("internetdisconnected")

    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    page.route("**/api/feedback", fail)
    _, down = thumbs(w)
    down.click()
    error = w.replies.last.locator(".feedback-error .msg--error")
    expect(error).to_contain_text(message)
    expect(error).to_have_attribute("role", "alert")
    expect(down).to_have_attribute("aria-pressed", "true")  # the choice is not lost
    expect(w.replies.last.locator(".feedback-status")).to_have_text("")
    try_again = error.get_by_role("button", name="Try again")
    if status == 429:
        shot(page, "22-feedback-error", panel_only=True)
    if not retry:
        expect(try_again).to_have_count(0)
        return
    page.unroute("**/api/feedback")
    try_again.click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    expect(error).to_have_count(0)
    expect(down).to_be_focused()  # "Try again" is gone: focus goes back to the choice
    assert server.feedback_on(exchange_id) == [(False, None)]


def test_a_comment_that_fails_to_send_stays_in_its_box(page: Page, server: StoredServer) -> None:
    w = Widget(page)
    w.open()
    exchange_id = ask(w, ANSWERED)
    thumbs(w)[1].click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    page.route("**/api/feedback", lambda route: route.abort("internetdisconnected"))
    comment = w.replies.last.locator(".comment-input")
    comment.fill("Nothing about pregnancy.")
    w.replies.last.get_by_role("button", name="Send comment").click()
    expect(w.replies.last.locator(".feedback-error")).to_contain_text("cannot be reached")
    expect(comment).to_have_value("Nothing about pregnancy.")
    page.unroute("**/api/feedback")
    w.replies.last.get_by_role("button", name="Try again").click()
    expect(w.replies.last.locator(".feedback-status")).to_have_text("Thanks for your comment.")
    assert server.feedback_on(exchange_id) == [(False, "Nothing about pregnancy.")]


def test_only_answers_from_a_passage_ask_for_feedback(page: Page) -> None:
    w = Widget(page)
    w.open()
    ask(w, "hello")  # small talk
    ask(w, "what is the capital of France?")  # the fallback
    ask(w, ANSWERED)
    expect(w.replies.nth(0).locator(".feedback")).to_have_count(0)
    expect(w.replies.nth(1).locator(".feedback")).to_have_count(0)
    expect(w.replies.nth(2).locator(".feedback")).to_have_count(1)


def test_suggestion_chips_send_via_suggestion(page: Page, server: StoredServer) -> None:
    sent = Sent(page, "/api/ask")
    w = Widget(page)
    w.open()
    starter = w.chips.first.inner_text()
    with page.expect_response("**/api/ask") as first:
        w.chips.first.click()
    expect(w.replies).to_have_count(1)
    fallback = ask(w, "what is the capital of France?")
    expect(w.chips.first).to_be_visible()
    suggestion = w.chips.first.inner_text()
    with page.expect_response("**/api/ask") as chosen:
        w.chips.first.click()
    expect(w.replies).to_have_count(3)
    typed = ask(w, "How can I prevent leg cramps?")
    assert [(body["question"], body.get("via")) for body in sent] == [
        (starter, "suggestion"),
        ("what is the capital of France?", None),
        (suggestion, "suggestion"),
        ("How can I prevent leg cramps?", None),
    ]
    stored = {row["id"]: row for row in server.rows(exchanges)}
    assert stored[first.value.json()["id"]]["via"] == "suggestion"
    assert stored[chosen.value.json()["id"]]["via"] == "suggestion"
    assert stored[chosen.value.json()["id"]]["previous_id"] == fallback  # the click after the fallback
    assert stored[typed]["via"] is None


def test_a_chip_question_retried_after_an_error_is_still_a_suggestion(page: Page) -> None:
    sent = Sent(page, "/api/ask")
    page.route("**/api/ask", fulfil_with(500, {"detail": "boom"}))
    w = Widget(page)
    w.open()
    w.chips.first.click()
    expect(w.error).to_be_visible()
    page.unroute("**/api/ask")
    page.get_by_role("button", name="Try again").click()
    expect(w.replies).to_have_count(1)
    assert [body.get("via") for body in sent] == ["suggestion", "suggestion"]


def test_feedback_fits_a_360px_phone(chromium: Browser, server: StoredServer, problems: PageProblems) -> None:
    page = new_page(chromium, server.url + "/", problems)
    try:
        page.set_viewport_size(PHONE)
        w = Widget(page)
        w.open()
        ask(w, ANSWERED)
        thumbs(w)[1].click()
        expect(w.replies.last.locator(".comment-input")).to_be_visible()
        w.replies.last.locator(".feedback").scroll_into_view_if_needed()
        overflow = w.log.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow == 0
        for part in (".thumb >> nth=1", ".comment-input", ".comment-send"):
            box = w.replies.last.locator(part).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
        shot(page, "23-feedback-phone")
    finally:
        page.context.close()


def test_the_ids_in_the_widget_are_unique(page: Page) -> None:
    w = Widget(page)
    w.open()
    ask(w, ANSWERED)
    ask(w, "How can I prevent leg cramps?")
    ids = w.host.evaluate("el => Array.from(el.shadowRoot.querySelectorAll('[id]'), (e) => e.id)")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
