"""Settings from CRAMPBOT_ environment variables, built by a function and passed in explicitly.

One table, `SETTINGS`, names each variable with its default, its parser and its help text; the
same table builds `Settings`, the CLI's help (`crampbot serve --help`) and the README's table
(tests/test_readme.py holds the README to it), so a setting cannot be documented in one place and
read in another.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from bot.corpus.passages import BUNDLED_KNOWLEDGE

PREFIX = "CRAMPBOT_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """An environment variable has a value crampbot cannot use."""


@dataclass(frozen=True)
class Settings:
    knowledge: Path = BUNDLED_KNOWLEDGE
    host: str = "127.0.0.1"
    port: int = 8000
    min_confidence: float | None = None  # None: the retriever's calibrated default
    max_question_chars: int = 1000
    cors_origins: tuple[str, ...] = ()
    admin_token: str | None = None
    staff_token: str | None = None  # read-only staff routes; the admin token works there too
    log_level: str = "INFO"
    log_format: str = "text"  # "json": one JSON object a line, with the request id (bot.logs)
    workers: int = 1  # server processes for `crampbot serve` (bot.web.serve)
    header_timeout: float = 10.0  # seconds a client has to send a request's line and headers
    body_timeout: float = 10.0  # seconds a client has to send a request's body, once its headers are in
    keep_alive: float = 5.0  # seconds an idle keep-alive connection stays open between requests
    max_connections: int = 1000  # open connections (and requests in progress) per worker; past it: 503
    reload_interval: float = 0.0  # seconds between checks of knowledge/ for changes; 0 = off
    max_sessions: int = 10_000  # conversations kept by a server, least recently used dropped first
    session_idle_minutes: float = 30.0  # a conversation without a message this long is forgotten
    answer_cache: int = 1024  # answers to messages read alone kept per worker (bot.chat.Bot); 0: none
    rate_limit: str = "30/minute;10/10 seconds"  # per client on /api/ask (and /api/feedback); "off" for none
    admin_auth_limit: str = "5/minute;20/hour"  # failed admin authentications per address
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-For is believed
    database_url: str | None = None  # None: an SQLite file in data_dir; "none": nothing is stored (bot.store)
    data_dir: Path = Path("data")  # relative to the working directory; created on first use
    store_questions: bool = True  # False: exchanges keep their metadata only, never the text
    retention_days: int = 90  # exchanges and feedback older than this are deleted automatically
    shared_url: str | None = None  # redis://host:port/db: rate limits and conversations shared by servers
    shared_secret: str | None = None  # keys the hashes in the shared store alike on every server


Parser = Callable[[str, str], Any]  # (variable name, raw value) -> value; raises SettingsError


@dataclass(frozen=True)
class Setting:
    """One environment variable: the Settings field it fills, how it is read, what it means."""

    field: str
    parse: Parser
    help: str
    shown_default: str  # the default as the docs say it

    @property
    def variable(self) -> str:
        return PREFIX + self.field.upper()


def _bad(name: str, raw: str, expected: str) -> SettingsError:
    return SettingsError(f"Config '{name}' has value {raw!r}. {expected}")


def number(kind: type[int] | type[float], low: float, high: float, what: str) -> Parser:
    """A parser for a number within [low, high]; errors name the variable and its value."""

    def parse(name: str, raw: str) -> int | float:
        try:
            value = kind(raw)
        except ValueError:
            raise _bad(name, raw, f"Not a valid {what}.") from None
        if not low <= value <= high:
            raise _bad(name, raw, f"Expected {low:g} to {high:g}.")
        return value

    return parse


def _reload_interval(name: str, raw: str) -> float:
    """0 (off) or at least half a second: a smaller value would scan the folder in a busy loop."""
    value = float(number(float, 0.0, 86_400.0, "number of seconds")(name, raw))
    if 0 < value < 0.5:
        raise SettingsError(f"Config '{name}' has value {value!r}. Expected 0 (off) or 0.5 seconds or more.")
    return value


def _log_level(name: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise _bad(name, level, "Not a logging level.")
    return level


LOG_FORMATS = ("text", "json")


def _log_format(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in LOG_FORMATS:
        raise _bad(name, raw, "Expected text or json.")
    return value


def _text(_: str, raw: str) -> str:
    return raw.strip()


MIN_ADMIN_TOKEN_CHARS = 32


def _admin_token(name: str, raw: str) -> str:
    """At least 32 characters: a short token could be guessed. The error never repeats the token."""
    token = raw.strip()
    if len(token) < MIN_ADMIN_TOKEN_CHARS:
        raise SettingsError(
            f"Config '{name}' is {len(token)} characters long. Expected at least {MIN_ADMIN_TOKEN_CHARS}: "
            "a long random string, such as the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    return token


def _rate_limit(name: str, raw: str) -> str:
    """Rate limits in the `limits` library's notation ("30/minute;10/10 seconds"), or "off"."""
    value = raw.strip()
    if value.lower() == "off":
        return "off"
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        expected = "Expected limits such as '30/minute;10/10 seconds' (N/unit, ';' between), or 'off'."
        raise _bad(name, raw, expected) from None
    return value


