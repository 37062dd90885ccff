"""The chat widget in a real browser: Debian's Chromium, headless, driven by Playwright (sync API),
against a live uvicorn server started by the tests on a free port.

The app under test comes from `make_app()` alone, so moving these tests from the stand-in API to the
real one is a one-line change there. Screenshots of the main states go to `screenshots/`
(git-ignored); look at them after a change to the widget's looks. The images in docs/ are made with
this machinery by `scripts/widget_screenshots.py`.

The machinery (Chromium, the live server, the widget's locators) is in tests/browser.py; the
`chromium` fixture (conftest.py) skips without Chromium, except under CI, where it fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser import (
    DESKTOP,
    PHONE,
    LiveServer,
    PageProblems,
    Widget,
    fulfil_with,
    make_app,
    new_page,
    shot,
)
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.browser

expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(make_app()).start()
    yield live
    live.stop()


@pytest.fixture
def page(chromium: Browser, server: LiveServer, problems: PageProblems) -> Iterator[Page]:
    page = new_page(chromium, server.url + "/", problems)
    yield page
    page.context.close()


# ------------------------------------------------------------------------------------ helpers


def ask_with_reply_held(page: Page, question: str) -> tuple[Widget, list[Route]]:
    """Open the widget and send `question`, holding its request so the pending state can be seen.

    Returns the widget and the held routes; the test continues or fulfils them when done."""
    held: list[Route] = []

    def hold(route: Route) -> None:  # Playwright wraps Python functions, not built-in methods
        held.append(route)

    page.route("**/api/ask", hold)
    w = Widget(page)
    w.open()
    w.input.fill(question)
    w.input.press("Enter")
    expect(w.typing).to_be_visible()
    return w, held


# ------------------------------------------------------------------------------------ tests


def test_ask_a_question_and_see_the_answer_and_its_source(page: Page) -> None:
    w = Widget(page)
    expect(w.launcher).to_be_visible()
    expect(w.panel).to_be_hidden()
    shot(page, "01-closed")
    w.open()
    expect(w.input).to_be_focused()
    expect(w.host.locator(".greeting")).to_contain_text("leg cramps")
    expect(w.chips).to_have_count(4)  # starter questions
    expect(w.note).to_have_text(re.compile(r"not medical advice", re.IGNORECASE))
    page.wait_for_timeout(250)  # let the opening animation finish for the screenshot
    shot(page, "02-open")

    w.ask("What causes leg cramps at night?")
    reply = w.replies.last
    expect(w.user_messages.last).to_have_text(re.compile("What causes leg cramps at night"))
    expect(reply.locator(".source")).to_have_text(re.compile(r"^From: \S"))
    expect(w.typing).to_have_count(0)
    expect(w.send).to_be_enabled()
    expect(w.note).to_be_in_viewport()
    shot(page, "03-answer")
    shot(page, "03-answer-panel", panel_only=True)


def test_bullet_lines_render_as_a_list(page: Page) -> None:
    answer = "Try this:\n• Stretch your calf.\n• Walk around.\n\nSee you."
    page.route(
        "**/api/ask",
        fulfil_with(
            200,
            {
                "answer": answer,
                "matched": True,
                "confidence": 1.0,
                "passage": None,
                "escalation": None,
                "suggestions": [],
            },
        ),
    )
    w = Widget(page)
    w.open()
    w.ask("how do I stop a cramp")
    items = w.replies.last.locator("li")
    expect(items).to_have_text(["Stretch your calf.", "Walk around."])
    expect(w.replies.last.locator("p")).to_have_text(["Try this:", "See you."])


def test_links_in_answers_are_anchors_that_open_safely_and_nothing_else_is_html(page: Page) -> None:
    answer = (
        "Read https://example.org/cramps?a=1&b=2. And <b>this</b> javascript:alert(1) stays text.\n"
        "• See http://example.com/x, then rest."
    )
    page.route(
        "**/api/ask",
        fulfil_with(200, passage_reply(answer, answer, passage=None, matched=False, kind="fallback")),
    )
    w = Widget(page)
    w.open()
    w.ask("links please")
    links = w.replies.last.locator(".answer-summary a, p a, li a")
    expect(links).to_have_count(2)
    expect(links).to_have_text(["https://example.org/cramps?a=1&b=2", "http://example.com/x"])
    for n in range(2):
        assert links.nth(n).get_attribute("target") == "_blank"
        assert links.nth(n).get_attribute("rel") == "noopener noreferrer"
    assert links.first.get_attribute("href") == "https://example.org/cramps?a=1&b=2"
    expect(w.replies.last.locator("b")).to_have_count(0)  # markup in an answer is shown as text
    expect(w.replies.last).to_contain_text("<b>this</b> javascript:alert(1) stays text.")
    expect(w.replies.last.locator("li")).to_have_text(["See http://example.com/x, then rest."])


def squash(text: str) -> str:
    """Text as read: bullets and spacing aside (the widget renders `• ` lines as list items)."""
    return " ".join(text.replace("•", " ").split())


def passage_reply(answer: str, summary: str, **fields: Any) -> dict[str, Any]:
    """A stand-in /api/ask reply for a passage answer."""
    reply = {
        "answer": answer,
        "matched": True,
        "confidence": 1.0,
        "passage": {"id": "p.one", "question": "q", "source": "a.txt", "title": "An article"},
        "escalation": None,
        "suggestions": [],
        "not_covered": [],
        "summary": summary,
        "kind": "answer",
        "context_used": False,
    }
    return reply | fields


def test_a_passage_answer_shows_its_summary_first_and_show_more_reveals_the_rest(page: Page) -> None:
    w = Widget(page)
    w.open()
    with page.expect_response("**/api/ask") as response:
        w.ask("How do I stop a leg cramp right now?")
    data = response.value.json()
    assert data["kind"] == "answer" and squash(data["summary"]) != squash(data["answer"])
    reply = w.replies.last
    summary, more = reply.locator(".answer-summary"), reply.locator(".answer-more")
    toggle = reply.locator(".more-toggle")  # named "Show more", then "Show less"
    expect(toggle).to_have_accessible_name("Show more")
    expect(summary).to_have_text(re.compile(re.escape(data["summary"].split("\n")[0])))
    expect(more).to_be_hidden()
    expect(reply.get_by_text(data["answer"].split("\n")[-1])).to_be_hidden()  # the answer's last line
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", str(more.get_attribute("id")))
    # the source right under the first lines, before "Show more" and before the rest of the answer
    order = reply.locator(".bubble > :not(.sr-only)").evaluate_all("els => els.map((e) => e.className)")
    assert order == ["answer-summary", "source", "more-toggle", "answer-more"]
    expect(reply.locator(".source")).to_have_text(f"From: {data['passage']['title']}")
    shot(page, "14-show-more")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Show less")
    expect(more).to_be_visible()
    expect(reply.get_by_text(data["answer"].split("\n")[-1])).to_be_visible()
    shown = squash(f"{summary.inner_text()} {more.inner_text()}")
    assert shown == squash(data["answer"])  # all of it, each sentence once
    source, rest = reply.locator(".source").bounding_box(), more.bounding_box()
    assert source is not None and rest is not None and source["y"] < rest["y"]  # not at the bottom
    shot(page, "15-show-less")

    page.get_by_role("button", name="Show less").click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text("Show more")
    expect(more).to_be_hidden()


def test_show_more_works_from_the_keyboard_and_survives_a_reload(page: Page) -> None:
    w = Widget(page)
    w.open()
    w.ask("How do I stop a leg cramp right now?")
    toggle = w.replies.last.locator(".more-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_focused()  # the button stays where it was; the rest opens below it
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    page.reload()
    expect(w.replies.last.locator(".more-toggle")).to_have_attribute("aria-expanded", "true")
    expect(w.replies.last.locator(".answer-more")).to_be_visible()


def test_no_show_more_when_the_summary_is_the_whole_answer(page: Page) -> None:
    answer = "Stretch your calf.\n• Walk around.  Then rest."
    page.route("**/api/ask", fulfil_with(200, passage_reply(answer, "Stretch your calf.\n• Walk around. Then rest.")))
    w = Widget(page)
    w.open()
    w.ask("how do I stop a cramp")
    reply = w.replies.last
    expect(reply.get_by_role("button", name=re.compile("Show"))).to_have_count(0)
    expect(reply.locator(".answer-more")).to_have_count(0)
    expect(reply.locator("li")).to_have_text("Walk around.  Then rest.")
    expect(reply.locator(".source")).to_have_text("From: An article")


def test_show_more_shows_all_of_an_answer_its_summary_does_not_begin(page: Page) -> None:
    """A summary that leaves out part of the answer's beginning (the note before a passage about a
    child): "Show more" shows the whole answer in its place, so nothing is shown twice."""
    answer = "A note.\n\nIn general:\n\nFirst sentence. Second sentence. Third sentence."
    page.route("**/api/ask", fulfil_with(200, passage_reply(answer, "A note.\n\nFirst sentence.")))
    w = Widget(page)
    w.open()
    w.ask("my son gets cramps")
    reply = w.replies.last
    expect(reply.locator(".answer-summary")).to_have_text("A note.First sentence.")
    reply.get_by_role("button", name="Show more").click()
    expect(reply.locator(".answer-summary")).to_be_hidden()
    expect(reply.locator(".answer-more")).to_have_text(
        "A note.In general:First sentence. Second sentence. Third sentence."
    )
    reply.get_by_role("button", name="Show less").click()
    expect(reply.locator(".answer-summary")).to_be_visible()
    expect(reply.locator(".answer-more")).to_be_hidden()


def test_a_reply_that_starts_with_the_escalation_shows_it_once_and_no_apology(page: Page) -> None:
    w = Widget(page)
    w.open()
    with page.expect_response("**/api/ask") as response:
        w.ask("I have chest pain and my left arm hurts")
    data = response.value.json()
    message = data["escalation"]["message"]
    assert data["answer"].startswith(message) and not data["matched"] and data["suggestions"] == []
    reply = w.replies.last
    expect(reply).not_to_contain_text(message)
    expect(reply).not_to_contain_text("Sorry")
    expect(reply.locator(".flag")).to_have_text(re.compile(r"^Emergency: call your local emergency number now\."))
    expect(w.chips).to_have_count(0)
    expect(w.alert).to_contain_text(message)

    with page.expect_response("**/api/ask") as response:
        w.ask("thanks")
    data = response.value.json()
    assert data["answer"].startswith(message) and data["answer"] != message  # the message, then small talk
    reply = w.replies.last
    expect(reply).to_contain_text(data["summary"])
    expect(reply).not_to_contain_text(message)
    expect(reply).not_to_contain_text("Sorry")
    expect(reply.locator(".flag")).to_have_count(0)  # it has words of its own; the alert is pinned above
    text = w.host.evaluate("el => el.shadowRoot.querySelector('.panel').textContent")
    assert text.count(message) == 1  # in the alert only


def test_an_escalation_before_a_not_covered_reply_is_taken_off_its_start(page: Page) -> None:
    message = "Please see a doctor soon."
    reply = {
        **passage_reply(f"{message}\n\nThe articles do not cover CBD oil.", "The articles do not cover CBD oil."),
        "matched": False,
        "passage": None,
        "kind": "not_covered",
        "escalation": {"level": "doctor", "terms": ["swelling"], "message": message, "from_earlier": False},
    }
    page.route("**/api/ask", fulfil_with(200, reply))
    w = Widget(page)
    w.open()
    w.ask("is CBD oil good for my swollen calf?")
    bubble = w.replies.last.locator(".bubble")
    expect(bubble.locator("p:not(.flag)")).to_have_text(["The articles do not cover CBD oil."])
    expect(w.alert).to_contain_text(message)


def test_pending_reply_shows_typing_and_disables_send(page: Page) -> None:
    w, held = ask_with_reply_held(page, "How can I prevent night leg cramps?")
    expect(w.typing).to_contain_text("crampbot is typing")
    expect(w.send).to_be_disabled()
    expect(w.input).to_be_editable()  # the user may write the next question meanwhile
    w.input.fill("a second question")
    w.input.press("Enter")  # ignored while a reply is pending
    expect(w.user_messages).to_have_count(1)
    expect(w.input).to_have_value("a second question")
    shot(page, "04-typing")
    assert len(held) == 1
    held[0].continue_()
    expect(w.replies).to_have_count(1)
    expect(w.typing).to_have_count(0)
    expect(w.send).to_be_enabled()


def test_a_reply_that_never_comes_times_out_with_a_retry(
    chromium: Browser, server: LiveServer, problems: PageProblems
) -> None:
    page = new_page(chromium, server.url + "/", problems, fake_clock=True)  # 25 s pass without waiting
    try:
        w, held = ask_with_reply_held(page, "How can I stop a cramp?")
        page.clock.run_for(24_000)
        expect(w.typing).to_be_visible()  # still waiting just before the limit
        page.clock.run_for(2_000)
        expect(w.error).to_contain_text("took too long")
        expect(w.typing).to_have_count(0)
        expect(w.send).to_be_enabled()
        page.unroute("**/api/ask")
        page.get_by_role("button", name="Try again").click()
        expect(w.replies).to_have_count(1)
        expect(w.error).to_have_count(0)
        assert len(held) == 1
    finally:
        page.context.close()


def root_classes(w: Widget) -> set[str]:
    return set(str(w.host.locator(".root").get_attribute("class") or "").split())


@pytest.mark.parametrize(
    ("question", "label", "alert"),
    [
        ("How can I stop a cramp?", "new reply", False),
        ("my calf cramps and I have chest pain", "new reply with safety advice", True),
    ],
)
def test_a_reply_that_arrives_while_closed_marks_the_launcher(
    page: Page, question: str, label: str, alert: bool
) -> None:
    w, held = ask_with_reply_held(page, question)
    page.get_by_role("button", name="Close chat", exact=True).click()
    held[0].continue_()
    launcher = page.get_by_role("button", name=re.compile(r"^Open chat"))
    expect(launcher).to_have_attribute("aria-label", f"Open chat: crampbot ({label})")
    expect(w.host.locator(".sr-only[role=status]")).to_have_text(f"crampbot: {label}")
    assert ("has-unread-alert" in root_classes(w)) is alert and "has-unread" in root_classes(w)
    shot(page, f"13-unread{'-alert' if alert else ''}")
    launcher.click()
    expect(w.replies).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile(r"^Close chat: "))).to_be_visible()
    assert not {"has-unread", "has-unread-alert"} & root_classes(w)


def test_a_reply_that_arrives_while_open_leaves_the_launcher_unmarked(page: Page) -> None:
    w = Widget(page)
    w.open()
    w.ask("How can I stop a cramp?")
    w.page.get_by_role("button", name="Close chat", exact=True).click()
    assert not {"has-unread", "has-unread-alert"} & root_classes(w)
    expect(page.get_by_role("button", name=re.compile(r"^Open chat"))).to_have_attribute(
        "aria-label", "Open chat: crampbot"
    )


def test_opening_after_an_unread_long_reply_shows_its_start(page: Page) -> None:
    w, held = ask_with_reply_held(page, "How can I stop a cramp?")
    page.get_by_role("button", name="Close chat", exact=True).click()
    answer = "\n".join(f"Line {n} of a long answer about stretching the calf." for n in range(60))
    held[0].fulfill(
        status=200,
        json={
            "answer": answer,
            "matched": True,
            "confidence": 1.0,
            "passage": None,
            "escalation": None,
            "suggestions": [],
        },
    )
    expect(page.get_by_role("button", name=re.compile(r"^Open chat"))).to_have_attribute(
        "aria-label", re.compile(r"new reply")
    )
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    expect(w.replies).to_have_count(1)
    reply, log = w.replies.last.bounding_box(), w.log.bounding_box()
    assert reply is not None and log is not None
    assert log["y"] <= reply["y"] + 1 <= log["y"] + 24, "the reply's first line should be at the top of the log"


def test_red_flag_shows_a_pinned_alert(page: Page) -> None:
    w = Widget(page)
    w.open()
    with page.expect_response("**/api/ask") as response:
        w.ask("I have cramps and chest pain")
    reply = response.value.json()
    assert reply["escalation"]["level"] == "emergency"
    message = reply["escalation"]["message"]
    assert reply["answer"].endswith(message)  # the contract: the API appends it to the answer
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Emergency: call your local emergency number now")
    expect(alert).to_contain_text(message)
    # the escalation is shown once, as the alert, not also at the end of the answer
    expect(w.replies.last).not_to_contain_text(message)
    expect(w.replies.last.locator(".flag")).to_contain_text("Emergency")
    background = alert.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(180, 35, 24)"
    shot(page, "05-emergency")
    # more questions push the log, but the alert stays pinned in view above it, folded to one line
    for _ in range(3):
        w.ask("How can I stop a cramp?")
    w.log.evaluate("el => { el.scrollTop = el.scrollHeight }")
    expect(w.alert).to_be_in_viewport(ratio=1)
    expect(w.alert).to_contain_text("Emergency")
    expect(w.alert.locator(".alert-text")).to_be_hidden()
    shot(page, "05-emergency-folded")
    page.get_by_role("button", name="Show details").click()
    expect(w.alert.locator(".alert-text")).to_have_text(message)
    page.get_by_role("button", name="Hide details").click()
    expect(w.alert.locator(".alert-text")).to_be_hidden()


# Records every time the pinned alert is announced: inserted with role="alert", or given that role.
WATCH_ANNOUNCEMENTS_JS = """() => {
  const root = document.querySelector('crampbot-widget').shadowRoot;
  window.__announced = [];
  const note = (el) => {
    if (el.nodeType !== 1) return;
    for (const a of [el, ...el.querySelectorAll('[role=alert]')])
      if (a.getAttribute('role') === 'alert' && a.classList.contains('alert')) window.__announced.push(a.dataset.level);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') note(r.target);
      else r.addedNodes.forEach(note);
    }
  }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['role'] });
}"""


def announced(page: Page) -> list[str]:
    return list(page.evaluate("() => window.__announced"))


def expect_one_line(w: Widget) -> None:
    """The alert is folded: one line of the level and a short label (not cut), and its toggle."""
    expect(w.alert).to_have_class(re.compile("is-collapsed"))
    expect(w.alert.locator(".alert-text")).to_be_hidden()
    title = w.alert.locator(".alert-title")
    size = title.evaluate(
        "el => ({height: el.offsetHeight, line: parseFloat(getComputedStyle(el).lineHeight),"
        " width: el.scrollWidth, room: el.clientWidth})"
    )
    assert size["height"] < 1.5 * size["line"] and size["width"] <= size["room"], size
    box = w.alert.bounding_box()
    assert box is not None and box["height"] <= 48, box


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_alert_folds_to_one_line_after_the_next_exchange(
    chromium: Browser, server: LiveServer, problems: PageProblems, viewport: dict[str, int]
) -> None:
    page = new_page(chromium, server.url + "/", problems)
    try:
        page.set_viewport_size(viewport)
        w = Widget(page)
        w.open()
        w.ask("I have chest pain and my left arm hurts")
        toggle = w.alert.locator(".alert-toggle")  # "Hide details", then "Show details"
        expect(toggle).to_have_accessible_name("Hide details")
        expect(w.alert).to_have_attribute("role", "alert")
        expect(w.alert.locator(".alert-text")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(toggle).to_have_attribute("aria-controls", "alert-text")

        w.ask("what should I do?")
        expect_one_line(w)
        expect(w.alert).to_contain_text("Emergency")
        expect(w.alert).to_be_in_viewport(ratio=1)
        expect(toggle).to_have_text("Show details")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("alert")).to_have_count(0)  # folding is not announced
        expect(page.get_by_role("region", name=re.compile("^Emergency"))).to_be_visible()
        expect(w.note).to_be_in_viewport(ratio=1)
        expect(w.input).to_be_in_viewport(ratio=1)

        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(w.alert.locator(".alert-text")).to_be_visible()
        expect(w.alert).to_contain_text("Emergency: call your local emergency number now")
        expect(page.get_by_role("alert")).to_have_count(0)  # opened by the visitor: not read out again
        toggle.press("Enter")  # a real button: the keyboard folds it too
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.press("Enter")
        w.ask("is it a cramp?")
        expect_one_line(w)  # each exchange folds it back
    finally:
        page.context.close()


def test_the_alert_is_announced_once_when_it_first_appears(page: Page) -> None:
    w = Widget(page)
    w.open()
    page.evaluate(WATCH_ANNOUNCEMENTS_JS)
    w.ask("I have chest pain and my left arm hurts")
    expect(page.get_by_role("alert")).to_have_count(1)
    assert announced(page) == ["emergency"]
    page.reload()  # a re-render shows the alert as it was (still open), without announcing it again
    page.evaluate(WATCH_ANNOUNCEMENTS_JS)
    expect(w.alert.locator(".alert-text")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    earlier = []
    for question in ("what should I do?", "is it a cramp?", "thanks"):
        with page.expect_response("**/api/ask") as response:
            w.ask(question)
        earlier.append(response.value.json()["escalation"]["from_earlier"])
    assert earlier == [True, True, True]  # the same session: the server keeps the escalation
    expect_one_line(w)
    expect(w.replies.nth(0).locator(".flag")).to_be_visible()  # the reply that raised it points to it
    w.alert.get_by_role("button", name="Show details").click()
    w.ask("How can I stop a cramp?")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert announced(page) == []


def test_a_more_urgent_escalation_unfolds_the_alert_again(page: Page) -> None:
    w = Widget(page)
    w.open()
    page.evaluate(WATCH_ANNOUNCEMENTS_JS)
    w.ask("my calf is swollen and hurts")
    expect(w.alert).to_contain_text("See a doctor")
    w.ask("How can I stop a cramp?")
    expect_one_line(w)
    expect(w.alert).to_contain_text("See a doctor soon")
    w.ask("and now I have chest pain")
    expect(w.alert).not_to_have_class(re.compile("is-collapsed"))
    expect(w.alert).to_have_attribute("role", "alert")
    expect(w.alert).to_contain_text("Emergency: call your local emergency number now")
    expect(w.alert.locator(".alert-text")).to_be_visible()
    assert announced(page) == ["doctor", "emergency"]


def test_a_reply_that_keeps_an_earlier_escalation_is_not_new_safety_advice(page: Page) -> None:
    w = Widget(page)
    w.open()
    w.ask("I have chest pain")
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/ask", hold)
    w.input.fill("How can I stop a cramp?")
    w.input.press("Enter")
    expect(w.typing).to_be_visible()
    page.get_by_role("button", name="Close chat", exact=True).click()
    held[0].continue_()
    launcher = page.get_by_role("button", name=re.compile(r"^Open chat"))
    expect(launcher).to_have_attribute("aria-label", "Open chat: crampbot (new reply)")
    assert "has-unread-alert" not in root_classes(w)


def test_doctor_level_is_worded_and_styled_apart(page: Page) -> None:
    w = Widget(page)
    w.open()
    w.ask("my calf is swollen and hurts")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("See a doctor")
    expect(alert).to_have_class(re.compile("alert--doctor"))
    shot(page, "06-doctor")


def test_off_topic_question_shows_the_fallback_and_its_chips_ask(page: Page) -> None:
    w = Widget(page)
    w.open()
    w.ask("tell me a joke")
    fallback = w.replies.nth(0)
    expect(fallback).to_have_class(re.compile("is-fallback"))
    expect(fallback.locator(".source")).to_have_count(0)
    expect(fallback.get_by_role("button", name="Show more")).to_have_count(0)  # only passage answers
    chips = fallback.locator(".chip")
    expect(chips.first).to_be_visible()
    shot(page, "07-fallback")
    question = chips.first.inner_text()
    chips.first.click()
    expect(w.user_messages.last).to_have_text(question)
    expect(w.replies).to_have_count(2)
    expect(w.input).to_be_focused()
    expect(fallback.locator(".chip")).to_have_count(0)  # only the latest reply keeps chips


def test_server_text_is_shown_as_text_and_runs_nothing(page: Page) -> None:
    evil = '<img src=x onerror="window.__pwned=1;alert(1)">'
    payload = {
        "answer": f"Look: {evil}\n• <b>bold</b> {evil}\n\n<script>window.__pwned=2</script>",
        "matched": True,
        "confidence": 1.0,
        "passage": {
            "id": "x",
            "question": "q",
            "source": "javascript:window.__pwned=3",
            "title": '<img src=y onerror="window.__pwned=4">',
        },
        "escalation": {"level": "doctor", "terms": ["x"], "message": '<img src=z onerror="window.__pwned=5">'},
        "suggestions": ['<img src=w onerror="window.__pwned=6">'],
    }
    page.route("**/api/ask", fulfil_with(200, payload))
    w = Widget(page)
    w.open()
    w.ask(evil)
    expect(w.user_messages.last).to_have_text(evil)
    reply = w.replies.last
    expect(reply.locator("p:not(.flag)").first).to_have_text(f"Look: {evil}")
    expect(reply.locator("li")).to_have_text(f"<b>bold</b> {evil}")
    expect(reply.locator(".source")).to_have_text('From: <img src=y onerror="window.__pwned=4">')
    expect(reply.locator(".source a")).to_have_count(0)  # a javascript: source is never a link
    expect(w.chips).to_have_text(['<img src=w onerror="window.__pwned=6">'])
    expect(w.alert).to_contain_text('<img src=z onerror="window.__pwned=5">')
    page.wait_for_timeout(200)  # give any injected handler time to run
    counts = page.evaluate(
        """() => {
          const root = document.querySelector('crampbot-widget').shadowRoot;
          return {img: root.querySelectorAll('img, script, b').length,
                  pageImg: document.querySelectorAll('img').length, pwned: window.__pwned ?? null};
        }"""
    )
    assert counts == {"img": 0, "pageImg": 0, "pwned": None}


def test_reload_keeps_the_conversation_and_clear_empties_it(page: Page) -> None:
    bodies: list[Any] = []
    page.on("request", lambda r: bodies.append(r.post_data_json) if r.url.endswith("/api/ask") else None)
    w = Widget(page)
    w.open()
    w.ask("What causes leg cramps at night?")
    w.ask("I get chest pain with my cramps")
    session_ids = {b["session_id"] for b in bodies}
    assert len(session_ids) == 1
    (session_id,) = session_ids
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", session_id)

    page.reload()
    expect(w.panel).to_be_visible()  # it was open: it reopens
    expect(w.user_messages).to_have_count(2)
    expect(w.replies).to_have_count(2)
    expect(w.replies.first.locator(".source")).to_have_text(re.compile("^From: "))
    expect(w.alert).to_contain_text("Emergency")
    w.ask("How can I prevent them?")
    assert bodies[-1]["session_id"] == session_id  # the same conversation continues

    page.get_by_role("button", name="Clear conversation").click()
    expect(w.user_messages).to_have_count(0)
    expect(w.alert).to_have_count(0)
    expect(w.chips).to_have_count(4)  # the starter questions are back
    page.reload()
    expect(w.user_messages).to_have_count(0)
    w.ask("What causes leg cramps at night?")
    assert bodies[-1]["session_id"] != session_id  # a cleared conversation starts a new session


def test_server_stopped_shows_an_error_and_retry_works(chromium: Browser, problems: PageProblems) -> None:
    live = LiveServer(make_app()).start()
    page = new_page(chromium, live.url + "/", problems)
    try:
        w = Widget(page)
        w.open()
        live.stop()
        w.input.fill("How can I stop a cramp?")
        w.input.press("Enter")
        expect(w.error).to_contain_text("cannot be reached")
        expect(w.error).to_have_attribute("role", "alert")
        expect(w.send).to_be_enabled()
        expect(w.input).to_be_editable()
        expect(w.typing).to_have_count(0)
        shot(page, "08-unreachable")
        live.start()
        page.get_by_role("button", name="Try again").click()
        expect(w.replies).to_have_count(1)
        expect(w.error).to_have_count(0)
        expect(w.user_messages).to_have_count(1)  # the retry does not repeat the question
    finally:
        page.context.close()
        live.stop()


@pytest.mark.parametrize(
    ("status", "headers", "message"),
    [
        (422, {}, "could not read that question"),
        (429, {"Retry-After": "7"}, "Please wait 7 seconds"),
        (500, {}, "had a problem answering"),
        (503, {}, "had a problem answering"),
    ],
)
def test_http_errors_give_a_message_and_a_retry(page: Page, status: int, headers: dict[str, str], message: str) -> None:
    page.route("**/api/ask", fulfil_with(status, {"detail": "nope"}, headers))
    w = Widget(page)
    w.open()
    w.input.fill("How can I stop a cramp?")
    w.input.press("Enter")
    expect(w.error).to_contain_text(message)
    expect(w.send).to_be_enabled()
    if status == 422:
        expect(w.input).to_have_value("How can I stop a cramp?")  # given back to edit
    page.unroute("**/api/ask")
    page.get_by_role("button", name="Try again").click()
    expect(w.replies).to_have_count(1)
    expect(w.error).to_have_count(0)


def test_long_input_stops_at_the_limit_with_a_counter(page: Page) -> None:
    w = Widget(page)
    w.open()
    counter = w.host.locator(".counter")
    w.input.fill("cramp " * 50)
    expect(counter).to_be_hidden()
    w.input.fill("x" * 1200)
    expect(w.input).to_have_value("x" * 1000)
    expect(counter).to_be_visible()
    expect(counter).to_have_text("1000 / 1000 characters: the limit")
    expect(w.host.locator("[role=status]")).to_have_text("Character limit reached: 1000")
    w.input.press("Enter")
    expect(w.replies).to_have_count(1)
    expect(w.error).to_have_count(0)


def test_keyboard_only(page: Page) -> None:
    w = Widget(page)
    for _ in range(10):  # tab through the page to the launcher
        page.keyboard.press("Tab")
        if w.focused() == "launcher":
            break
    assert w.focused() == "launcher"
    page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    assert w.focused() == "input"
    page.keyboard.type("tell me a joke")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("please")
    expect(w.input).to_have_value("tell me a joke\nplease")
    page.keyboard.press("Enter")
    expect(w.replies).to_have_count(1)
    expect(w.user_messages.last).to_have_text("tell me a joke\nplease")
    last_chip = w.chips.last
    question = last_chip.inner_text()
    page.keyboard.press("Shift+Tab")  # from the input back to the newest suggestion
    expect(last_chip).to_be_focused()
    shot(page, "11-keyboard-focus")
    page.keyboard.press("Enter")
    expect(w.user_messages.last).to_have_text(question)
    expect(w.replies).to_have_count(2)
    assert w.focused() == "input"
    page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    assert w.focused() == "launcher"
    expect(w.launcher).to_have_attribute("aria-expanded", "false")


def test_phone_360px_has_no_horizontal_scroll(chromium: Browser, server: LiveServer, problems: PageProblems) -> None:
    page = new_page(chromium, server.url + "/", problems)
    try:
        page.set_viewport_size(PHONE)
        w = Widget(page)
        w.open()
        box = w.panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        w.ask("What causes leg cramps at night?")
        w.replies.last.get_by_role("button", name="Show more").click()
        w.ask("Pneumonoultramicroscopicsilicovolcanoconiosis" * 4)
        widths = page.evaluate(
            """() => {
              const log = document.querySelector('crampbot-widget').shadowRoot.querySelector('.log');
              return {page: document.documentElement.scrollWidth, log: log.scrollWidth, logClient: log.clientWidth};
            }"""
        )
        assert widths["page"] <= PHONE["width"], widths
        assert widths["log"] <= widths["logClient"], widths
        expect(page.get_by_role("button", name="Close chat", exact=True)).to_be_visible()
        expect(w.note).to_be_in_viewport(ratio=1)
        expect(w.send).to_be_in_viewport(ratio=1)
        w.log.evaluate("el => { el.scrollTop = 0 }")
        shot(page, "09-phone")
        w.ask("cramps with chest pain")
        expect(w.alert).to_be_in_viewport()
        expect(w.input).to_be_in_viewport(ratio=1)  # the alert never crowds out the input
        shot(page, "12-phone-emergency")
    finally:
        page.context.close()


def test_reduced_motion_stops_the_animations(chromium: Browser, server: LiveServer, problems: PageProblems) -> None:
    page = new_page(chromium, server.url + "/", problems, reduced_motion="reduce")
    try:
        w, held = ask_with_reply_held(page, "hello")
        names = w.host.locator(".dot, .panel").evaluate_all("els => els.map(e => getComputedStyle(e).animationName)")
        assert set(names) == {"none"}
        held[0].continue_()
        expect(w.replies).to_have_count(1)
    finally:
        page.context.close()


CONTRAST_JS = """() => {
  const root = document.querySelector('crampbot-widget').shadowRoot;
  const lum = (c) => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (; el; el = el.parentElement || (el.getRootNode() && el.getRootNode().host)) {
      const bg = getComputedStyle(el).backgroundColor;
      const alpha = (bg.match(/[\\d.]+/g) || [])[3];
      if (bg !== 'transparent' && alpha !== '0') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const failures = [];
  for (const el of root.querySelectorAll('.panel *, .launcher')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('.sr-only') || el.closest('[hidden]') || el.disabled) continue;
    const style = getComputedStyle(el);
    const [l1, l2] = [lum(style.color), lum(background(el))];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5))
      failures.push(`${el.className || el.tagName}: ${ratio.toFixed(2)} "${el.textContent.slice(0, 30)}"`);
  }
  return failures;
}"""


def test_text_contrast_meets_wcag_aa(page: Page) -> None:
    w = Widget(page)
    w.open()
    assert page.evaluate(CONTRAST_JS) == []
    w.ask("my calf is swollen")
    w.ask("tell me a joke")
    page.route("**/api/ask", fulfil_with(500, {"detail": "boom"}))
    w.input.fill("What causes cramps?")
    w.input.press("Enter")
    expect(w.error).to_be_visible()
    assert page.evaluate(CONTRAST_JS) == []
    page.get_by_role("button", name="Clear conversation").click()
    page.unroute("**/api/ask")
    w.ask("chest pain")
    assert page.evaluate(CONTRAST_JS) == []


THIRD_PARTY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A health site</title>
<style>
  /* hostile page CSS: none of it may reach the widget */
  * {{ color: red !important; font: 40px/3 serif !important; letter-spacing: 4px !important; }}
  button, div, p, section {{ display: none !important; }}
</style></head>
<body><h1>Another site</h1>
<script src="{api}/widget.js" defer data-title="Cramp helper" data-accent="#ffd23f"
        data-position="left" data-open="true"></script>
</body></html>"""


