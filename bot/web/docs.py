"""The API docs (`/docs`, Swagger UI) with their assets served by crampbot itself.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they are blank offline or on a
network that blocks it. This follows FastAPI's documented recipe for self-hosting the docs'
static files ("Custom Docs UI Static Assets"), with the files the `fastapi-offline` package
ships (kept current with Swagger UI 5) mounted at `/docs-assets`. The app is built with
`docs_url=None, redoc_url=None` and `mount_docs(app)` adds the page, with a Content-Security-Policy
made from its own HTML (its inline script by hash). There is no `/redoc`: ReDoc's page loads its
logo from its maker's CDN, so it cannot work offline or under this policy.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from bot.web.security import page_policy

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))


def mount_docs(app: FastAPI, docs_url: str = "/docs") -> None:
    """Add the docs page and its assets to an app built with `docs_url=None, redoc_url=None`."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @cache
    def swagger(root: str) -> tuple[str, str]:
        html = _text(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - API docs",
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                oauth2_redirect_url=None,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )
        return html, page_policy(html, images="data:")  # Swagger UI draws its icons as data: images

    @app.get(docs_url, include_in_schema=False)
    async def docs_page(request: Request) -> HTMLResponse:
        html, policy = swagger(request.scope.get("root_path", ""))
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def _text(page: HTMLResponse) -> str:
    return bytes(page.body).decode()
