"""Replies as a terminal shows them: escalation first and marked, the short answer, then the rest.

Used by `crampbot ask` and `crampbot chat`. Colour only on a terminal, and never when NO_COLOR is
set (https://no-color.org).
"""

from __future__ import annotations

import os
from typing import TextIO

from bot.chat import Reply

_RESET = "\033[0m"
_STYLES = {"emergency": "\033[1;97;41m", "doctor": "\033[1;30;43m", "dim": "\033[2m", "bold": "\033[1m"}
_LABELS = {"emergency": "EMERGENCY", "doctor": "SEE A DOCTOR"}


def use_colour(stream: TextIO) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def format_reply(reply: Reply, *, colour: bool = False, details: bool = True) -> str:
    """The reply for a terminal. `details`: the passage's source and the suggestions too."""

    def style(name: str, text: str) -> str:
        return f"{_STYLES[name]}{text}{_RESET}" if colour else text

    parts: list[str] = []
    if reply.escalation is not None:
        level = reply.escalation.level
        earlier = " (from an earlier message)" if reply.escalation_from_earlier else ""
        parts.append(f"{style(level, f' {_LABELS[level]} ')}{earlier}\n{reply.escalation.message}")
    body = reply.body
    summary = reply.summary.strip()
    if reply.passage is not None:
        source = f"From: {reply.passage.title}"
        if details:
            source += f"  [{reply.passage.id}, confidence {reply.confidence:.2f}]"
        if summary and summary != body:
            parts.append(f"{style('bold', summary)}\n{style('dim', source)}\n\nIn full:\n{body}")
        else:
            parts.append(f"{body}\n{style('dim', source)}")
    elif body:
        parts.append(body)
    if details and reply.suggestions:
        parts.append("You could also ask:\n" + "\n".join(f"  - {s}" for s in reply.suggestions))
    return "\n\n".join(parts)
