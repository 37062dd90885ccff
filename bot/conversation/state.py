"""What a conversation remembers between messages: a few turns, the passages shown, the highest
escalation so far. An immutable value, so a store can hold it, copy it or serialise it as it is."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.safety.detect import LEVELS, Escalation


@dataclass(frozen=True)
class Turn:
    """One answered message: what it was read as (the message, or the message with the topic of
    the conversation) and the passage that answered it."""

    read_as: str
    passage_id: str | None
    kind: str
    on_topic: bool = False  # answered, or about leg cramps though unanswered (a red flag, a story)
    base: str | None = None  # what a "what about X?" turn asked again about X (its topic's question)


@dataclass(frozen=True)
class Conversation:
    turns: tuple[Turn, ...] = ()  # the last few, oldest first
    shown: tuple[str, ...] = ()  # ids of the passages already shown, oldest first
    escalation: Escalation | None = None  # the most urgent escalation any message raised
    last_exchange: str | None = None  # the stored exchange id of the last message (bot.store links to it)

    @property
    def topic(self) -> str | None:
        """What the conversation is about: the last message about leg cramps, as read."""
        turn = self._topic_turn
        return turn.read_as if turn else None

    @property
    def topic_kind(self) -> str | None:
        """The kind of reply the topic's message got ("not_covered": nothing more to show on it)."""
        turn = self._topic_turn
        return turn.kind if turn else None

    @property
    def base(self) -> str | None:
        """The question a "what about X?" asks again: the topic's own question, not an earlier
        "what about" ("and older people?" after "what about in pregnancy?" drops pregnancy)."""
        turn = self._topic_turn
        return (turn.base or turn.read_as) if turn else None

    @property
    def _topic_turn(self) -> Turn | None:
        return next((t for t in reversed(self.turns) if t.on_topic or t.passage_id is not None), None)


def kept_escalation(now: Escalation | None, earlier: Escalation | None) -> Escalation | None:
    """The escalation a reply carries in a conversation: this message's, at the most urgent level
    seen so far, with its own flags named too ("chest pain" earlier, "swollen calf" now)."""
    if now is None or earlier is None or LEVELS.index(now.level) <= LEVELS.index(earlier.level):
        return now or earlier
    terms = tuple(dict.fromkeys((*earlier.terms, *now.terms)))
    return replace(earlier, terms=terms, matches=(*earlier.matches, *now.matches))


def more_urgent(new: Escalation | None, old: Escalation | None) -> Escalation | None:
    """The more urgent of two escalations (the new one on a tie: its words are the latest)."""
    if new is None or old is None:
        return new or old
    return new if LEVELS.index(new.level) <= LEVELS.index(old.level) else old


def remember(
    conversation: Conversation,
    turn: Turn,
    escalation: Escalation | None,
    max_turns: int,
    max_shown: int = 50,
) -> Conversation:
    """The conversation after one more exchange, bounded so a long chat cannot grow without limit."""
    shown = conversation.shown
    if turn.passage_id is not None and turn.passage_id not in shown:
        shown = (*shown, turn.passage_id)[-max_shown:]
    return replace(
        conversation,
        turns=(*conversation.turns, turn)[-max_turns:],
        shown=shown,
        escalation=more_urgent(escalation, conversation.escalation),
    )
