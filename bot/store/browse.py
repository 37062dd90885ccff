"""Stored exchanges one by one, for support staff: a page of them (newest first), or one with its feedback.

Pages are cut by a cursor, not an offset: the cursor names the last exchange of the page (its
time and id), and the next page starts strictly after it in (time, id) order. Exchanges written
meanwhile never shift a page, and reading page 500 costs what page 1 does (the time index). The
cursor is opaque to clients (URL-safe base64); one that does not decode is a CursorError.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select, true

from bot.store.database import READ_ONLY
from bot.store.tables import exchanges, feedback

# What staff see of an exchange: everything but the session hash (they follow a conversation by previous_id)
SHOWN = tuple(c for c in exchanges.c if c.name != "session")


_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


class CursorError(ValueError):
    """A page cursor crampbot did not make."""


@dataclass(frozen=True)
class Page:
    exchanges: list[dict[str, Any]]
    next_cursor: str | None  # None: this is the last page


def encode_cursor(at: datetime, exchange_id: str) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{exchange_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, exchange_id = raw.split("|", 1)
        if not _ID.fullmatch(exchange_id):
            raise ValueError(exchange_id)
        return datetime.fromisoformat(at), exchange_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError(f"{cursor!r} is not a cursor this server gave") from None


def _row(mapping: Any) -> dict[str, Any]:
    row = {c.name: mapping[c.name] for c in SHOWN}
    row["at"] = row["at"].isoformat(timespec="milliseconds") + "Z"
    given = mapping["feedback_at"]
    row["feedback"] = (
        None
        if given is None
        else {
            "helpful": mapping["helpful"],
            "comment": mapping["comment"],
            "at": given.isoformat(timespec="seconds") + "Z",
        }
    )
    return row


def _with_feedback() -> Any:
    return select(*SHOWN, feedback.c.at.label("feedback_at"), feedback.c.helpful, feedback.c.comment).select_from(
        exchanges.outerjoin(feedback)
    )


def list_exchanges(
    engine: Engine,
    *,
    since: datetime,
    until: datetime | None = None,
    kind: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Up to `limit` exchanges of the period (of one kind, if given), newest first, each with its feedback."""
    where: ColumnElement[bool] = exchanges.c.at >= since
    if until is not None:
        where &= exchanges.c.at < until
    if kind is not None:
        where &= exchanges.c.kind == kind
    after: ColumnElement[bool] = true()
    if cursor is not None:
        at, exchange_id = decode_cursor(cursor)
        after = or_(exchanges.c.at < at, and_(exchanges.c.at == at, exchanges.c.id < exchange_id))
    statement = (
        _with_feedback()
        .where(where & after)
        .order_by(exchanges.c.at.desc(), exchanges.c.id.desc())
        .limit(limit + 1)  # one more: is there a next page?
    )
    with engine.connect().execution_options(**READ_ONLY) as connection:
        rows = [r._mapping for r in connection.execute(statement)]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["at"], rows[-1]["id"]) if more else None
    return Page([_row(r) for r in rows], next_cursor)


def get_exchange(engine: Engine, exchange_id: str) -> dict[str, Any] | None:
    """One exchange with its feedback; None when no exchange has this id."""
    with engine.connect().execution_options(**READ_ONLY) as connection:
        found = connection.execute(_with_feedback().where(exchanges.c.id == exchange_id)).first()
    return _row(found._mapping) if found is not None else None
