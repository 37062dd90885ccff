"""`bot.web.rate_limit`: limits per client on /api/ask, a stricter one on failed admin
authentications, 429 with Retry-After and `{"detail", "error"}`, X-Forwarded-For only from a
trusted proxy, and no raw address or session id kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.chat import Bot
from bot.settings import SettingsError, get_settings
from bot.web.app import create_app
from bot.web.rate_limit import (
    RATE_LIMITED_RESPONSE,
    RateLimited,
    RateLimiter,
    client_address,
    parse_limits,
    rate_limited,
    trusted_networks,
)

TOKEN = "a-long-admin-token-for-the-rate-limit-tests"
SECRET = "a-shared-secret-for-the-rate-limit-tests-0123"
QUESTION = {"question": "how do I stop a cramp?"}


def make_client(bot: Bot, **env: str) -> TestClient:
    return TestClient(create_app(get_settings({"CRAMPBOT_RATE_LIMIT": "3/minute", **env}), bot=bot))


def storage_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Counted in memory, or in the session's Redis (CRAMPBOT_SHARED_URL): the same semantics."""
    if request.param == "memory":
        return {}
    return {"CRAMPBOT_SHARED_URL": request.getfixturevalue("redis_url"), "CRAMPBOT_SHARED_SECRET": SECRET}


