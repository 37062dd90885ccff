"""Conversations: how often follow-ups get a right passage, whether context ever overrides a new
question or an off-topic turn, and whether escalation is kept once a message raised it.

`knowledge/eval/dialogues.yaml` holds the conversations (see its header); the floors live in
knowledge/eval/thresholds.yaml under `dialogue:`. Each conversation runs in a fresh session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.chat import Bot, Reply
from bot.conversation.state import Conversation
from bot.corpus.passages import KnowledgeError, read_yaml
from bot.safety.detect import LEVELS

DIALOGUES_FILE = "dialogues.yaml"
TURN_KINDS = ("first", "follow-up", "new-question", "off-topic", "red-flag")
# Asked after this opening, every off-topic question of the single-turn sets must still be declined.
OPENING = "What causes leg cramps at night?"


@dataclass(frozen=True)
class DialogueTurn:
    question: str
    kind: str
    ids: frozenset[str] = frozenset()
    unanswerable: bool = False


@dataclass(frozen=True)
class Dialogue:
    id: str
    turns: tuple[DialogueTurn, ...]


@dataclass(frozen=True)
class Miss:
    dialogue: str
    turn: int
    question: str
    got: str | None
    context: str | None


@dataclass(frozen=True)
class DialogueReport:
    conversations: int
    follow_ups: int
    follow_up_right: float  # answerable follow-ups answered with a right passage
    follow_up_context: float  # of those, read with the conversation's topic
    unanswerable_follow_ups: int
    unanswerable_follow_up_declined: float
    new_questions: int
    new_question_right: float  # complete new questions inside a conversation
    new_question_alone: float  # the same questions asked on their own
    first_turns: int
    first_turn_right: float
    off_topic_turns: int
    off_topic_declined: float
    off_topic_after_topic: int  # the single-turn sets' off-topic questions asked after OPENING
    off_topic_after_topic_declined: float
    turns_after_escalation: int
    escalation_kept: float
    misses: tuple[Miss, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def new_question_not_lower(self) -> float:
        """1.0 when new questions do at least as well inside a conversation as alone."""
        return 1.0 if self.new_question_right >= self.new_question_alone else 0.0

    def failures(self, floors: Mapping[str, float]) -> list[str]:
        """Threshold breaches as sentences; an unknown floor name is a breach too."""
        problems = []
        for key, value in floors.items():
            metric = key.removeprefix("min_")
            actual = getattr(self, metric, None)
            if not key.startswith("min_") or not isinstance(actual, float):
                problems.append(f"unknown dialogue threshold {key!r}")
            elif actual < value:
                problems.append(f"dialogue {metric} {actual:.1%} is below the target {value:.1%}")
        return problems

    def format_table(self, show: int = 25) -> str:
        rows = [
            ("follow-ups answered with a right passage", self.follow_up_right, self.follow_ups),
            ("  of them read with the topic", self.follow_up_context, self.follow_ups),
            ("unanswerable follow-ups declined", self.unanswerable_follow_up_declined, self.unanswerable_follow_ups),
            ("new questions right, in a conversation", self.new_question_right, self.new_questions),
            ("new questions right, asked alone", self.new_question_alone, self.new_questions),
            ("first turns right", self.first_turn_right, self.first_turns),
            ("off-topic turns declined", self.off_topic_declined, self.off_topic_turns),
            (
                "off-topic questions declined after a topic",
                self.off_topic_after_topic_declined,
                self.off_topic_after_topic,
            ),
            ("turns after an escalation that keep it", self.escalation_kept, self.turns_after_escalation),
        ]
        lines = [f"Conversations ({self.conversations})"]
        lines += [f"  {label:<46}{value:>8.1%}  (n={n})" for label, value, n in rows]
        if self.misses:
            lines.append(f"  follow-ups without a right passage ({len(self.misses)}):")
            lines += [
                f"    - {m.dialogue}#{m.turn} {m.question!r} -> {m.got}"
                + (f"  [read as {m.context!r}]" if m.context else "")
                for m in self.misses[:show]
            ]
        return "\n".join(lines)


def load_dialogues(path: Path) -> tuple[Dialogue, ...]:
    data = read_yaml(path) or {}
    entries = data.get("conversations") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KnowledgeError("expected 'conversations:', a list", path=path)
    dialogues = []
    for entry in entries:
        turns = entry.get("turns") if isinstance(entry, dict) else None
        if not isinstance(turns, list) or not turns:
            raise KnowledgeError(f"conversation {entry!r:.60} needs 'id' and a list of 'turns'", path=path)
        parsed = []
        for turn in turns:
            if not isinstance(turn, dict) or not isinstance(turn.get("q"), str) or turn.get("kind") not in TURN_KINDS:
                raise KnowledgeError(
                    f"conversation {entry.get('id')!r}: every turn needs 'q' and a kind ({', '.join(TURN_KINDS)})",
                    path=path,
                )
            ids = turn.get("ids") or []
            parsed.append(
                DialogueTurn(turn["q"], turn["kind"], frozenset(map(str, ids)), bool(turn.get("unanswerable")))
            )
        dialogues.append(Dialogue(str(entry.get("id")), tuple(parsed)))
    return tuple(dialogues)


def _right(reply: Reply, ids: frozenset[str]) -> bool:
    return reply.matched and reply.passage is not None and reply.passage.id in ids


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 1.0


def _urgency(reply: Reply) -> int:
    """Higher is more urgent; -1 without escalation."""
    return len(LEVELS) - LEVELS.index(reply.escalation.level) if reply.escalation else -1


def evaluate_dialogues(bot: Bot, dialogues: Sequence[Dialogue], off_topic: Sequence[str] = ()) -> DialogueReport:
    follow: list[bool] = []
    follow_context: list[bool] = []
    unanswerable: list[bool] = []
    new_in: list[bool] = []
    new_alone: list[bool] = []
    first: list[bool] = []
    off: list[bool] = []
    kept: list[bool] = []
    misses: list[Miss] = []
    for dialogue in dialogues:
        conversation = Conversation()
        highest = -1
        for n, turn in enumerate(dialogue.turns, start=1):
            reply = bot.ask(turn.question, conversation)
            conversation = bot.remember_reply(conversation, turn.question, reply)
            if highest >= 0:
                kept.append(_urgency(reply) >= highest)
            highest = max(highest, _urgency(reply))
            if turn.kind == "off-topic":
                off.append(not reply.matched)
            elif turn.kind == "follow-up" and turn.unanswerable:
                unanswerable.append(not reply.matched)
            elif turn.kind == "follow-up":
                follow.append(_right(reply, turn.ids))
                follow_context.append(reply.context_used)
                if not follow[-1]:
                    misses.append(
                        Miss(dialogue.id, n, turn.question, reply.passage.id if reply.passage else None, reply.read_as)
                    )
            elif turn.kind == "new-question" and turn.ids:
                new_in.append(_right(reply, turn.ids))
                new_alone.append(_right(bot.ask(turn.question), turn.ids))
            elif turn.kind == "first" and turn.ids:
                first.append(_right(reply, turn.ids))
    opening = Conversation()
    opening = bot.remember_reply(opening, OPENING, bot.ask(OPENING, opening))
    after = [not bot.ask(question, opening).matched for question in off_topic]
    return DialogueReport(
        conversations=len(dialogues),
        follow_ups=len(follow),
        follow_up_right=_share(follow),
        follow_up_context=_share(follow_context),
        unanswerable_follow_ups=len(unanswerable),
        unanswerable_follow_up_declined=_share(unanswerable),
        new_questions=len(new_in),
        new_question_right=_share(new_in),
        new_question_alone=_share(new_alone),
        first_turns=len(first),
        first_turn_right=_share(first),
        off_topic_turns=len(off),
        off_topic_declined=_share(off),
        off_topic_after_topic=len(after),
        off_topic_after_topic_declined=_share(after),
        turns_after_escalation=len(kept),
        escalation_kept=_share(kept),
        misses=tuple(misses),
    )


def evaluate_dialogue_folder(bot: Bot, eval_dir: Path) -> DialogueReport | None:
    """The conversations of `eval_dir/dialogues.yaml`, plus the off-topic questions of every
    single-turn set there asked after an opening; None when the folder has no dialogues."""
    from bot.evaluation.retrieval import load_eval_set

    path = eval_dir / DIALOGUES_FILE
    if not path.exists():
        return None
    off_topic = [
        case.question
        for set_path in sorted(eval_dir.glob("questions*.yaml"))
        for case in load_eval_set(set_path).off_topic
    ]
    return evaluate_dialogues(bot, load_dialogues(path), off_topic)
