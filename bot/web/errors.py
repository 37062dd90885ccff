"""Why a request body could not be read: one validation issue that says what was wrong with it.

FastAPI reads a JSON body before validating it; bytes that are not UTF-8 and JSON nested deeper
than Python's parser goes fail there with a bare 400 ("There was an error parsing the body"),
carrying the reason as the exception's cause. The app answers them with 422 like any other invalid
JSON, and this names the reason.
"""

from __future__ import annotations

from typing import Any


def unreadable_body(cause: BaseException | None) -> dict[str, Any]:
    """The validation issue (`loc`, `msg`, `type`) for a body that could not be parsed."""
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start : cause.start + 1]
        msg = f"body is not valid UTF-8 (byte 0x{byte.hex()} at offset {cause.start})"
    elif isinstance(cause, RecursionError):
        msg = "body is JSON nested too deeply to read (a question is one flat object)"
    else:
        msg = "body could not be read as JSON"
    return {"loc": ["body"], "msg": msg, "type": "json_invalid"}
