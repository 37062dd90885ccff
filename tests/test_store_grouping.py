"""`bot.store.grouping`: the same unanswered question in other words lands in one group."""

from __future__ import annotations

from bot.store.grouping import group_questions, telling_words


def test_wordings_that_differ_in_case_punctuation_and_stop_words_share_a_key() -> None:
    assert telling_words("How do I reset my password?") == telling_words("how do i reset my password")
    assert telling_words("how to stop cramps in my toes") == telling_words("How do I stop toe cramps?")


def test_a_typo_or_a_word_more_joins_the_same_group() -> None:
    grouping = group_questions(
        ["how do I reset my password?", "How do I reset my pasword", "how do I reset my password please"]
    )
    assert [g.count for g in grouping.groups] == [3]


def test_groups_are_ranked_by_count_and_led_by_the_most_asked_wording() -> None:
    grouping = group_questions(
        ["will it rain tomorrow"]
        + ["Who won the Champions League final?"] * 2
        + ["who won the champions league final"] * 3
        + ["Tell me a joke"]
    )
    first, *rest = grouping.groups
    assert (first.question, first.count) == ("who won the champions league final", 5)
    assert first.wordings == ("Who won the Champions League final?",)
    assert [(g.question, g.count) for g in rest] == [("Tell me a joke", 1), ("will it rain tomorrow", 1)]


def test_questions_about_different_things_stay_apart() -> None:
    grouping = group_questions(["What are the symptoms of a UTI?", "what are the symptoms of the flu"])
    assert len(grouping.groups) == 2


def test_a_group_does_not_drift_by_chaining_near_neighbours() -> None:
    # each next one resembles the one before, not the first: leaders never chain
    chain = ["cramp calf night", "cramp calf night walk", "calf night walk dog", "night walk dog park"]
    assert len(group_questions(chain).groups) >= 2


def test_blank_questions_are_ignored_and_the_rarest_past_the_limit_are_counted() -> None:
    grouping = group_questions(["  ", "a b c"] * 2 + ["x y z"], max_distinct=1)
    assert [(g.question, g.count) for g in grouping.groups] == [("a b c", 2)] and grouping.ungrouped == 1
