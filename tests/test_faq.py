"""Curated FAQ entries: they load as passages, take part in retrieval and win ties with articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.corpus.faq import markdown_to_answer
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import CURATED_QUALITY, KnowledgeError, load_passages


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_entries_load_as_curated_passages_named_after_their_files(knowledge_dir: Path) -> None:
    curated = {p.id: p for p in load_passages(knowledge_dir, curated=True) if p.curated}
    assert {"faq.quinine", "faq.warm-bath", "faq.sports-drinks"} <= set(curated)
    quinine = curated["faq.quinine"]
    assert quinine.source == "faq/quinine.md"
    assert quinine.cites == (
        "night-cramps-qa.what-medicines-may-help-with-leg-cramps",
        "treatment-faq.how-to-treat-leg-cramps",
    )
    assert quinine.question == "Is quinine safe for leg cramps?"
    assert "generally discouraged" in quinine.answer and "Should I take quinine for night cramps?" in quinine.alternates


def test_articles_only_unless_curated_is_asked_for(knowledge_dir: Path) -> None:
    assert not any(p.curated for p in load_passages(knowledge_dir))


def test_markdown_body_becomes_plain_lines_with_bullets() -> None:
    body = "It may.\nWrapped **line**.\n\nDuring a cramp:\n- first\n  continued\n* second\n\nSee [NHS](https://www.nhs.uk/x).\n"
    assert markdown_to_answer(body) == (
        "It may. Wrapped line.\nDuring a cramp:\n• first continued\n• second\nSee NHS (https://www.nhs.uk/x)."
    )


@pytest.mark.parametrize(
    "question",
    [
        "Is quinine safe for leg cramps?",
        "should I take quinine",
        "do sports drinks help cramps",
        "does a warm bath before bed help",
    ],
)
def test_bundled_entries_answer_their_questions(bot: Bot, question: str) -> None:
    reply = bot.ask(question)
    assert reply.matched and reply.passage is not None and reply.passage.id.startswith("faq.")
    assert reply.passage.source.startswith("faq/")


def test_a_yaml_entry_with_an_id_works_like_a_markdown_one(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "socks.yaml",
        "id: compression-socks\nquestion: Do compression socks help night cramps?\n"
        "sources: [https://example.org/socks]\nanswer: |\n  The articles in this knowledge base do not say; "
        "ask a healthcare professional whether they suit you.\n",
    )
    reply = Bot.from_knowledge(knowledge_copy).ask("do compression socks help night cramps")
    assert reply.passage is not None and reply.passage.id == "faq.compression-socks"


def test_curated_entry_wins_a_tie_with_the_article_passage_it_copies(knowledge_copy: Path) -> None:
    article = next(p for p in load_passages(knowledge_copy) if p.id == "night-cramps-qa.what-are-leg-cramps")
    alternates = "".join(f"  - {json.dumps(a)}\n" for a in article.alternates)
    write(
        knowledge_copy / "faq" / "what-are-leg-cramps.md",
        f"---\nquestion: {article.question}\nalternates:\n{alternates}sources: [{article.id}]\n---\n{article.answer}\n",
    )
    knowledge = load_knowledge(knowledge_copy)
    assert (
        knowledge.source_quality["faq/what-are-leg-cramps.md"]
        == CURATED_QUALITY
        > max(q for s, q in knowledge.source_quality.items() if not s.startswith("faq/"))
    )
    retrieval = Bot(knowledge).retriever.search(article.question)
    first, second = retrieval.candidates[:2]
    assert first.passage.id == "faq.what-are-leg-cramps" and second.passage.id == article.id
    assert first.score == pytest.approx(second.score * CURATED_QUALITY)


def test_an_entry_with_an_error_stops_loading_with_file_and_line(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "broken.md",
        "---\nalternates: [x]\nsources: [y]\n---\nAn answer long enough to be a real answer, more or less.\n",
    )
    with pytest.raises(KnowledgeError, match=r"faq/broken\.md:2: missing 'question'"):
        load_knowledge(knowledge_copy)


def test_editor_leftovers_in_the_faq_folder_are_not_entries(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / ".quinine.md.swp", "junk")
    write(knowledge_copy / "faq" / "quinine.md~", "junk")
    ids = [p.id for p in load_passages(knowledge_copy, curated=True) if p.curated]
    assert len(ids) == len(set(ids)) and "faq.quinine" in ids


def test_a_curated_entry_is_shown_from_the_articles_it_cites(knowledge_dir: Path) -> None:
    by_id = {p.id: p for p in load_passages(knowledge_dir, curated=True)}
    cited = [by_id[ref].title for ref in by_id["faq.quinine"].cites]
    assert by_id["faq.quinine"].title == "; ".join(dict.fromkeys(cited)) and "crampbot FAQ" not in cited


def test_an_entry_with_its_own_title_or_citing_no_article_keeps_it(knowledge_copy: Path) -> None:
    entry = "---\nquestion: {q}\nsources: [{s}]\n{t}---\nA plain answer that is long enough to be a real answer here.\n"
    write(knowledge_copy / "faq" / "own.md", entry.format(q="Do socks help?", s="night-cramps-qa.what-are-leg-cramps",
                                                          t="title: Our clinic\n"))  # fmt: skip
    write(knowledge_copy / "faq" / "web.md", entry.format(q="Do gloves help?", s="https://example.org/a", t=""))
    by_id = {p.id: p for p in load_passages(knowledge_copy, curated=True)}
    assert by_id["faq.own"].title == "Our clinic" and by_id["faq.web"].title == "crampbot FAQ"