def _networks(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (CIDR), each checked."""
    import ipaddress

    out = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise _bad(name, item, "Not an IP address or network (such as 10.0.0.1 or 10.0.0.0/8).") from None
    return tuple(out)


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().casefold()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise _bad(name, raw, "Expected true or false.")


def _database_url(name: str, raw: str) -> str:
    """A SQLAlchemy URL (checked for its form only: reaching it is the store's job), or `none`."""
    value = raw.strip()
    if value.casefold() == "none":
        return "none"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value)
    except ArgumentError:
        shown = "<hidden>" if "@" in value else value  # never echo a password
        raise _bad(name, shown, "Not a database URL (sqlite:///FILE, postgresql://...).") from None
    return value


SHARED_SCHEMES = ("redis://", "rediss://", "unix://")


def _shared_url(name: str, raw: str) -> str | None:
    """A Redis URL (checked for its form only: reaching it is the server's job), or `none`."""
    value = raw.strip()
    if value.casefold() == "none":
        return None
    if not value.startswith(SHARED_SCHEMES):
        shown = "<hidden>" if "@" in value else value  # never echo a password
        raise _bad(name, shown, "Expected a Redis URL: redis://host:port/db, rediss://... or unix:///path.")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("knowledge", lambda _, raw: Path(raw.strip()).expanduser(), "knowledge folder to serve",
            "the bundled `knowledge/`"),
    Setting("host", _text, "`crampbot serve` address", "`127.0.0.1`"),
    Setting("port", number(int, 0, 65535, "port number"), "`crampbot serve` port", "`8000`"),
    Setting("max_question_chars", number(int, 1, 100_000, "integer"),
            "longest accepted question; the API schema, `GET /api/config` and the widget follow it", "`1000`"),
    Setting("min_confidence", number(float, 0.0, 1.0, "number"),
            "confidence (0-1) below which the bot falls back", "calibrated default"),
    Setting("cors_origins", lambda _, raw: tuple(o.strip() for o in raw.split(",") if o.strip()),
            "comma-separated origins allowed to call `/api/*` from a browser", "none"),
    Setting("admin_token", _admin_token,
            "bearer token for `/api/admin/*` (reload, status), at least 32 characters; admin routes are off when unset",
            "unset"),
    Setting("staff_token", _admin_token,
            "bearer token for the read-only `/api/staff/*` routes (explain, report, exchanges), at least 32 "
            "characters, different from the admin token (which works there too); cannot reload", "unset"),
    Setting("reload_interval", _reload_interval,
            "seconds between looks at `knowledge/` for changes; reloads on change", "`0` (off)"),
    Setting("log_level", _log_level, "logging level", "`INFO`"),
    Setting("log_format", _log_format,
            "`json`: one JSON object a line (time, level, logger, message, request id; route, status and "
            "duration on access lines)", "`text`"),
    Setting("workers", number(int, 1, 64, "number of processes"),
            "server processes for `crampbot serve`; a reload reaches all of them (see docs/deploy.md)", "`1`"),
    Setting("header_timeout", number(float, 0.1, 3600.0, "number of seconds"),
            "seconds a client has to send a request's headers (from connecting, or its first byte); then 408 and "
            "closed", "`10`"),
    Setting("body_timeout", number(float, 0.1, 3600.0, "number of seconds"),
            "seconds a client has to send a request's body once its headers are in; then 408 and closed", "`10`"),
    Setting("keep_alive", number(float, 0.1, 3600.0, "number of seconds"),
            "seconds an idle keep-alive connection is kept open between requests", "`5`"),
    Setting("max_connections", number(int, 1, 1_000_000, "integer"),
            "open connections (or requests in progress) per worker; past it, new requests get 503", "`1000`"),
    Setting("max_sessions", number(int, 1, 10_000_000, "integer"),
            "conversations (`session_id`s) kept by a server (in memory, or in its run folder with several workers; "
            "Redis with `CRAMPBOT_SHARED_URL` bounds them by its own memory); the least recently used is forgotten "
            "first", "`10000`"),
    Setting("session_idle_minutes", number(float, 0.1, 10_080.0, "number of minutes"),
            "a conversation with no message for this long is forgotten", "`30`"),
    Setting("answer_cache", number(int, 0, 100_000, "integer"),
            "answers to messages read alone kept per worker and knowledge version, least recently used dropped "
            "first (starter questions, chips and common questions are answered once); about 4 KB each, at most "
            "100000; `0` turns it off", "`1024`"),
    Setting("rate_limit", _rate_limit,
            "requests per client on `/api/ask` and `/api/feedback`, each counted apart (a client is its `session_id`, "
            "else its address); `limits` notation, or `off`", "`30/minute;10/10 seconds`"),
    Setting("admin_auth_limit", _rate_limit,
            "failed admin and staff authentications per address; past it, admin and staff routes answer 429",
            "`5/minute;20/hour`"),
    Setting("trusted_proxies", _networks,
            "comma-separated proxy addresses or networks whose `X-Forwarded-For` names the client", "none"),
    Setting("database_url", _database_url,
            "where exchanges and feedback are stored: `sqlite:///FILE` or `postgresql://user:pass@host/db`; "
            "`none` stores nothing (see docs/privacy.md)", "an SQLite file in `CRAMPBOT_DATA_DIR`"),
    Setting("data_dir", lambda _, raw: Path(raw.strip()).expanduser(),
            "folder of the default database (`crampbot.sqlite3`), created on first use", "`data`"),
    Setting("store_questions", _flag, "`false` stores each exchange's metadata but never the question's text",
            "`true`"),
    Setting("retention_days", number(int, 1, 36_500, "number of days"),
            "exchanges and feedback older than this are deleted automatically", "`90`"),
    Setting("shared_url", _shared_url,
            "a Redis server (`redis://host:port/db`) that several servers share: rate limits and conversations are "
            "kept there instead of in each server (install `crampbot[shared]`; see docs/deploy.md)",
            "unset (each server its own)"),
    Setting("shared_secret", _admin_token,
            "required with `CRAMPBOT_SHARED_URL`: the same random string, at least 32 characters, on every server, "
            "with which client ids are hashed before they reach Redis", "unset"),
)  # fmt: skip
assert {s.field for s in SETTINGS} == {f.name for f in fields(Settings)}, "every Settings field has one row"


