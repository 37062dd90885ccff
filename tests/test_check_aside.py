"""`bot.web.check_aside`: a reload's check in a child process, at a lower priority; the knowledge loaded here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat import Bot
from bot.corpus.check import run_check
from bot.corpus.knowledge import Knowledge
from bot.web import check_aside as aside
from bot.web.reload import KnowledgeHolder


def test_a_clean_folder_gets_the_same_report_as_checking_in_process(knowledge_copy: Path) -> None:
    report = aside.check_aside(knowledge_copy)
    here = run_check(knowledge_copy)
    assert report.ok and report.knowledge is not None and here.knowledge is not None
    assert report.knowledge.version == here.knowledge.version and report.problems == here.problems


def test_a_broken_folder_gets_its_errors_and_no_knowledge(knowledge_copy: Path) -> None:
    (knowledge_copy / "synonyms.yaml").write_text("synonyms:\n  doc: [doctor\n", encoding="utf-8")
    report = aside.check_aside(knowledge_copy)
    assert report.knowledge is None
    assert [p.file for p in report.errors] == [p.file for p in run_check(knowledge_copy).errors] == ["synonyms.yaml"]


def test_files_that_keep_changing_while_checked_are_refused(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The knowledge served must be the version checked; here each load sees another."""
    real_load = aside.load_knowledge

    def load_after_an_edit(root: Path) -> Knowledge:
        path = root / "messages.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return real_load(root)

    monkeypatch.setattr(aside, "load_knowledge", load_after_an_edit)
    report = aside.check_aside(knowledge_copy)
    assert report.knowledge is None and "kept changing" in report.errors[0].message


def test_a_holder_that_checks_aside_reloads_and_rejects_as_one_that_checks_here(knowledge_copy: Path, bot: Bot) -> None:
    holder = KnowledgeHolder(knowledge_copy, bot, check=aside.check_aside)
    (knowledge_copy / "faq" / "socks.md").write_text(
        "---\nquestion: Do compression socks help night cramps?\nsources: [https://www.example.org/socks]\n---\n"
        "The articles in this knowledge base do not cover compression socks. Ask a healthcare professional.\n",
        encoding="utf-8",
    )
    reloaded = holder.reload()
    assert reloaded.status == "reloaded" and holder.current is not None and holder.current.version == reloaded.version
    (knowledge_copy / "intents.yaml").write_text("intents:\n  cause: [why\n", encoding="utf-8")
    rejected = holder.reload()
    assert rejected.status == "rejected" and holder.current.version == reloaded.version
