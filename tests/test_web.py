"""`bot.web.mount_widget`: the widget's static routes, tested in process (no browser)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.web.pages import ASSET_CACHE, PAGE_CACHE, WEB_DIR, mount_widget


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    mount_widget(app)
    return TestClient(app)


@pytest.mark.parametrize(
    ("path", "media_type", "cache", "file"),
    [
        ("/", "text/html", PAGE_CACHE, "index.html"),
        ("/widget.js", "text/javascript", ASSET_CACHE, "widget.js"),
        ("/widget.css", "text/css", ASSET_CACHE, "widget.css"),
    ],
)
def test_routes_serve_files_with_type_and_cache(
    client: TestClient, path: str, media_type: str, cache: str, file: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.headers["cache-control"] == cache
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (WEB_DIR / file).read_bytes()


def test_etag_revalidation_answers_304(client: TestClient) -> None:
    first = client.get("/widget.js")
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = client.get("/widget.js", headers={"If-None-Match": f'W/"other", {etag}'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get("/widget.js", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_head_is_answered(client: TestClient) -> None:
    response = client.head("/widget.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_demo_page_embeds_the_widget_like_a_third_party_site() -> None:
    page = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="[^"]*/widget\.js" defer></script>', page)
    assert "not medical advice" in page
    assert "<crampbot-widget" not in page  # the script tag alone is enough


def test_widget_never_parses_server_text_as_html() -> None:
    script = (WEB_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, f"widget.js uses {sink}"


def test_widget_makes_no_third_party_requests() -> None:
    """Only the W3C namespace URI may appear: fonts, icons and scripts are all inline or local."""
    for name in ("widget.js", "widget.css"):
        text = (WEB_DIR / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text)) - {"http://www.w3.org/2000/svg"}
        urls = {u for u in urls if "HOST" not in u}  # the embedding example in the header comment
        assert not urls, f"{name} refers to {urls}"
        assert "@import" not in text
