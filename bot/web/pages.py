"""The website chat widget: serve `bot/web/` (demo page, widget script and stylesheet).

`mount_widget(app)` adds three routes to a FastAPI app:

- `GET /`           the demo page, embedding the widget exactly as a third-party site would
- `GET /widget.js`  the widget (a plain-JS web component with Shadow DOM, no build step)
- `GET /widget.css` its stylesheet, loaded by the script into the widget's shadow root
- `GET /favicon.ico` 204 No Content, so a browser asking for the demo page's icon logs no error

The files are read once, when the routes are mounted. Each response carries a strong ETag and
answers `If-None-Match` with 304, so browsers revalidate cheaply; the widget files are cached
briefly (they keep one URL across releases, so a long cache would pin embedders to an old
version) and the demo page is always revalidated. The demo page carries its own
Content-Security-Policy (`bot.web.security.page_policy`): its inline styles and the widget's by
hash, scripts and requests from this origin only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bot.web.security import WIDGET_INLINE_STYLES, page_policy

WEB_DIR = Path(__file__).resolve().parent / "static"

#: Cache-Control for the widget's script and stylesheet: 10 minutes, then revalidate by ETag.
ASSET_CACHE = "public, max-age=600, must-revalidate"
#: Cache-Control for the demo page: always revalidate (cheap: 304 by ETag).
PAGE_CACHE = "no-cache"


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    cache_control: str
    etag: str
    policy: str | None = None  # the page's own Content-Security-Policy

    @classmethod
    def load(cls, path: Path, media_type: str, cache_control: str, *, html_page: bool = False) -> StaticFile:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        policy = page_policy(body.decode("utf-8"), extra_styles=WIDGET_INLINE_STYLES) if html_page else None
        return cls(body=body, media_type=media_type, cache_control=cache_control, etag=etag, policy=policy)

    def respond(self, request: Request) -> Response:
        headers = {
            "Cache-Control": self.cache_control,
            "ETag": self.etag,
            "X-Content-Type-Options": "nosniff",
        }
        if self.policy:
            headers["Content-Security-Policy"] = self.policy
        if _etag_matches(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(content=self.body, media_type=self.media_type, headers=headers)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def mount_widget(app: FastAPI, web_dir: Path = WEB_DIR) -> None:
    """Add `GET /`, `GET /widget.js` and `GET /widget.css` to `app`, served from `web_dir`."""
    page = StaticFile.load(web_dir / "index.html", "text/html; charset=utf-8", PAGE_CACHE, html_page=True)
    script = StaticFile.load(web_dir / "widget.js", "text/javascript; charset=utf-8", ASSET_CACHE)
    style = StaticFile.load(web_dir / "widget.css", "text/css; charset=utf-8", ASSET_CACHE)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def demo_page(request: Request) -> Response:
        return page.respond(request)

    @app.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_script(request: Request) -> Response:
        return script.respond(request)

    @app.api_route("/widget.css", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_style(request: Request) -> Response:
        return style.respond(request)

    @app.api_route("/favicon.ico", methods=["GET", "HEAD"], include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})
