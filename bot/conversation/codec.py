"""A conversation as JSON and back, field by field: what a shared session store keeps.

Explicit rather than pickle: a store another process or server reads must not run code it loads,
and the format is plain enough to read in `redis-cli` or `sqlite3`. `FORMAT` is stamped in every
value; a value of another format (written by another release) reads as no conversation, so an
upgrade starts conversations afresh instead of failing.
"""

from __future__ import annotations

import json
from typing import Any

from bot.conversation.state import Conversation, Turn
from bot.safety.detect import LEVELS, Escalation, Match

FORMAT = 1


class UnreadableConversation(ValueError):
    """Stored text that is not a conversation of this FORMAT."""


def dumps(conversation: Conversation) -> str:
    return json.dumps(_conversation(conversation), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Conversation:
    """The conversation `dumps` wrote; UnreadableConversation for anything else."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UnreadableConversation(f"not a conversation of format {FORMAT}")
        escalation = data["escalation"]
        return Conversation(
            turns=tuple(Turn(**turn) for turn in data["turns"]),
            shown=tuple(str(passage) for passage in data["shown"]),
            escalation=None if escalation is None else _escalation(escalation),
            last_exchange=data["last_exchange"],
        )
    except (ValueError, KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        raise UnreadableConversation(str(exc)) from exc


def _conversation(conversation: Conversation) -> dict[str, Any]:
    escalation = conversation.escalation
    return {
        "format": FORMAT,
        "turns": [
            {"read_as": t.read_as, "passage_id": t.passage_id, "kind": t.kind, "on_topic": t.on_topic, "base": t.base}
            for t in conversation.turns
        ],
        "shown": list(conversation.shown),
        "escalation": None
        if escalation is None
        else {
            "level": escalation.level,
            "terms": list(escalation.terms),
            "message": escalation.message,
            "matches": [
                {
                    "flag": m.flag,
                    "level": m.level,
                    "phrase": m.phrase,
                    "line": m.line,
                    "words": list(m.words),
                    "typos": [list(typo) for typo in m.typos],
                }
                for m in escalation.matches
            ],
        },
        "last_exchange": conversation.last_exchange,
    }


def _escalation(data: dict[str, Any]) -> Escalation:
    if data["level"] not in LEVELS:
        raise UnreadableConversation(f"unknown escalation level {data['level']!r}")
    matches = tuple(
        Match(
            flag=m["flag"],
            level=m["level"],
            phrase=m["phrase"],
            line=int(m["line"]),
            words=tuple(m["words"]),
            typos=tuple((typed, read) for typed, read in m["typos"]),
        )
        for m in data["matches"]
    )
    return Escalation(level=data["level"], terms=tuple(data["terms"]), message=data["message"], matches=matches)