def get_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (the process environment by default); raises SettingsError.
    A variable that is unset or blank keeps its default."""
    env = os.environ if env is None else env
    values = {s.field: s.parse(s.variable, env[s.variable]) for s in SETTINGS if env.get(s.variable, "").strip()}
    if values.get("staff_token") is not None and values.get("staff_token") == values.get("admin_token"):
        raise SettingsError(
            f"Config '{PREFIX}STAFF_TOKEN' is the admin token. Expected a token of its own: "
            "staff must not be able to reload, and the admin token already works on staff routes."
        )
    if values.get("shared_url") is not None and values.get("shared_secret") is None:
        raise SettingsError(
            f"Config '{PREFIX}SHARED_URL' is set but '{PREFIX}SHARED_SECRET' is not. Expected the same secret of "
            f"at least {MIN_ADMIN_TOKEN_CHARS} characters on every server: client ids are hashed with it, so "
            "that servers count the same client alike and Redis never holds a raw id."
        )
    return Settings(**values)


def settings_help() -> str:
    """The environment variables, one a line, for the CLI's help."""
    width = max(len(s.variable) for s in SETTINGS)
    lines = [f"  {s.variable:<{width}}  {_plain(s.help)} (default: {_plain(s.shown_default)})" for s in SETTINGS]
    return "environment variables:\n" + "\n".join(lines)


def settings_table() -> str:
    """The environment variables as the README's Markdown table."""
    rows = [f"| `{s.variable}` | {s.shown_default} | {s.help} |" for s in SETTINGS]
    return "\n".join(["| variable | default | meaning |", "| --- | --- | --- |", *rows])


def _plain(text: str) -> str:
    return text.replace("`", "")