@pytest.fixture(params=["memory", "redis"])
def client(bot: Bot, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    env = {"CRAMPBOT_ADMIN_TOKEN": TOKEN, "CRAMPBOT_ADMIN_AUTH_LIMIT": "2/minute", **storage_env(request)}
    with make_client(bot, **env) as test_client:
        yield test_client


def ask(client: TestClient, session_id: str | None = None, **headers: str) -> Any:
    return client.post("/api/ask", json={**QUESTION, "session_id": session_id}, headers=headers)


def test_a_client_over_its_limit_gets_429_with_retry_after_and_the_error_body(client: TestClient) -> None:
    assert [ask(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = ask(client)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.json()
    assert set(body) == {"detail", "error"}
    assert body["detail"] == "rate limit reached (3 per 1 minute)"
    assert body["error"] == f"Too many requests. Please wait {refused.headers['retry-after']} seconds and try again."


def test_each_session_is_its_own_client_and_no_session_means_the_address(client: TestClient) -> None:
    assert [ask(client, "session-a").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ask(client, "session-b").status_code == 200
    assert ask(client).status_code == 200  # the address has its own allowance


@pytest.mark.parametrize("request_storage", ["memory", "redis"])
def test_a_refused_request_does_not_use_up_the_allowance(request_storage: str, request: pytest.FixtureRequest) -> None:
    storage = None
    if request_storage == "redis":
        from bot.web.rate_limit import redis_storage

        storage = redis_storage(request.getfixturevalue("redis_url"))
    limiter = RateLimiter({"ask": parse_limits("2/minute;1/second")}, storage=storage)
    client = limiter.key("address", "192.0.2.1")
    limiter.hit("ask", client)
    with pytest.raises(RateLimited) as refused:
        limiter.hit("ask", client)  # over 1/second, not yet over 2/minute
    assert refused.value.limit == "1 per 1 second" and refused.value.retry_after == 1
    limiter._strategy.clear(limiter.limits["ask"][1], "ask", client)  # the second passes
    limiter.hit("ask", client)  # allowed: the refused request was not counted against 2/minute


def test_a_new_route_takes_the_limit_with_one_line_and_is_counted_apart(bot: Bot) -> None:
    app = create_app(get_settings({"CRAMPBOT_RATE_LIMIT": "3/minute"}), bot=bot)

    @app.post("/api/thanks", dependencies=[rate_limited("feedback")], responses={**RATE_LIMITED_RESPONSE})
    async def thanks() -> dict[str, str]:
        return {"status": "thanks"}

    with TestClient(app) as client:
        assert [client.post("/api/thanks").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert ask(client).status_code == 200  # /api/ask has its own count
        assert "429" in client.get("/openapi.json").json()["paths"]["/api/thanks"]["post"]["responses"]


def test_invalid_requests_count_too(client: TestClient) -> None:
    statuses = [client.post("/api/ask", json={"question": ""}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_routes_without_a_limit_are_not_limited(client: TestClient) -> None:
    for _ in range(5):
        ask(client)
    assert client.get("/api/health").status_code == 200 and client.get("/api/config").status_code == 200


def test_off_turns_the_limit_off(bot: Bot) -> None:
    with make_client(bot, CRAMPBOT_RATE_LIMIT="off") as unlimited:
        assert {ask(unlimited).status_code for _ in range(20)} == {200}


def test_the_default_allows_a_burst_of_10(bot: Bot) -> None:
    with TestClient(create_app(get_settings({}), bot=bot)) as default:
        statuses = [ask(default).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


# --- admin authentication -------------------------------------------------------------------


def test_failed_admin_authentications_are_limited_per_address_before_the_token_is_checked(client: TestClient) -> None:
    wrong = {"Authorization": "Bearer " + "x" * 40}
    assert client.get("/api/admin/status", headers=wrong).status_code == 403
    assert client.get("/api/admin/status").status_code == 401
    refused = client.get("/api/admin/status", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert set(refused.json()) == {"detail", "error"}


def test_successful_admin_requests_do_not_count(client: TestClient) -> None:
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert {client.get("/api/admin/status", headers=good).status_code for _ in range(5)} == {200}


def test_the_admin_routes_document_429(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "429" in paths["/api/admin/status"]["get"]["responses"]
    assert "Retry-After" in paths["/api/ask"]["post"]["responses"]["429"]["headers"]


# --- who the client is ----------------------------------------------------------------------


def scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.9", None, (), "203.0.113.9"),
        ("203.0.113.9", "198.51.100.7", (), "203.0.113.9"),  # no proxy trusted: the header is ignored
        ("203.0.113.9", "198.51.100.7", ("10.0.0.0/8",), "203.0.113.9"),  # the peer is not a trusted proxy
        ("10.0.0.2", "198.51.100.7", ("10.0.0.0/8",), "198.51.100.7"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", ("10.0.0.0/8",), "198.51.100.7"),  # the client's own claim is left
        ("10.0.0.2", "198.51.100.7, 10.0.0.5", ("10.0.0.0/8",), "198.51.100.7"),  # two proxies
        ("10.0.0.2", "10.0.0.9", ("10.0.0.0/8",), "10.0.0.9"),  # every hop trusted: the first
        ("10.0.0.2", "", ("10.0.0.0/8",), "10.0.0.2"),
        ("::1", "2001:db8::5", ("::1",), "2001:db8::5"),
        ("testclient", "198.51.100.7", ("10.0.0.0/8",), "testclient"),
    ],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, proxies: tuple[str, ...], expected: str
) -> None:
    assert client_address(scope(peer, forwarded), trusted_networks(proxies)) == expected


def test_behind_a_trusted_proxy_each_forwarded_address_is_its_own_client() -> None:
    limiter = RateLimiter({"ask": parse_limits("1/minute")}, ("10.0.0.0/8",))
    first = limiter.client(scope("10.0.0.2", "198.51.100.7"))
    second = limiter.client(scope("10.0.0.2", "198.51.100.8"))
    limiter.hit("ask", first)
    limiter.hit("ask", second)
    with pytest.raises(RateLimited):
        limiter.hit("ask", limiter.client(scope("10.0.0.3", "198.51.100.7")))


def test_no_raw_address_or_session_id_is_kept() -> None:
    limiter = RateLimiter({"ask": parse_limits("5/minute")})
    limiter.hit("ask", limiter.client(scope("198.51.100.7")))
    limiter.hit("ask", limiter.client(scope("198.51.100.7"), "my-session-id-123"))
    stored = repr(limiter._storage.__dict__)
    assert "198.51.100.7" not in stored and "my-session-id-123" not in stored
    assert limiter.key("address", "x") != RateLimiter({}).key("address", "x")  # salted per app


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [("RATE_LIMIT", "lots"), ("RATE_LIMIT", "30/fortnight"), ("ADMIN_AUTH_LIMIT", "5"), ("TRUSTED_PROXIES", "nginx")],
)
def test_bad_limits_and_proxies_stop_start_up_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"CRAMPBOT_{name}.*{value}"):
        get_settings({f"CRAMPBOT_{name}": value})


def test_limits_and_proxies_are_read() -> None:
    settings = get_settings(
        {"CRAMPBOT_RATE_LIMIT": "60 per minute", "CRAMPBOT_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"}
    )
    assert settings.rate_limit == "60 per minute"
    assert settings.trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16")
    assert get_settings({"CRAMPBOT_RATE_LIMIT": "OFF"}).rate_limit == "off"


def test_the_storage_sweeps_rarely_in_the_counting_thread_and_drops_emptied_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import limits.storage

    from bot.web import rate_limit

    assert hasattr(limits.storage.MemoryStorage, "_MemoryStorage__schedule_expiry"), "the library renamed it"
    limiter = RateLimiter({"ask": parse_limits("1/second")})
    storage = limiter._storage
    assert not storage.timer.is_alive() or storage.timer.finished.is_set()  # no sweeping thread
    for n in range(3):
        limiter.hit("ask", limiter.key("address", f"192.0.2.{n}"))
    assert len(storage.events) == 3
    later = time.time() + 2  # every entry has expired
    monkeypatch.setattr(limits.storage.memory.time, "time", lambda: later)
    monkeypatch.setattr(rate_limit.time, "time", lambda: later)
    now = time.monotonic()
    monkeypatch.setattr(rate_limit.time, "monotonic", lambda: now + rate_limit.SWEEP_SECONDS)
    newest = limiter.key("address", "192.0.2.9")
    limiter.hit("ask", newest)  # a count sweeps first
    assert [newest in key for key in storage.events] == [True]
    assert set(storage.locks) <= set(storage.events)


@pytest.mark.parametrize(
    ("proxies", "expected"), [("", (False, None)), ("10.0.0.0/8, 10.1.2.3", (True, ["10.0.0.0/8", "10.1.2.3/32"]))]
)
def test_crampbot_serve_lets_uvicorn_believe_forwarded_headers_only_from_the_trusted_proxies(
    monkeypatch: pytest.MonkeyPatch, proxies: str, expected: tuple[bool, list[str] | None]
) -> None:
    import uvicorn

    from bot.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("CRAMPBOT_TRUSTED_PROXIES", proxies)
    assert main(["serve", "--port", "0"]) == 0
    assert (seen["proxy_headers"], seen["forwarded_allow_ips"]) == expected
