"""`bot.web.access_log`: uvicorn's access log keeps the request line and status, not the client's address."""

from __future__ import annotations

import logging

from bot.chat import Bot
from bot.settings import get_settings
from bot.web.access_log import ACCESS_LOGGER, HideClientAddress
from bot.web.app import create_app


def access_record(client: str) -> logging.LogRecord:
    """A record as uvicorn's access logger makes it."""
    args = (client, "POST", "/api/ask", "1.1", 200)
    return logging.LogRecord(ACCESS_LOGGER, logging.INFO, "h11_impl.py", 1, '%s - "%s %s HTTP/%s" %d', args, None)


def test_the_address_is_replaced_and_the_rest_kept() -> None:
    record = access_record("203.0.113.9:51234")
    assert HideClientAddress().filter(record)
    assert record.getMessage() == '- - "POST /api/ask HTTP/1.1" 200'


def test_the_app_installs_the_filter_once(bot: Bot) -> None:
    create_app(get_settings({}), bot=bot)
    create_app(get_settings({}), bot=bot)
    filters = [f for f in logging.getLogger(ACCESS_LOGGER).filters if isinstance(f, HideClientAddress)]
    assert len(filters) == 1