def test_embedded_on_another_origin(chromium: Browser, problems: PageProblems, monkeypatch: pytest.MonkeyPatch) -> None:
    site = FastAPI()
    api_url: list[str] = []

    @site.get("/")
    def home() -> HTMLResponse:
        return HTMLResponse(THIRD_PARTY_PAGE.format(api=api_url[0]))

    site_server = LiveServer(site)
    monkeypatch.setenv("CRAMPBOT_CORS_ORIGINS", f"https://example.org, {site_server.url}")
    api_server = LiveServer(make_app())
    api_url.append(api_server.url)
    site_server.start()
    api_server.start()
    page = new_page(chromium, site_server.url + "/", problems)
    try:
        w = Widget(page)
        expect(w.panel).to_be_visible()  # data-open
        expect(w.host.locator("#title")).to_have_text("Cramp helper")
        expect(w.input).not_to_be_focused()  # opening on load does not steal the page's focus
        w.ask("What causes leg cramps at night?")
        expect(w.replies.last.locator(".source")).to_contain_text("From:")
        launcher = w.launcher.bounding_box()
        assert launcher is not None and launcher["x"] < 100  # data-position="left"
        styles = w.launcher.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
        assert styles == ["rgb(255, 210, 63)", "rgb(17, 17, 17)"]  # light accent -> dark text
        for element in (w.input, w.replies.last.locator("li").first, w.note):
            style = element.evaluate("el => [getComputedStyle(el).fontSize, getComputedStyle(el).letterSpacing]")
            assert style[1] == "normal" and style[0] in {"12px", "15px"}, style
        shot(page, "10-third-party")
    finally:
        page.context.close()
        api_server.stop()
        site_server.stop()


def test_the_widget_takes_its_limit_starters_and_disclaimer_from_the_server(
    chromium: Browser, server: LiveServer, problems: PageProblems
) -> None:
    """GET /api/config is the one source: a server that says 20 characters and two starters gets them."""
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    config = {
        "max_question_chars": 20,
        "min_question_chars": 1,
        "starter_questions": ["First starter?", "Second starter?"],
        "disclaimer": "A test disclaimer, not medical advice.",
        "version": "test",
    }
    page.route("**/api/config", lambda route: route.fulfill(json=config))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(server.url + "/")
    w = Widget(page)
    w.open()
    expect(w.chips).to_have_text(["First starter?", "Second starter?"])
    expect(w.input).to_have_attribute("maxlength", "20")
    expect(w.note).to_contain_text("A test disclaimer, not medical advice.")
    w.input.fill("x" * 30)
    expect(w.input).to_have_value("x" * 20)
    context.close()
