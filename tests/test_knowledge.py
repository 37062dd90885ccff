"""load_knowledge: data files of the wrong shape are clear errors, never silent nonsense."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus.check import check_knowledge
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_word_list_written_as_one_string_is_an_error_not_split_into_letters(knowledge_copy: Path) -> None:
    domain = knowledge_copy / "domain.yaml"
    text = domain.read_text(encoding="utf-8")
    start = text.index("topic_anchors:")
    end = text.index("\n\n", start)
    domain.write_text(text[:start] + "topic_anchors: cramp" + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeError, match="'topic_anchors' must be a list"):
        load_knowledge(knowledge_copy)


def test_a_synonym_that_is_not_text_is_an_error(knowledge_copy: Path) -> None:
    replace_in(knowledge_copy / "synonyms.yaml", "synonyms:\n", "synonyms:\n  5: diuretics\n")
    with pytest.raises(KnowledgeError, match=r"synonyms\.yaml:\d+: lay phrase 5 is not text; quote it"):
        load_knowledge(knowledge_copy)


def test_a_small_talk_pattern_without_letters_is_an_error(knowledge_copy: Path) -> None:
    replace_in(knowledge_copy / "messages.yaml", "patterns: [hi,", "patterns: ['!!!', hi,")
    with pytest.raises(KnowledgeError, match="no letters or digits"):
        load_knowledge(knowledge_copy)


def test_a_folder_with_nothing_to_answer_with_is_an_error(tmp_path: Path, knowledge_copy: Path) -> None:
    (knowledge_copy / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    for entry in (knowledge_copy / "faq").iterdir():
        entry.unlink()
    with pytest.raises(KnowledgeError, match="no passages"):
        load_knowledge(knowledge_copy)


def test_the_version_changes_when_any_file_changes(knowledge_copy: Path) -> None:
    before = load_knowledge(knowledge_copy).version
    replace_in(knowledge_copy / "messages.yaml", "Hello!", "Hi!")
    assert load_knowledge(knowledge_copy).version != before


def test_related_phrases_search_like_synonyms_but_are_kept_apart(knowledge_copy: Path) -> None:
    knowledge = load_knowledge(knowledge_copy)
    assert "pilates" in knowledge.related_synonyms and "pilates" not in knowledge.synonyms
    assert "water pills" in knowledge.synonyms


def test_a_phrase_both_related_and_a_synonym_is_a_warning(knowledge_copy: Path) -> None:
    replace_in(knowledge_copy / "synonyms.yaml", "synonyms:\n", "synonyms:\n  pilates: stretching\n")
    problems = check_knowledge(knowledge_copy)
    assert any(p.level == "warning" and "'pilates' is the same phrase as 'pilates'" in p.message for p in problems)
