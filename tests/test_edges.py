"""Mid-thought edges: answers that start by leaning on text before them, or end by announcing text
that is not there; what the splitter trims, and that the bundled knowledge has none left."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus.edges import EdgeWords, find_edges, trim_edges
from bot.corpus.passages import load_edge_words, load_passages

WORDS = EdgeWords.of(
    {
        "connectives": ["additionally,", "also,", "and", "in addition,", "however,"],
        "dependent_openings": ["these", "this", "other", "another", "it", "as mentioned", "on the other hand"],
        "independent_openings": ["it is important", "it's estimated"],
        "pronouns": ["they", "them", "it"],
        "lead_ins": ["let's", "read on", "we asked", "there are some"],
        "lead_in_endings": ["include", "such as", "the following", "below"],
    }
)


def kinds(answer: str, question: str = "") -> list[str]:
    return [edge.kind for edge in find_edges(answer, WORDS, question)]


# --- starts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["Additionally, stretch before bed.", "And drink water before bed.", "In addition, stretch your calves."],
)
def test_an_answer_opening_with_a_connective_starts_mid_thought(answer: str) -> None:
    assert kinds(answer) == ["connective"]


@pytest.mark.parametrize(
    "answer",
    [
        "These factors include:\n• Age: older adults get more cramps.",
        "Other factors that may contribute include sitting all day.",
        "Another effective change is stretching every night.",
        "As mentioned, dehydration plays a part.",
        "On the other hand, cramps do not last long.",
    ],
)
def test_an_answer_opening_with_a_reference_to_earlier_text_starts_mid_thought(answer: str) -> None:
    assert kinds(answer) == ["dependent"]


def test_the_edge_names_the_sentence_and_the_word_that_gives_it_away() -> None:
    (edge,) = find_edges("These factors include: age and pregnancy. Stretching helps.", WORDS)
    assert edge.side == "start"
    assert edge.sentence == "These factors include: age and pregnancy."
    assert edge.cue == "These"
    assert "'These'" in edge.describe() and "starts mid-thought" in edge.describe()


def test_an_opening_that_only_looks_dependent_is_not_an_edge() -> None:
    assert kinds("It is important to drink enough water during the day.") == []
    assert kinds("It’s estimated that nearly 60% of adults over 50 get night cramps.") == []


def test_openings_match_whole_words_and_their_punctuation() -> None:
    assert kinds("Items such as a towel help you stretch your calf.") == []  # "it" is not "items"
    assert kinds("Otherwise healthy people get cramps too.") == []  # "other" is not "otherwise"
    assert kinds("In addition to stretching, drink water.") == []  # "in addition," needs its comma
    assert kinds("Andrew's cramps stopped with stretching.") == []  # "and" is not "andrew"


def test_a_bullet_is_read_without_its_bullet() -> None:
    assert kinds("• Also, stretch before bed.\n• Drink water.") == ["connective"]


def test_a_pronoun_before_the_question_names_anything_starts_mid_thought() -> None:
    answer = "Most people who experience them don't need medical treatment. Massage your leg."
    (edge,) = find_edges(answer, WORDS, "How to get rid of leg cramps at night?")
    assert (edge.kind, edge.cue) == ("pronoun", "them")
    assert "before naming what it stands for" in edge.describe()


def test_a_pronoun_after_the_question_named_its_subject_is_not_an_edge() -> None:
    answer = "Leg cramps can affect anyone, but certain factors make them more likely."
    assert kinds(answer, "Who gets leg cramps?") == []
    assert kinds("Cramping can wake them up at night.", "Why do my legs cramp?") == []  # cramping ~ cramp


def test_without_a_question_pronouns_are_not_read() -> None:
    assert kinds("Most people who experience them don't need medical treatment.") == []


# --- ends ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Cramps can last until the next day. And before we go on, let’s look a little deeper.",
        "Cramps hurt. Read on to find out why.",
        "They can be painful. We asked experts to explain what causes them.",
        "The cause is unknown. However, there are some factors that may increase the chance of cramps.",
        "Several things may help, such as.",
        "Ways to stop a cramp are described below.",
    ],
)
def test_an_answer_ending_with_a_lead_in_ends_mid_thought(answer: str) -> None:
    assert kinds(answer) == ["lead_in"]


def test_a_colon_with_nothing_after_it_ends_mid_thought_even_on_a_list_item() -> None:
    assert kinds("Stretching helps. Try these stretches:") == ["no_list"]
    assert kinds("Stretching helps.\n• Calf stretch:") == ["no_list"]


def test_a_list_item_needs_no_full_stop_but_prose_does() -> None:
    assert kinds("Stretches that help:\n• Calf stretch\n• Hamstring stretch") == []
    assert kinds("Stretching before bed may reduce how often cramps") == ["no_stop"]


def test_words_that_only_look_like_lead_ins_are_not_edges() -> None:
    assert kinds("The soreness may last until the following day.") == []
    assert kinds("Stretch your calves, such as by leaning on a wall.") == []
    assert kinds("“Hydration can reduce the occurrence of cramps.”") == []


def test_an_answer_can_have_one_edge_at_each_end() -> None:
    assert kinds("These contractions are common. We asked experts why.") == ["dependent", "lead_in"]


# --- trimming ------------------------------------------------------------------------------------


def test_trim_drops_a_leading_connective_and_capitalises_the_rest() -> None:
    assert trim_edges("Additionally, stretch before bed.", WORDS) == "Stretch before bed."
    assert trim_edges("However,  rest helps.\nDrink water.", WORDS) == "Rest helps.\nDrink water."


def test_trim_drops_closing_lead_in_sentences_and_keeps_the_rest_of_their_line() -> None:
    answer = "Cramps can last until the next day. And before we go on, let's look a little deeper."
    assert trim_edges(answer, WORDS) == "Cramps can last until the next day."
    assert trim_edges("Cramps hurt.\nRead on.\nWe asked experts why.", WORDS) == "Cramps hurt."


def test_trim_drops_a_lead_in_ending_in_a_colon_but_not_a_list_item() -> None:
    assert trim_edges("Stretching helps. Try these stretches:", WORDS) == "Stretching helps."
    assert trim_edges("Stretching helps.\n• Calf stretch:", WORDS) == "Stretching helps.\n• Calf stretch:"


def test_trim_keeps_an_edge_rather_than_leave_a_fragment() -> None:
    answer = "Cramps hurt. We asked experts to explain what causes leg cramps."
    assert trim_edges(answer, WORDS, min_chars=60) == answer
    assert trim_edges("Also, x.", WORDS, min_chars=60) == "Also, x."


def test_trim_leaves_dependent_openings_and_missing_full_stops_to_a_person() -> None:
    answer = "These factors include age. Stretching before bed may reduce how often cramps"
    assert trim_edges(answer, WORDS) == answer


def test_without_word_lists_nothing_is_found_or_trimmed() -> None:
    answer = "Additionally, these help. Let's look a little deeper."
    assert find_edges(answer, EdgeWords(), "Does it help?") == []
    assert trim_edges(answer, EdgeWords()) == answer


# --- the bundled knowledge -----------------------------------------------------------------------


def test_no_bundled_passage_starts_or_ends_mid_thought(knowledge_dir: Path) -> None:
    words = load_edge_words(knowledge_dir)
    assert words.connectives and words.dependent_openings and words.lead_ins  # the lists were read
    found = {
        p.id: [edge.describe() for edge in find_edges(p.answer, words, p.question)]
        for p in load_passages(knowledge_dir, curated=True)
    }
    assert {pid: edges for pid, edges in found.items() if edges} == {}


def test_the_splitter_drops_the_teasers_that_closed_bundled_sections(knowledge_dir: Path) -> None:
    answers = {p.id: p.answer for p in load_passages(knowledge_dir, apply=False)}
    assert answers["fighting-night-cramps.what-are-night-leg-cramps-like"].endswith(
        "maybe not even until the next day."
    )
    assert answers["treatment-faq.causes-of-leg-cramps-at-night"].endswith("are unknown.")
    assert "these tips" not in answers["nocturnal-vs-rls.treatment-and-prevention"]
    assert "We asked experts" not in answers["treatment-faq.can-leg-cramps-be-harmless"]
