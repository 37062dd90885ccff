"""What the browser tests share: Debian's Chromium found and launched headless, a live uvicorn
server on a free port, a page that records its errors and dialogs, and locators into the widget.

Chromium is found at $CRAMPBOT_CHROMIUM, /usr/bin/chromium or on PATH; conftest.py's `chromium`
fixture skips without it, except under CI (env CI set), where it fails. scripts/widget_screenshots.py
uses the same machinery.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Route, expect

from bot.settings import get_settings
from bot.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
expect.set_options(timeout=5_000)


def make_app() -> FastAPI:
    """The real app with the bundled knowledge (it reads CRAMPBOT_CORS_ORIGINS, which the
    cross-origin test sets before calling this)."""
    return create_app(get_settings())


class LiveServer:
    """uvicorn serving `app` in a thread on 127.0.0.1; the port is chosen once and kept across
    stop() and start(), so a test can take the server away and bring it back."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def start(self) -> LiveServer:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._socket = sock
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._socket:
            self._socket.close()
        self._server = self._thread = self._socket = None


def find_chromium() -> str | None:
    configured = os.environ.get("CRAMPBOT_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


class PageProblems(list[str]):
    """Uncaught page errors and dialogs (an injected `alert(1)` would open one)."""


def new_page(
    browser: Browser, url: str, problems: PageProblems, *, fake_clock: bool = False, **context_options: Any
) -> Page:
    """A page in a fresh context; `fake_clock` installs Playwright's fake timers before the widget loads."""
    context = browser.new_context(viewport=DESKTOP, **context_options)
    if fake_clock:
        context.clock.install()
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return page


class Widget:
    """Locators into the widget's (open) shadow root; Playwright's CSS and role selectors pierce it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator("crampbot-widget")
        self.launcher = self.host.locator(".launcher")
        self.panel = self.host.locator(".panel")
        self.input = page.get_by_label("Your question")
        self.send = page.get_by_role("button", name="Send question")
        self.log = self.host.locator(".log")
        self.user_messages = self.host.locator(".msg--user .user-text")
        self.replies = self.host.locator(".msg--bot:not(.greeting):not(.typing)")
        self.typing = self.host.locator(".typing")
        self.alert = self.host.locator(".alert")
        self.error = self.host.locator(".msg--error")
        self.chips = self.host.locator(".chips .chip")
        self.note = self.host.locator(".note")

    def open(self) -> None:
        self.page.get_by_role("button", name=re.compile(r"^Open chat")).click()
        expect(self.panel).to_be_visible()

    def ask(self, question: str) -> None:
        replies = self.replies.count()
        self.input.fill(question)
        self.input.press("Enter")
        expect(self.replies).to_have_count(replies + 1)

    def focused(self) -> str:
        """A short description of the focused element inside the widget ('' when outside it)."""
        return str(
            self.page.evaluate(
                """() => {
                  const el = document.querySelector('crampbot-widget').shadowRoot.activeElement;
                  return el ? (el.id || el.className || el.tagName) : '';
                }"""
            )
        )


def shot(page: Page, name: str, *, panel_only: bool = False, folder: Path = SCREENSHOTS) -> None:
    """Save a screenshot as `folder/name.png`; `panel_only` crops it to the open panel and the launcher."""
    folder.mkdir(exist_ok=True)
    clip = None
    if panel_only:
        box = page.locator("crampbot-widget .panel").bounding_box()
        assert box is not None
        viewport = page.viewport_size or DESKTOP
        x, y = max(box["x"] - 16, 0), max(box["y"] - 16, 0)
        clip = {
            "x": x,
            "y": y,
            "width": min(box["width"] + 32, viewport["width"] - x),
            "height": viewport["height"] - y,
        }
    page.screenshot(path=str(folder / f"{name}.png"), animations="disabled", clip=clip)


def fulfil_with(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Callable[[Route], None]:
    def handler(route: Route) -> None:
        route.fulfill(status=status, json=body, headers=headers or {})

    return handler
