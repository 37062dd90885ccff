"""The evaluation set in knowledge/eval/questions.yaml is well formed and only points at real passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.corpus.passages import BUNDLED_KNOWLEDGE, load_passages

EVAL_FILE = BUNDLED_KNOWLEDGE / "eval" / "questions.yaml"
STYLE_TAGS = {"lay", "terse", "long", "typo", "caps", "plain"}


@pytest.fixture(scope="module")
def eval_set() -> dict[str, Any]:
    data = yaml.safe_load(Path(EVAL_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def passage_ids() -> set[str]:
    return {passage.id for passage in load_passages(BUNDLED_KNOWLEDGE, curated=True)}


def test_the_file_parses_into_an_in_scope_list_and_an_off_topic_list(eval_set: dict[str, Any]) -> None:
    assert isinstance(eval_set.get("in_scope"), list)
    assert isinstance(eval_set.get("off_topic"), list)


def test_there_are_at_least_250_in_scope_and_50_off_topic_questions(eval_set: dict[str, Any]) -> None:
    assert len(eval_set["in_scope"]) >= 250
    assert len(eval_set["off_topic"]) >= 50


def test_every_in_scope_entry_has_a_non_empty_question_and_at_least_one_id(eval_set: dict[str, Any]) -> None:
    for entry in eval_set["in_scope"]:
        assert isinstance(entry.get("q"), str) and entry["q"].strip(), entry
        assert isinstance(entry.get("ids"), list) and entry["ids"], entry
        assert len(entry["ids"]) == len(set(entry["ids"])), f"repeated id in {entry['q']!r}"


def test_every_off_topic_entry_has_a_non_empty_question_and_no_ids(eval_set: dict[str, Any]) -> None:
    for entry in eval_set["off_topic"]:
        assert isinstance(entry.get("q"), str) and entry["q"].strip(), entry
        assert "ids" not in entry, entry


def test_every_id_names_a_passage_in_the_bundled_knowledge(eval_set: dict[str, Any], passage_ids: set[str]) -> None:
    unknown = {
        (entry["q"], passage_id)
        for entry in eval_set["in_scope"]
        for passage_id in entry["ids"]
        if passage_id not in passage_ids
    }
    assert not unknown, f"ids that are not passages (typo, or excluded in overrides.yaml): {sorted(unknown)}"


def test_no_question_appears_twice_ignoring_case(eval_set: dict[str, Any]) -> None:
    seen: set[str] = set()
    duplicates = []
    for entry in eval_set["in_scope"] + eval_set["off_topic"]:
        key = " ".join(entry["q"].lower().split())
        if key in seen:
            duplicates.append(entry["q"])
        seen.add(key)
    assert not duplicates


def test_every_entry_is_tagged_and_in_scope_ones_carry_exactly_one_style(eval_set: dict[str, Any]) -> None:
    for entry in eval_set["in_scope"]:
        tags = entry.get("tags") or []
        assert len(STYLE_TAGS & set(tags)) == 1, entry
    for entry in eval_set["off_topic"]:
        assert entry.get("tags"), entry


def test_pooled_judgments_name_real_questions_and_passages_and_never_contradict_the_labels(
    passage_ids: set[str],
) -> None:
    judged = yaml.safe_load((EVAL_FILE.parent / "judged_not_relevant.yaml").read_text(encoding="utf-8"))["sets"]
    for set_name, questions in judged.items():
        labels = {
            e["q"]: set(e["ids"])
            for e in yaml.safe_load((EVAL_FILE.parent / set_name).read_text(encoding="utf-8"))["in_scope"]
        }
        for question, ids in questions.items():
            assert question in labels, f"{set_name}: no in-scope question {question!r}"
            assert set(ids) <= passage_ids, f"{question!r}: {sorted(set(ids) - passage_ids)} are not passages"
            assert not set(ids) & labels[question], f"{question!r} lists a passage as relevant and not relevant"
