"""Logging set up once, the same way in the CLI and in every server worker.

`logging_config()` returns a `logging.config.dictConfig` dictionary. `crampbot serve` hands it to
uvicorn as its `log_config`, which applies it in each worker process it starts (a worker is a new
interpreter: configuration made in the parent does not reach it). Two formats:

- `text` (the default): `INFO bot.web.app: message`, as before;
- `json`: one JSON object a line (python-json-logger), with `time`, `level`, `logger`, `process`, `message`,
  `request_id` (null outside a request) and whatever a line adds (`route`, `method`, `status`,
  `duration_ms` on access lines).

`REQUEST_ID` holds the id of the request being served (set by bot.web.request_log); a filter on the
handler copies it onto every record, whichever logger made it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("crampbot_request_id", default=None)
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(process)d %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the request being served, else None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def logging_config(level: str = "INFO", log_format: str = "text") -> dict[str, Any]:
    """The dictConfig for crampbot and uvicorn: one handler on standard error, in `log_format`."""
    formatters: dict[str, Any] = {
        "text": {"format": TEXT_FORMAT},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC, to the microsecond
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        # uvicorn's loggers send their lines to the root handler, in the same format
        "loggers": {name: {"level": level, "handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
    }
