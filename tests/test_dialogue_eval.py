"""The dialogue evaluation: the set's shape, what each figure counts, and the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat import Bot
from bot.corpus.passages import BUNDLED_KNOWLEDGE, KnowledgeError
from bot.evaluation.dialogue import Dialogue, DialogueTurn, evaluate_dialogues, load_dialogues

SET = BUNDLED_KNOWLEDGE / "eval" / "dialogues.yaml"


def test_the_set_has_at_least_150_conversations_of_2_to_4_turns() -> None:
    dialogues = load_dialogues(SET)
    assert len(dialogues) >= 150
    assert all(2 <= len(d.turns) <= 4 for d in dialogues)
    assert len({d.id for d in dialogues}) == len(dialogues)


def test_every_answerable_turn_lists_passages_that_exist(bot: Bot) -> None:
    ids = {p.id for p in bot.knowledge.passages}
    for dialogue in load_dialogues(SET):
        for turn in dialogue.turns:
            assert turn.ids <= ids, (dialogue.id, turn.question)
            assert turn.kind == "off-topic" or turn.ids or turn.unanswerable, (dialogue.id, turn.question)


def test_figures_count_each_kind_of_turn(bot: Bot) -> None:
    prevent = bot.ask("How can I prevent leg cramps?").passage
    assert prevent is not None
    dialogue = Dialogue(
        "t1",
        (
            DialogueTurn("What causes leg cramps at night?", "first"),
            DialogueTurn("and how do I prevent them?", "follow-up", frozenset({prevent.id})),
            DialogueTurn("what's the best pizza topping?", "off-topic"),
            DialogueTurn("I have chest pain", "red-flag"),
        ),
    )
    report = evaluate_dialogues(
        bot,
        [
            dialogue,
            Dialogue(
                "t2", (DialogueTurn("I have chest pain", "red-flag"), DialogueTurn("is it serious?", "follow-up"))
            ),
        ],
    )
    assert report.conversations == 2 and report.off_topic_turns == 1 and report.off_topic_declined == 1.0
    assert report.turns_after_escalation == 1 and report.escalation_kept == 1.0
    assert report.follow_ups == 2


def test_a_figure_below_its_floor_is_a_failure_and_an_unknown_floor_too(bot: Bot) -> None:
    report = evaluate_dialogues(bot, [])
    assert report.failures({"min_follow_up_right": 0.5}) == []
    assert report.failures({"min_nonsense": 0.5}) == ["unknown dialogue threshold 'min_nonsense'"]


def test_a_turn_without_a_kind_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.yaml"
    path.write_text("conversations:\n- id: x\n  turns:\n  - q: hi\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"dialogues\.yaml"):
        load_dialogues(path)
