"""Keep client addresses out of the server's access log.

uvicorn's access log line starts with the client's address and port; logs are kept (journald, a
file, a log service), and crampbot keeps no raw address anywhere that lasts. This filter, on the
`uvicorn.access` logger, replaces the address with `-` and keeps the rest of the line (method,
path, status). Logging configuration made later (uvicorn's own, at start) keeps a logger's filters.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class HideClientAddress(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = ("-", *record.args[1:])
        return True


def hide_client_addresses() -> None:
    """Add the filter to uvicorn's access logger, once."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideClientAddress) for f in logger.filters):
        logger.addFilter(HideClientAddress())
