"""The Content-Security-Policy in a real browser (Debian's Chromium, as in test_widget_browser.py):
the demo page with the widget answering and taking feedback, and the API docs working offline, with no console error
(a CSP violation is one) and no request leaving the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import LiveServer
from playwright.sync_api import Browser, Page, expect

from bot.settings import get_settings
from bot.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(create_app(get_settings({}))).start()
    yield live
    live.stop()


class Watched:
    """Console errors, CSP violations, page errors and requests to anywhere but the server."""

    def __init__(self, page: Page, origin: str) -> None:
        self.problems: list[str] = []
        self.elsewhere: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith((origin + "/", "data:", "blob:")) else self.elsewhere.append(r.url),
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())  # offline
    yield context.new_page()
    context.close()


def test_the_demo_page_and_the_widget_run_under_the_policy(page: Page, server: LiveServer) -> None:
    watched = Watched(page, server.url)
    with page.expect_response(server.url + "/") as first:
        page.goto(server.url + "/")
    assert "default-src 'none'" in first.value.headers["content-security-policy"]
    page.get_by_role("button", name="Open chat: crampbot").click()
    question = page.get_by_label("Your question")
    question.fill("What causes leg cramps at night?")
    with page.expect_response("**/api/ask") as answer:
        question.press("Enter")
    assert answer.value.status == 200
    widget = page.locator("crampbot-widget")
    expect(widget.locator(".msg--bot:not(.greeting):not(.typing) .source")).to_contain_text("From: ")
    with page.expect_response("**/api/feedback") as feedback:
        widget.get_by_role("button", name="Not helpful", exact=True).click()
    assert feedback.value.status == 204
    expect(widget.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    widget.get_by_role("button", name="Helpful", exact=True).focus()  # the focus ring and the pressed style
    page.wait_for_timeout(300)
    assert watched.problems == [] and watched.elsewhere == []


def test_the_api_docs_work_offline_under_their_policy(page: Page, server: LiveServer) -> None:
    watched = Watched(page, server.url)
    page.goto(server.url + "/docs")
    operation = page.locator("#operations-default-ask_api_ask_post")
    expect(operation).to_be_visible()
    operation.locator("button.opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    with page.expect_response("**/api/ask") as answer:
        page.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    assert watched.problems == [] and watched.elsewhere == []
