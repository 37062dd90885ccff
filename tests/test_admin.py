"""`bot.web.admin`: the bearer-token guard and the shapes of /api/admin/reload and /api/admin/status."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.cli import main
from bot.settings import Settings, SettingsError, get_settings
from bot.web.admin import RELOAD_SCHEMA
from bot.web.app import create_app

TOKEN = "admin-token-for-tests-0123456789abcdef"  # 32 characters or more, as settings require
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = [("POST", "/api/admin/reload"), ("GET", "/api/admin/status")]
RELOAD_KEYS = set(RELOAD_SCHEMA["properties"])
PROBLEM_KEYS = {"level", "file", "line", "message"}


@pytest.fixture()
def client(bot: Bot) -> Iterator[TestClient]:
    """The app over the bundled knowledge (read, never written), with the session's Bot already loaded."""
    with TestClient(create_app(get_settings({"CRAMPBOT_ADMIN_TOKEN": TOKEN}), bot=bot)) as test_client:
        yield test_client


@pytest.fixture()
def copy_client(knowledge_copy: Path) -> Iterator[TestClient]:
    """The app over a private copy of the knowledge, which a test may break."""
    settings = get_settings({"CRAMPBOT_KNOWLEDGE": str(knowledge_copy), "CRAMPBOT_ADMIN_TOKEN": TOKEN})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# --- the guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_without_a_configured_token_the_admin_routes_do_not_exist(bot: Bot, method: str, path: str) -> None:
    with TestClient(create_app(get_settings({"CRAMPBOT_ADMIN_TOKEN": "   "}), bot=bot)) as plain:
        assert plain.request(method, path, headers=AUTH).status_code == 404
        assert not any(p.startswith("/api/admin") for p in plain.get("/openapi.json").json()["paths"])


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": TOKEN},  # no scheme
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
    ],
)
def test_a_missing_bearer_token_gets_401_with_a_challenge(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "send the admin token as 'Authorization: Bearer <token>'",
        "error": "send the admin token as 'Authorization: Bearer <token>'",
    }


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("given", ["wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper()])
def test_a_wrong_token_gets_403(client: TestClient, method: str, path: str, given: str) -> None:
    response = client.request(method, path, headers={"Authorization": f"Bearer {given}"})
    assert response.status_code == 403
    assert response.json()["detail"] == "wrong admin token"
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("header", [f"bearer {TOKEN}", f"BEARER {TOKEN}", f"Bearer   {TOKEN}  "])
def test_the_scheme_is_case_insensitive_and_spaces_around_the_token_are_ignored(
    client: TestClient, header: str
) -> None:
    assert client.get("/api/admin/status", headers={"Authorization": header}).status_code == 200


def test_a_refused_reload_leaves_the_bot_alone(client: TestClient) -> None:
    bot = client.app.state.bot  # type: ignore[attr-defined]
    assert client.post("/api/admin/reload?force=true", headers={"Authorization": "Bearer nope"}).status_code == 403
    assert client.app.state.bot is bot  # type: ignore[attr-defined]
    assert client.get("/api/admin/status", headers=AUTH).json()["last_reload"] is None


# --- the routes ---------------------------------------------------------------------------------


def test_status_reports_the_served_knowledge_and_no_reload_yet(client: TestClient, bot: Bot) -> None:
    status = client.get("/api/admin/status", headers=AUTH).json()
    assert status == {
        "version": bot.version,
        "passages": len(bot.knowledge.passages),
        "changed_on_disk": False,
        "last_reload": None,
    }
    assert status["version"] == client.get("/api/health").json()["version"]


def test_reload_of_unchanged_knowledge_says_unchanged_and_keeps_the_bot(client: TestClient, bot: Bot) -> None:
    response = client.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == RELOAD_KEYS
    assert data["status"] == "unchanged"
    assert data["version"] == data["previous_version"] == bot.version
    assert data["passages"] == len(bot.knowledge.passages)
    assert data["errors"] == [] and isinstance(data["seconds"], float)
    assert all(set(w) == PROBLEM_KEYS for w in data["warnings"])
    assert client.app.state.bot is bot  # type: ignore[attr-defined]
    assert client.get("/api/admin/status", headers=AUTH).json()["last_reload"] == data


def test_forced_reload_builds_a_new_bot_from_the_same_knowledge(client: TestClient, bot: Bot) -> None:
    response = client.post("/api/admin/reload", params={"force": "true"}, headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "reloaded" and data["version"] == data["previous_version"] == bot.version
    assert client.app.state.bot is not bot  # type: ignore[attr-defined]
    assert client.get("/api/health").json()["passages"] == data["passages"]


def test_a_force_value_that_is_not_a_boolean_is_a_422(client: TestClient) -> None:
    response = client.post("/api/admin/reload", params={"force": "maybe"}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"].startswith("force:")


def test_reload_of_broken_knowledge_is_409_with_errors_and_status_shows_it(
    copy_client: TestClient, knowledge_copy: Path
) -> None:
    before = copy_client.get("/api/admin/status", headers=AUTH).json()
    (knowledge_copy / "intents.yaml").write_text("intents:\n  cause: [why\n", encoding="utf-8")
    assert copy_client.get("/api/admin/status", headers=AUTH).json()["changed_on_disk"] is True
    response = copy_client.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 409
    data = response.json()
    assert set(data) == RELOAD_KEYS
    assert data["status"] == "rejected" and data["version"] == before["version"]
    assert data["errors"] and all(set(e) == PROBLEM_KEYS and e["level"] == "error" for e in data["errors"])
    assert data["errors"][0]["file"] == "intents.yaml"
    status = copy_client.get("/api/admin/status", headers=AUTH).json()
    assert status["last_reload"] == data
    assert status["version"] == before["version"]
    assert status["changed_on_disk"] is True  # what is on disk is still not what is served


def _reject_a_broken_edit(client: TestClient, knowledge: Path) -> tuple[Path, str]:
    """Break intents.yaml and have the reload rejected; the file and its good text, to mend it with."""
    intents = knowledge / "intents.yaml"
    good = intents.read_text(encoding="utf-8")
    intents.write_text("intents:\n  cause: [why\n", encoding="utf-8")
    assert client.post("/api/admin/reload", headers=AUTH).status_code == 409
    return intents, good


def test_after_a_rejected_reload_fixing_the_edit_is_served_and_logged_as_a_recovery(
    copy_client: TestClient, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    intents, good = _reject_a_broken_edit(copy_client, knowledge_copy)
    intents.write_text(good + "\n", encoding="utf-8")  # fixed (and not byte for byte what is served)
    with caplog.at_level(logging.INFO, logger="bot.web.reload"):
        assert copy_client.post("/api/admin/reload", headers=AUTH).json()["status"] == "reloaded"
    assert [r.levelname for r in caplog.records if "recovered" in r.getMessage()] == ["INFO"]
    assert copy_client.get("/api/admin/status", headers=AUTH).json()["changed_on_disk"] is False


def test_undoing_a_rejected_edit_is_a_recovery_too(
    copy_client: TestClient, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    intents, good = _reject_a_broken_edit(copy_client, knowledge_copy)
    intents.write_text(good, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="bot.web.reload"):
        assert copy_client.post("/api/admin/reload", headers=AUTH).json()["status"] == "unchanged"
    assert "recovered" in caplog.text
    assert copy_client.get("/api/admin/status", headers=AUTH).json()["changed_on_disk"] is False


def test_the_admin_routes_are_documented_with_their_refusals(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    reload, status = paths["/api/admin/reload"]["post"], paths["/api/admin/status"]["get"]
    assert {"200", "401", "403", "409"} <= set(reload["responses"])
    assert {"200", "401", "403"} <= set(status["responses"])
    assert reload["responses"]["409"]["content"]["application/json"]["schema"]["properties"]["status"]["enum"] == [
        "reloaded",
        "unchanged",
        "rejected",
    ]
    assert [p["name"] for p in reload["parameters"]] == ["force"]


# --- the token itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["short", "x" * 31, "  " + "y" * 31 + "  "])
def test_a_token_shorter_than_32_characters_stops_start_up_without_repeating_it(token: str) -> None:
    with pytest.raises(
        SettingsError, match=r"CRAMPBOT_ADMIN_TOKEN' is \d+ characters long\. Expected at least 32"
    ) as e:
        get_settings({"CRAMPBOT_ADMIN_TOKEN": token})
    assert token.strip() not in str(e.value)


def test_the_cli_refuses_a_short_token_with_the_message(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("CRAMPBOT_ADMIN_TOKEN", "guessable")
    assert main(["serve"]) == 2
    assert "CRAMPBOT_ADMIN_TOKEN' is 9 characters long" in capsys.readouterr().err


def test_a_settings_object_built_by_hand_with_a_short_token_is_refused_too(bot: Bot) -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(Settings(admin_token="short"), bot=bot)


def test_a_non_ascii_token_matches_when_sent_as_utf8(bot: Bot) -> None:
    token = "crampes-nocturnes-clé-secrète-ünïcødé-🦵"
    with TestClient(create_app(get_settings({"CRAMPBOT_ADMIN_TOKEN": token}), bot=bot)) as client:
        header = b"Bearer " + token.encode()
        assert client.get("/api/admin/status", headers={"Authorization": header}).status_code == 200
        other_encoding = b"Bearer " + token.encode("latin-1", "replace")  # not the bytes of the token in UTF-8
        assert client.get("/api/admin/status", headers={"Authorization": other_encoding}).status_code == 403
        near = b"Bearer " + token[:-1].encode()
        assert client.get("/api/admin/status", headers={"Authorization": near}).status_code == 403
