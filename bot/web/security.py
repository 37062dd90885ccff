"""Security headers: every response gets them unless it sets its own (the pages set their own CSP).

- `X-Content-Type-Options: nosniff`: a browser takes each file as the type it is served with.
- `Referrer-Policy: no-referrer`: a health chatbot's page addresses are nobody else's business.
- `Content-Security-Policy`: by default `default-src 'none'` (JSON, the widget's files and the
  docs' assets load nothing themselves) with `frame-ancestors 'none'` (no page of crampbot may
  be framed: the widget is a script, never an iframe). The demo page and `/docs` each send a
  policy that allows exactly what they load, built with `page_policy` from their own HTML: their
  inline `<style>` and `<script>` blocks by hash, never `'unsafe-inline'`.

The widget's own files are loaded by other sites (`<script src>`), so no header here restricts
who may load them (no Cross-Origin-Resource-Policy).
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Inline `<style>` text the widget inserts into its shadow root (widget.js: it hides the widget
#: until widget.css has loaded). The demo page's policy allows it by hash; tests/test_security.py
#: holds this list to the script.
WIDGET_INLINE_STYLES = (".root{display:none}",)

FRAME_ANCESTORS = "frame-ancestors 'none'"
DEFAULT_POLICY = f"default-src 'none'; {FRAME_ANCESTORS}; base-uri 'none'; form-action 'none'"
DEFAULT_HEADERS = {
    "Content-Security-Policy": DEFAULT_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def csp_hash(text: str) -> str:
    """The CSP source expression that allows one inline block: `'sha256-<base64>'`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class _InlineBlocks(HTMLParser):
    """Collects the text of every inline `<script>` (without `src`) and `<style>` block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style" or (tag == "script" and not any(name == "src" for name, _ in attrs)):
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag in ("script", "style"):
            (self.styles if tag == "style" else self.scripts).append("".join(self._open))
            self._open = None


def page_policy(
    html: str, *, extra_styles: tuple[str, ...] = (), images: str = "", style_attributes: bool = False
) -> str:
    """A CSP for one HTML page: scripts, styles and requests from its own origin only, plus its
    inline blocks (and `extra_styles`, inline styles its scripts insert) by hash. `images` adds
    sources to `img-src` (such as `data:`); `style_attributes` allows `style="..."` attributes,
    which cannot run code (Swagger UI sets some)."""
    blocks = _InlineBlocks()
    blocks.feed(html)
    blocks.close()
    scripts = " ".join(["'self'", *(csp_hash(s) for s in blocks.scripts)])
    styles = " ".join(["'self'", *(csp_hash(s) for s in (*blocks.styles, *extra_styles))])
    parts = [
        "default-src 'none'",
        f"script-src {scripts}",
        f"style-src {styles}",
        f"img-src 'self' {images}".strip(),
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        FRAME_ANCESTORS,
    ]
    return "; ".join(parts)


class SecurityHeaders:
    """Pure ASGI middleware: adds `headers` to each HTTP response that does not already set them."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = [(name.lower().encode(), value.encode()) for name, value in (headers or DEFAULT_HEADERS).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in self.headers if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
