"""A new article dropped into knowledge/sources/ with a manifest line is split like the others."""

from __future__ import annotations

from pathlib import Path

from bot.chat import Bot
from bot.corpus.check import run_check
from bot.corpus.markdown import plain_article
from bot.corpus.passages import load_passages
from bot.corpus.splitter import BULLET

ARTICLE = """# Sleep and night cramps

A short **test** article written in Markdown, the way a maintainer would add one.

## Does my sleeping position affect night leg cramps?

Sleeping with the toes pointed down can shorten the calf muscles, and a tight, tucked-in sheet can
keep them that way. Some people find a loose sheet helps; see [the articles](https://example.org/a).

## What can I try tonight?

Things the other articles mention:

- **Stretch** the calf and foot muscles before bed
- Drink enough water during the day
* Keep the sheets loose around your feet
"""

MANIFEST = """
  - file: 005_sleep.md
    key: sleep-article
    title: "Sleep and night cramps"
"""


def add_article(knowledge: Path) -> None:
    (knowledge / "sources" / "005_sleep.md").write_text(ARTICLE, encoding="utf-8")
    with (knowledge / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST)


def test_markdown_article_is_split_at_its_headings_into_plain_passages(knowledge_copy: Path) -> None:
    add_article(knowledge_copy)
    new = {p.id: p for p in load_passages(knowledge_copy) if p.source == "005_sleep.md"}
    assert set(new) == {
        "sleep-article.does-my-sleeping-position-affect-night-leg-cramps",
        "sleep-article.what-can-i-try-tonight",
    }
    position = new["sleep-article.does-my-sleeping-position-affect-night-leg-cramps"]
    assert position.question == "Does my sleeping position affect night leg cramps?"
    assert position.title == "Sleep and night cramps" and "see the articles (https://example.org/a)" in position.answer
    tonight = new["sleep-article.what-can-i-try-tonight"].answer.splitlines()
    assert tonight[1:] == [
        f"{BULLET} Stretch the calf and foot muscles before bed",
        f"{BULLET} Drink enough water during the day",
        f"{BULLET} Keep the sheets loose around your feet",
    ]
    assert not any("#" in p.question or "**" in p.answer for p in new.values())


def test_new_article_passes_check_and_answers_questions(knowledge_copy: Path) -> None:
    add_article(knowledge_copy)
    report = run_check(knowledge_copy)
    assert report.errors == [] and report.knowledge is not None
    reply = Bot(report.knowledge).ask("does the position I sleep in affect my night leg cramps?")
    assert (
        reply.passage is not None
        and reply.passage.id == "sleep-article.does-my-sleeping-position-affect-night-leg-cramps"
    )


def test_plain_text_article_works_the_same_way(knowledge_copy: Path) -> None:
    (knowledge_copy / "sources" / "005_sleep.txt").write_text(plain_article(ARTICLE), encoding="utf-8")
    with (knowledge_copy / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST.replace("005_sleep.md", "005_sleep.txt"))
    ids = {p.id for p in load_passages(knowledge_copy) if p.source == "005_sleep.txt"}
    assert "sleep-article.what-can-i-try-tonight" in ids


def test_markdown_headings_lose_marks_and_trailing_punctuation() -> None:
    assert plain_article("## Causes:\ntext *with* `code`") == "\nCauses\n\ntext with code"
