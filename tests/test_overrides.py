"""Overrides by passage id: exclude, retitle and alternates, and precise errors for a wrong shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.chat import Bot
from bot.corpus.check import run_check
from bot.corpus.passages import KnowledgeError, Rewrite, load_overrides, load_passages


def edit_overrides(knowledge: Path, **sections: dict[str, object]) -> None:
    path = knowledge / "overrides.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind, entries in sections.items():
        data.setdefault(kind, {}).update(entries)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def ids(knowledge: Path) -> set[str]:
    return {p.id for p in load_passages(knowledge, curated=True)}


def test_bundled_overrides_exclude_marketing_and_retitle_bare_topics(passages_by_id: dict[str, object]) -> None:
    assert "treatment-faq.how-to-fix-leg-cramps" not in passages_by_id
    assert "night-cramps-qa.how-do-i-take-care-of-myself" not in passages_by_id
    assert passages_by_id["understanding-nocturnal.diabetes"].question == "Can diabetes cause leg cramps?"  # type: ignore[attr-defined]


def test_exclude_removes_a_passage(knowledge_copy: Path) -> None:
    assert "night-cramps-qa.who-gets-leg-cramps" in ids(knowledge_copy)
    edit_overrides(knowledge_copy, exclude={"night-cramps-qa.who-gets-leg-cramps": "testing"})
    assert "night-cramps-qa.who-gets-leg-cramps" not in ids(knowledge_copy)


def test_exclude_also_works_on_a_curated_entry(knowledge_copy: Path) -> None:
    edit_overrides(knowledge_copy, exclude={"faq.quinine": "withdrawn while a doctor reviews it"})
    assert "faq.quinine" not in ids(knowledge_copy) and "faq.warm-bath" in ids(knowledge_copy)


def test_retitle_changes_the_question(knowledge_copy: Path) -> None:
    edit_overrides(knowledge_copy, retitle={"night-cramps-qa.who-gets-leg-cramps": "Who is likely to get leg cramps?"})
    passage = next(p for p in load_passages(knowledge_copy) if p.id == "night-cramps-qa.who-gets-leg-cramps")
    assert passage.question == "Who is likely to get leg cramps?"


def test_alternates_make_a_new_phrasing_find_the_passage(knowledge_copy: Path) -> None:
    question = "are builders prone to calf cramps at night"
    edit_overrides(
        knowledge_copy, alternates={"night-cramps-qa.who-gets-leg-cramps": ["Are builders prone to calf cramps?"]}
    )
    reply = Bot.from_knowledge(knowledge_copy).ask(question)
    assert reply.passage is not None and reply.passage.id == "night-cramps-qa.who-gets-leg-cramps"


def test_a_name_only_a_phrasing_uses_is_still_not_covered(knowledge_copy: Path) -> None:
    """Phrasings vouch for ordinary words, not for things the articles never mention (issue 12)."""
    edit_overrides(
        knowledge_copy, alternates={"night-cramps-qa.who-gets-leg-cramps": ["Are zebras prone to calf cramps?"]}
    )
    reply = Bot.from_knowledge(knowledge_copy).ask("are zebras prone to calf cramps at night")
    assert not reply.matched and reply.not_covered == ("zebras",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exclude:\n  a.b: fine\nretitel:\n  a.b: x\n", r"overrides\.yaml:3: unknown section 'retitel'"),
        ("exclude:\n  - a.b\n", r"overrides\.yaml:2: 'exclude' must map passage ids"),
        ("retitle:\n  a.b: fine\n  c.d:\n", r"overrides\.yaml:3: retitle 'c\.d' needs the new question"),
        ("alternates:\n  a.b: just one text\n", r"overrides\.yaml:2: alternates for 'a\.b' must be a list"),
        ("exclude:\n  a.b: one\n  a.b: two\n", r"overrides\.yaml:3: duplicate key 'a\.b' \(first at line 2\)"),
        ("rewrite:\n  a.b: drop the first sentence\n", r"overrides\.yaml:2: rewrite 'a\.b' must be a list of edits"),
        ("rewrite:\n  a.b:\n    - replace: x\n", r"overrides\.yaml:3: rewrite 'a\.b' must be a list of edits"),
        ("rewrite:\n  a.b:\n    - {replace: x, by: y}\n", r"overrides\.yaml:3: rewrite 'a\.b' must be a list of edits"),
        ("exclude: [\n", r"overrides\.yaml:2: not valid YAML"),
    ],
)
def test_a_wrong_shape_is_an_error_naming_the_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "overrides.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_overrides(tmp_path)


def answer_of(knowledge: Path, pid: str) -> str:
    return next(p.answer for p in load_passages(knowledge, curated=True) if p.id == pid)


def rewrite_errors(knowledge: Path) -> list[str]:
    return [p.format() for p in run_check(knowledge).errors if p.file == "overrides.yaml"]


HOW_TO_PREVENT = "treatment-faq.how-to-prevent-nocturnal-leg-cramps"


def test_bundled_rewrites_mend_answers_that_started_mid_thought(passages_by_id: dict[str, object]) -> None:
    answer = passages_by_id[HOW_TO_PREVENT].answer  # type: ignore[attr-defined]
    assert answer.startswith("There are some factors that may increase the chance of experiencing leg cramps")
    assert "These factors include:" not in answer


def test_a_rewrite_replaces_text_of_an_answer_with_words_from_its_article(knowledge_copy: Path) -> None:
    pid = "night-cramps-qa.who-gets-leg-cramps"
    edit_overrides(knowledge_copy, rewrite={pid: [{"replace": "Leg cramps can affect anyone", "with": "Anyone"}]})
    assert answer_of(knowledge_copy, pid).startswith("Anyone, but certain factors may increase the likelihood")
    assert rewrite_errors(knowledge_copy) == []


def test_a_rewrite_that_drops_a_sentence_leaves_no_gap(knowledge_copy: Path) -> None:
    pid = "night-cramps-qa.who-gets-leg-cramps"
    first = "Leg cramps can affect anyone, but certain factors may increase the likelihood of experiencing them."
    edit_overrides(knowledge_copy, rewrite={pid: {"replace": first, "with": ""}})  # one edit needs no list
    assert answer_of(knowledge_copy, pid).startswith("These factors include:\n")


def test_a_rewrite_with_words_its_article_does_not_have_is_an_error(knowledge_copy: Path) -> None:
    edit_overrides(
        knowledge_copy, rewrite={HOW_TO_PREVENT: [{"replace": "These factors include:", "with": "Zinc cures cramps."}]}
    )
    (error,) = rewrite_errors(knowledge_copy)
    assert "'Zinc cures cramps.' is not in the article sources/004_a27ccbec9c02bc08.txt" in error
    assert "never new facts" in error


def test_only_the_words_a_rewrite_changes_must_be_quoted() -> None:
    assert Rewrite("who experience them don't", "who experience leg cramps don't").changed == "leg cramps"
    assert Rewrite("Other factors that", "Factors that").changed == "Factors"
    assert Rewrite("a b c", "a b c d").changed == "d"
    assert Rewrite("a a", "a").changed == ""
    assert Rewrite("These two", "").changed == ""


def test_a_rewrite_whose_text_is_not_in_the_answer_is_an_error(knowledge_copy: Path) -> None:
    edit_overrides(knowledge_copy, rewrite={HOW_TO_PREVENT: [{"replace": "Those factors include:", "with": ""}]})
    (error,) = rewrite_errors(knowledge_copy)
    assert re.search(r"overrides\.yaml:\d+: error: rewrite '.*': 'Those factors include:' is not in its answer", error)


def test_a_rewrite_that_leaves_no_answer_is_an_error(knowledge_copy: Path) -> None:
    pid = "treatment-faq.is-rls-painful"
    whole = answer_of(knowledge_copy, pid)
    edit_overrides(knowledge_copy, rewrite={pid: [{"replace": whole, "with": ""}]})
    assert any("leaves no answer; exclude the passage instead" in e for e in rewrite_errors(knowledge_copy))
    assert answer_of(knowledge_copy, pid) == whole  # the loader keeps the answer rather than serve nothing


def test_a_rewrite_of_a_curated_entry_is_an_error(knowledge_copy: Path) -> None:
    edit_overrides(knowledge_copy, rewrite={"faq.walking": [{"replace": "Standing", "with": "Sitting"}]})
    (error,) = rewrite_errors(knowledge_copy)
    assert "edit the curated entry's own file, faq/walking.md, instead" in error
    assert answer_of(knowledge_copy, "faq.walking").startswith("Standing")


def test_a_rewrite_of_an_unknown_passage_is_an_error_with_a_suggestion(knowledge_copy: Path) -> None:
    edit_overrides(
        knowledge_copy, rewrite={"treatment-faq.how-to-prevent-nocturnal-leg-cramp": [{"replace": "a", "with": ""}]}
    )
    (error,) = rewrite_errors(knowledge_copy)
    assert "rewrite: no passage has the id 'treatment-faq.how-to-prevent-nocturnal-leg-cramp'" in error
    assert f"did you mean '{HOW_TO_PREVENT}'?" in error
