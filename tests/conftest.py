"""Shared fixtures: the bundled knowledge, loaded and indexed once per test session."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM_ARGS, PageProblems, find_chromium
from playwright.sync_api import Browser, sync_playwright
from postgres_server import PostgresUnavailable, ThrowawayPostgres
from redis_server import RedisUnavailable, ThrowawayRedis

from bot.chat import Bot
from bot.corpus.passages import BUNDLED_KNOWLEDGE, Passage, load_passages


@pytest.fixture(scope="session")
def knowledge_dir() -> Path:
    return BUNDLED_KNOWLEDGE


@pytest.fixture(scope="session")
def bot() -> Bot:
    return Bot.from_knowledge()


@pytest.fixture(scope="session")
def passages(knowledge_dir: Path) -> list[Passage]:
    return load_passages(knowledge_dir)


@pytest.fixture(scope="session")
def passages_by_id(passages: list[Passage]) -> dict[str, Passage]:
    return {p.id: p for p in passages}


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled knowledge folder that a test may edit."""
    return Path(shutil.copytree(BUNDLED_KNOWLEDGE, tmp_path / "knowledge"))


@pytest.fixture(scope="session", autouse=True)
def _working_directory_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The store's default database lives in `data/` under the working directory: tests run in a
    temporary one, so no test writes into the checkout."""
    before = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(before)


POSTGRES_URL_VARIABLE = "CRAMPBOT_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server the tests may create databases on: CRAMPBOT_TEST_POSTGRES_URL,
    else a throwaway server started for this session (tests/postgres_server.py). Without PostgreSQL
    the tests that need it skip with the reason, except under CI (env CI set), where they fail."""
    configured = os.environ.get(POSTGRES_URL_VARIABLE)
    if configured:
        yield configured
        return
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as exc:
        reason = f"no PostgreSQL: {exc} (or set {POSTGRES_URL_VARIABLE}=postgresql://user@host:port/db)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(reason)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, and a new database on the session's PostgreSQL
    server (`postgres_server`), dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"crampbot_test_{secrets.token_hex(6)}"
    admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


# --- the browser tests (tests/browser.py) ---------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the browser tests of one module. Module-wide, not session-wide:
    Playwright's sync API keeps an event loop running in the main thread while it is open, and later
    tests that call asyncio.run() must not find one. Skipped with the reason when Chromium is missing;
    under CI (env CI set) that fails instead."""
    path = find_chromium()
    if path is None:
        reason = (
            "Chromium not found (set CRAMPBOT_CHROMIUM, or `apt-get install chromium`; "
            ".ci/run installs it when missing)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    """What went wrong on a page (errors, dialogs): none, or the test fails."""
    found = PageProblems()
    yield found
    assert not found, f"the page had problems: {found}"


def start_redis() -> ThrowawayRedis:
    """A throwaway redis-server (tests/redis_server.py); without one the test skips with the reason,
    except under CI (env CI set), where it fails."""
    try:
        return ThrowawayRedis().start()
    except RedisUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"no redis-server: {exc}; CI must run the Redis tests", pytrace=False)
        pytest.skip(f"no redis-server: {exc}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[ThrowawayRedis]:
    """One redis-server for the test session, stopped at its end."""
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def redis_url(redis_server: ThrowawayRedis) -> str:
    """The session's Redis, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture()
def own_redis() -> Iterator[ThrowawayRedis]:
    """A redis-server of this test's own, which it may stop."""
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()
