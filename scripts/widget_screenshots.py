"""The widget's screenshots in docs/, taken from the real widget and the real answers.

    .venv/bin/python scripts/widget_screenshots.py

It uses the browser tests' machinery (tests/browser.py): the app with the bundled
knowledge served by uvicorn on a free port, Debian's Chromium, headless, driven by Playwright. It
asks the questions below on a desktop (1280 x 800, cropped to the panel) and on a 360 px phone, and
rewrites:

    docs/widget-answer.png, docs/widget-answer-phone.png
        an answer shown short, its source under it, and "Show more"
    docs/widget-emergency.png, docs/widget-emergency-phone.png
        a red flag, then three more messages: the pinned alert folded to one line
    docs/widget-feedback.png
        an answer marked "Not helpful", with a comment being written

Run it after a change to the widget's looks or to the bundled knowledge's answers, and commit the
images with the change. It needs the test extras (`make test` installs them) and Chromium.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's bot and widget, whatever is installed

from browser import (  # noqa: E402
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    LiveServer,
    Widget,
    find_chromium,
    make_app,
    shot,
)
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

DOCS = ROOT / "docs"
ANSWER = ["How do I stop a leg cramp right now?"]
EMERGENCY = ["I have chest pain and my left arm hurts", "what should I do?", "is it a cramp?", "thanks"]


def not_helpful_with_a_comment(page: Page) -> None:
    reply = Widget(page).replies.last
    reply.get_by_role("button", name="Not helpful", exact=True).click()
    expect(reply.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    reply.locator(".comment-input").fill("It does not say what to do if it happens every night.")
    page.locator("crampbot-widget .log").evaluate("el => { el.scrollTop = el.scrollHeight }")


def conversation(
    browser: Browser,
    url: str,
    questions: list[str],
    name: str,
    *,
    phone: bool,
    then: Callable[[Page], None] | None = None,
) -> None:
    context = browser.new_context(viewport=PHONE if phone else DESKTOP)
    try:
        page = context.new_page()
        page.goto(url)
        w = Widget(page)
        w.open()
        expect(w.chips.first).to_be_visible()  # GET /api/config answered
        for question in questions:
            w.ask(question)
        if then is not None:
            then(page)
        page.locator("crampbot-widget .input, crampbot-widget .comment-input").evaluate_all(
            "els => els.forEach((el) => el.blur())"
        )  # no focus ring in the picture
        page.wait_for_timeout(300)
        shot(page, name, panel_only=not phone, folder=DOCS)
        print(DOCS / f"{name}.png")
    finally:
        context.close()


def main() -> int:
    chromium = find_chromium()
    if chromium is None:
        print("Chromium not found: set CRAMPBOT_CHROMIUM or install chromium", file=sys.stderr)
        return 1
    server = LiveServer(make_app()).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            for phone in (False, True):
                suffix = "-phone" if phone else ""
                conversation(browser, server.url + "/", ANSWER, f"widget-answer{suffix}", phone=phone)
                conversation(browser, server.url + "/", EMERGENCY, f"widget-emergency{suffix}", phone=phone)
            conversation(
                browser, server.url + "/", ANSWER, "widget-feedback", phone=False, then=not_helpful_with_a_comment
            )
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
