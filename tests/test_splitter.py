"""The splitter on the real articles and on small made-up texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.corpus.passages import Passage, load_passages, load_sources
from bot.corpus.splitter import BULLET, NoiseRules, SectionHint, split_article, trim_truncation

NOISE = re.compile(
    r"^(image|explore|more items.*|responsive ad)$|\.\.\.$|…$|(?:[A-Z] ){10}", re.IGNORECASE | re.MULTILINE
)


def test_question_headed_article_yields_what_are_leg_cramps_with_its_first_sentence(
    passages_by_id: dict[str, Passage],
) -> None:
    passage = passages_by_id["night-cramps-qa.what-are-leg-cramps"]
    assert passage.question == "What are leg cramps?"
    assert passage.answer.startswith(
        "Leg cramps are sudden, involuntary muscle contractions, often causing pain and discomfort."
    )
    assert passage.title == "Leg Cramps at Night: Causes, Pain Relief and Prevention"
    assert passage.source == "000_39e5453c19adca82.txt"


def test_no_passage_contains_scraped_page_noise(passages: list[Passage]) -> None:
    for passage in passages:
        assert not NOISE.search(passage.answer), (passage.id, NOISE.search(passage.answer))
        assert "Published" not in passage.answer and "Aug 13, 2005" not in passage.answer


def test_every_article_contributes_passages(passages: list[Passage], knowledge_dir) -> None:
    sources = {s.file for s in load_sources(knowledge_dir)}
    assert {p.source for p in passages} == sources


def test_passage_ids_are_unique_and_derived_from_article_and_heading(passages: list[Passage]) -> None:
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+", i) for i in ids)


def test_bullet_lists_become_one_plain_bullet_per_line(passages_by_id: dict[str, Passage]) -> None:
    answer = passages_by_id["night-cramps-qa.who-gets-leg-cramps"].answer
    bullets = [line for line in answer.splitlines() if line.startswith(BULLET)]
    assert "• Age: Older adults commonly experience leg cramps." in bullets
    assert len(bullets) == 6
    assert "●" not in answer and "■" not in answer


def test_bare_list_lines_in_prose_become_bullets_not_headings(passages_by_id: dict[str, Passage]) -> None:
    answer = passages_by_id["nocturnal-vs-rls.causes-and-risk-factors-of-leg-cramps-at-night"].answer
    assert "• Sitting improperly" in answer.splitlines()
    assert not any(pid.endswith("sitting-improperly") for pid in passages_by_id)


def test_long_article_with_sub_sections_becomes_several_focused_passages(passages: list[Passage]) -> None:
    long_article = [p for p in passages if p.source.startswith("003_")]
    assert len(long_article) >= 25
    assert max(len(p.answer) for p in long_article) < 1300
    diabetes = next(p for p in long_article if p.id.endswith(".diabetes"))
    assert diabetes.context == "Underlying Health Conditions"


def test_repeated_scraped_questions_are_merged_into_one_passage(passages: list[Passage]) -> None:
    ids = [p.id for p in passages if p.source.startswith("004_")]
    assert ids.count("treatment-faq.why-do-my-legs-cramp-at-night") == 1
    merged = next(p for p in passages if p.id == "treatment-faq.why-do-my-legs-cramp-at-night")
    assert "Sedentary lifestyle" in merged.answer and "wrong signals" in merged.answer


def test_truncated_snippets_keep_only_complete_sentences(passages_by_id: dict[str, Passage]) -> None:
    answer = passages_by_id["treatment-faq.is-rls-painful"].answer
    assert (
        answer
        == "In general, pain is not a main feature of RLS, although some people describe their RLS as being painful."
    )


def test_excluded_marketing_passages_are_not_in_the_knowledge_base(
    passages_by_id: dict[str, Passage], knowledge_dir
) -> None:
    assert "treatment-faq.can-magnesium-glycinate-be-used-before-bed" not in passages_by_id
    unfiltered = {p.id for p in load_passages(knowledge_dir, apply=False)}
    assert "treatment-faq.can-magnesium-glycinate-be-used-before-bed" in unfiltered


def test_ids_do_not_change_when_another_section_is_added(tmp_path: Path) -> None:
    """Passage ids come from headings, not positions: adding a section keeps every old id."""
    text = (
        "Why do legs cramp?\n\nA first answer, long enough to be kept as an answer of its own by the splitter.\n\n"
        "How long do cramps last?\n\nA second answer that also has enough words to be a real passage here.\n"
    )

    def ids(article: str) -> dict[str, str]:
        root = tmp_path / f"k{len(article)}"
        (root / "sources").mkdir(parents=True)
        (root / "sources" / "a.txt").write_text(article, encoding="utf-8")
        (root / "sources.yaml").write_text("sources:\n  - {file: a.txt, key: art, title: T}\n", encoding="utf-8")
        return {p.question: p.id for p in load_passages(root)}

    added = "Who gets cramps?\n\nA new first section, with an answer that is long enough to stay in.\n\n"
    before, after = ids(text), ids(added + text)
    assert before and all(after[question] == pid for question, pid in before.items())
    assert len(after) == len(before) + 1


def test_section_hints_open_a_new_section_in_headless_prose() -> None:
    text = "Lead paragraph about cramps.\n\nThe cause is often unknown. More text here.\n"
    sections = split_article(
        text,
        title="T",
        lead_heading="What are cramps?",
        hints=[SectionHint(before="The cause is", heading="What causes cramps?")],
    )
    assert [s.heading for s in sections] == ["What are cramps?", "What causes cramps?"]


def test_noise_rules_drop_whole_lines_and_strip_inline_dates() -> None:
    article = "Why?\n\nSubscribe to our newsletter for weekly health tips.\n\nBecause it is so.Aug 13, 2005\n"
    rules = NoiseRules.compile([r"subscribe to our newsletter.*"], [r"(?<=\.)\s*Aug \d+, \d{4}$"])
    assert split_article(article, title="T", rules=rules)[0].answer == "Because it is so."
    unfiltered = split_article(article, title="T")[0].answer  # the rules, not the splitter, removed them
    assert "Subscribe to our newsletter" in unfiltered and "Aug 13, 2005" in unfiltered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stretch first. Then rest ...", "Stretch first."),
        ("No sentence end here ...", ""),
        ("• A list item cut short: use a towel ...", "• A list item cut short: use a towel"),
        ("Good sentence. Spliced ... text here.", "Good sentence."),
        ("Lead-in sentence. Causes include:", "Lead-in sentence."),
    ],
)
def test_trim_truncation(text: str, expected: str) -> None:
    assert trim_truncation(text) == expected
