"""Reading a message with the conversation's topic: "and how do I prevent them?" after "what causes
leg cramps at night?" asks how to prevent leg cramps at night.

Pure functions over words and the cues of knowledge/conversation.yaml; the bot decides what to do
with the result (bot.chat). A message that stands on its own is never read with the topic: context
must not override a new question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.text.normalise import normalise
from bot.text.words import QUESTION_WORDS

FollowUpKind = Literal["more", "continues", "points_back", "short", "leaves_topic"]
SHORT_WORDS = 6  # up to this many words: a short follow-up ("why?", "is it safe?")
POINTING_WORDS = 10  # up to this many words, "it", "that"... point back even when the message says "cramp"
# An own question after "and" ("and how do I prevent them?"): it keeps its question, not the last one's.
QUESTION_STARTS = frozenset(
    {*QUESTION_WORDS, "is", "are", "can", "could", "do", "does", "did", "should", "will", "would", "may", "might"}
)


@dataclass(frozen=True)
class ConversationCues:
    """knowledge/conversation.yaml, normalised."""

    more: tuple[tuple[str, ...], ...] = ()  # "tell me more", "what else can I try"
    continues: tuple[tuple[str, ...], ...] = ()  # "and", "what about": the last question, about something else
    pointing: frozenset[str] = frozenset()  # "it", "that", "they": back at what was said
    fillers: frozenset[str] = frozenset()  # "please", "ok": said around a cue without changing it

    @classmethod
    def from_lists(
        cls, more: Sequence[str], continues: Sequence[str], pointing: Sequence[str], fillers: Sequence[str]
    ) -> ConversationCues:
        def phrases(items: Sequence[str]) -> tuple[tuple[str, ...], ...]:
            found = {tuple(normalise(p).split()) for p in items}
            return tuple(sorted((p for p in found if p), key=lambda p: -len(p)))  # longest first

        return cls(
            more=phrases(more),
            continues=phrases(continues),
            pointing=frozenset(w for p in pointing for w in normalise(p).split()),
            fillers=frozenset(w for p in fillers for w in normalise(p).split()),
        )


@dataclass(frozen=True)
class FollowUp:
    kind: FollowUpKind
    read_as: str  # the message as a question of its own, with the words it leaves to the conversation
    base: str | None = None  # for "what about X?": the question asked again


def read_follow_up(
    message: str,
    topic: str,
    cues: ConversationCues,
    names_topic: Callable[[Sequence[str]], bool],
    topic_words: Callable[[Sequence[str]], list[str]],
    base: str | None = None,
    swap_subject: Callable[[str, Sequence[str]], str] | None = None,
) -> FollowUp | None:
    """How to read `message` after a conversation about `topic` (the last message about leg
    cramps, as read), or None when it stands on its own. `base`: the question "what about X?" asks
    again (the topic's own question when the topic was itself a "what about").

    `names_topic(words)`: the words name the subject matter themselves (a cramp, a calf...), so the
    message is a complete question. `topic_words(words)`: the words of the topic that carry over to a
    question of the message's own ("leg cramps night" of "what causes leg cramps at night").
    `swap_subject(question, rest)`: the question asked again without what the rest replaces
    ("and for magnesium?" after "which potassium-rich foods help?" asks about magnesium, not potassium).
    """
    words = normalise(message).split()
    if not words:
        return None
    core = [w for w in words if w not in cues.fillers] or words
    if any(tuple(core) == more for more in cues.more):
        return FollowUp("more", topic)
    carried = topic_words(normalise(topic).split())
    for start in cues.continues:
        if tuple(words[: len(start)]) == start and len(words) > len(start):
            rest = words[len(start) :]
            if names_topic(rest) and (rest[0] in QUESTION_STARTS or len(rest) > SHORT_WORDS):
                return None  # "and what are nocturnal leg cramps?": a question of its own
            if rest[0] in QUESTION_STARTS:  # "and how do I prevent them?": its own question, the topic's words
                return FollowUp("continues", with_topic(rest, carried))
            again = base or topic
            asked = swap_subject(again, rest) if swap_subject else again
            return FollowUp("continues", f"{asked} {' '.join(rest)}", base=again)  # "and at night?": again, about this
    if cues.pointing & set(words) and len(core) <= POINTING_WORDS:
        return FollowUp("points_back", with_topic(words, carried))  # "is it just a cramp?": this one
    if names_topic(words):
        return None
    return FollowUp("short" if len(core) <= SHORT_WORDS else "leaves_topic", with_topic(words, carried))


def with_topic(words: Sequence[str], carried: Sequence[str]) -> str:
    """The message as the question after the topic's words: "leg cramps night. heat or ice?". The
    retriever weighs an asking sentence after a statement more, so the message's own words lead."""
    return f"{' '.join(carried)}. {' '.join(words)}?" if carried else " ".join(words)
