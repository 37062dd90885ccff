"""`bot.web.security` and `bot.web.docs`: security headers on every response, each page's CSP made
from its own HTML, HEAD on the health route, and API docs that load nothing from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.settings import get_settings
from bot.web.app import create_app
from bot.web.pages import WEB_DIR
from bot.web.security import DEFAULT_POLICY, WIDGET_INLINE_STYLES, csp_hash, page_policy

COMMON = {"referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}


@pytest.fixture(scope="module")
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings({}), bot=bot)) as test_client:
        yield test_client


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/health"),
        ("GET", "/api/config"),
        ("POST", "/api/ask"),
        ("GET", "/widget.js"),
        ("GET", "/widget.css"),
        ("GET", "/openapi.json"),
        ("GET", "/docs-assets/swagger-ui.css"),
        ("GET", "/metrics"),
        ("GET", "/no-such-page"),
    ],
)
def test_every_response_gets_the_headers_and_no_framing(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"question": "leg cramps?"} if method == "POST" else None)
    assert {k: response.headers.get(k) for k in COMMON} == COMMON
    assert response.headers["content-security-policy"] == DEFAULT_POLICY
    assert directives(DEFAULT_POLICY)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_pages_send_their_own_policy_that_allows_only_this_origin(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert {k: response.headers.get(k) for k in COMMON} == COMMON
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'" and policy["base-uri"] == "'none'"
    assert policy["script-src"].split()[0] == "'self'" and "unsafe" not in policy["script-src"]
    assert not re.search(r"https?:", response.headers["content-security-policy"])


def test_the_demo_page_allows_its_inline_style_and_the_widgets_by_hash() -> None:
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    styles = directives(page_policy(html, extra_styles=WIDGET_INLINE_STYLES))["style-src"].split()
    page_style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert page_style is not None
    assert styles == ["'self'", csp_hash(page_style.group(1)), *map(csp_hash, WIDGET_INLINE_STYLES)]
    assert "'unsafe-inline'" not in styles


def test_the_widgets_inline_styles_are_the_ones_the_policy_allows() -> None:
    script = (WEB_DIR / "widget.js").read_text(encoding="utf-8")
    inserted = re.findall(r'h\("style",\s*\{\s*text:\s*"([^"]*)"', script)
    assert inserted and set(inserted) <= set(WIDGET_INLINE_STYLES)


def test_a_hash_is_the_one_browsers_compute() -> None:
    # The CSP spec's example: sha256 of "alert('Hello, world.');"
    assert csp_hash("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"


def test_inline_scripts_are_hashed_and_scripts_with_src_are_not() -> None:
    html = '<script src="/a.js"></script><script>go()</script><style>p{}</style>'
    policy = directives(page_policy(html))
    assert policy["script-src"] == f"'self' {csp_hash('go()')}"
    assert policy["style-src"] == f"'self' {csp_hash('p{}')}"


def test_head_on_health_answers_200_without_a_body(client: TestClient) -> None:
    response = client.head("/api/health")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) == len(client.get("/api/health").content)
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]["/api/health"]) == {"get", "head"}


def test_head_on_health_is_503_while_starting(tmp_path: Path) -> None:
    app = create_app(get_settings({"CRAMPBOT_KNOWLEDGE": str(tmp_path)}))
    response = TestClient(app).head("/api/health")  # outside `with`: the lifespan (the load) never runs
    assert response.status_code == 503 and response.headers["retry-after"] == "1"


def test_the_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    html = client.get("/docs").text
    assert not re.search(r"(src|href)=\"https?:", html), "nothing from a CDN"
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        assert f'"/docs-assets/{asset}"' in html
        response = client.get(f"/docs-assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 1_000


def test_there_is_no_redoc_page_that_would_need_a_cdn(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_the_docs_follow_a_root_path(bot: Bot) -> None:
    with TestClient(create_app(get_settings({}), bot=bot), root_path="/crampbot") as behind_a_proxy:
        html = behind_a_proxy.get("/docs").text
    assert '"/crampbot/docs-assets/swagger-ui-bundle.js"' in html and "'/crampbot/openapi.json'" in html
