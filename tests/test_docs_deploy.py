"""docs/deploy.md and the Dockerfile cannot drift from the code: the stop timeout covers the store's
shutdown, nginx lets through every body crampbot accepts, and the image serves where it says it does."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.cli import command_names
from bot.settings import get_settings
from bot.web.app import STORE_SHUTDOWN_SECONDS, create_app

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
DOCKERFILE = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))  # continuations joined


def fenced(language: str) -> str:
    """The doc's one code block in `language` (```nginx, ```ini)."""
    (block,) = re.findall(rf"```{language}\n(.*?)```", DOC, re.S)
    return block


def number(pattern: str, text: str) -> int:
    """The number `pattern`'s one group finds in `text`."""
    found = re.search(pattern, text, re.M)
    assert found, f"{pattern!r} not found"
    return int(found.group(1))


def instruction(name: str) -> str:
    """The argument of the Dockerfile's last `name` instruction (the runtime stage's)."""
    return re.findall(rf"^{name} (.+)$", DOCKERFILE, re.M)[-1].strip()


@pytest.fixture(scope="module")
def client(bot: Bot) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings({"CRAMPBOT_DATABASE_URL": "none"}), bot=bot)) as test_client:
        yield test_client


def test_the_unit_waits_for_the_store_to_write_its_queue_before_killing() -> None:
    unit = fenced("ini")
    seconds = number(r"^TimeoutStopSec=(\d+)s?$", unit)
    assert seconds >= 2 * STORE_SHUTDOWN_SECONDS
    assert "KillSignal=SIGTERM" in unit and "Restart=on-failure" in unit and "NoNewPrivileges=yes" in unit
    assert f"--stop-timeout {seconds}" in DOC and f"docker stop -t {seconds}" in DOC
    assert instruction("STOPSIGNAL") == "SIGTERM"


def test_nginx_lets_through_every_body_crampbot_accepts(client: TestClient) -> None:
    refused = client.post("/api/ask", content=b" " * 200_000, headers={"Content-Type": "application/json"})
    assert refused.status_code == 413
    limit = number(r"over (\d+) bytes", refused.json()["detail"])
    nginx = number(r"client_max_body_size (\d+)k;", fenced("nginx")) * 1024
    assert limit < nginx < 2 * limit
    assert f"{limit:,}" in DOC  # the number the doc gives is the app's


def test_nginx_keeps_metrics_and_admin_routes_internal() -> None:
    nginx = fenced("nginx")
    for location in ("location = /metrics {", "location /api/admin/ {"):
        block = nginx[nginx.index(location) :].split("}", 1)[0]
        assert "deny all;" in block and "allow 127.0.0.1;" in block


def test_the_image_serves_on_the_port_it_exposes_and_health_checks() -> None:
    env = dict(re.findall(r"(CRAMPBOT_[A-Z_]+)=(\S+)", instruction("ENV")))
    assert env["CRAMPBOT_HOST"] == "0.0.0.0"
    assert instruction("EXPOSE") == env["CRAMPBOT_PORT"]
    assert json.loads(instruction("VOLUME")) == [env["CRAMPBOT_DATA_DIR"]]
    assert instruction("USER") == "crampbot"
    check = instruction("HEALTHCHECK")
    assert "/api/health" in check and "urllib" in check and f"'{env['CRAMPBOT_PORT']}'" in check
    assert json.loads(instruction("CMD")) == ["crampbot", "serve"]


def test_the_commands_the_doc_runs_exist() -> None:
    named = set(re.findall(r"crampbot (\w+)", DOC)) & {"serve", "check", "db", "report", "purge"}
    assert named == {"serve", "check", "db", "report", "purge"}
    assert named <= set(command_names())
    assert "crampbot db upgrade" in DOC
