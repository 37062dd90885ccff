"""Questions about subjects the articles never mention get "not covered", naming the subject."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.retrieval.subject import (
    SubjectReader,
    close_repair,
    framing_stems,
    is_statement,
    join_names,
    span_in,
    subject_words,
)
from bot.text.stems import stem

# Written for these tests, not taken from an evaluation set.
UNKNOWN_SUBJECTS = [
    ("is cbd oil good for leg cramps", "cbd oil"),
    ("can cbd help cramps at night", "cbd"),
    ("is turmeric good for night cramps", "turmeric"),
    ("can a chiropractor fix my leg cramps", "a chiropractor"),
    ("Does a copper bracelet stop calf cramps?", "a copper bracelet"),
    ("kombucha for leg cramps?", "kombucha"),
]


def reader(
    known: Iterable[str],
    frame: Iterable[str] = ("help", "good", "night", "sleep", "cause", "common", "toe"),
    repair: Callable[[str], str | None] = lambda word: None,
    synonyms: Callable[[Sequence[str]], list[tuple[int, int]]] = lambda words: [],
) -> SubjectReader:
    words = frozenset(known)
    return SubjectReader(
        known_stems=frozenset(stem(w) for w in words),
        known_words=words,
        known_pairs=frozenset(),
        not_subject=framing_stems(frame, ("cramp", "leg")),
        real_words=frozenset({"tea", "gin", "tap"}),
        repair=repair,
        synonym_spans=synonyms,
        domain=frozenset({"magnesium"}),
    )


@pytest.mark.parametrize(("question", "named"), UNKNOWN_SUBJECTS)
def test_unknown_subject_is_declined_by_name(bot: Bot, question: str, named: str) -> None:
    reply = bot.ask(question)
    assert reply.kind == "not_covered"
    assert not reply.matched and reply.passage is None
    assert reply.not_covered == (named,)
    assert reply.answer.startswith(f"My articles don't mention {named}, so I can't tell you anything about that.")


def test_declined_reply_suggests_questions_the_bot_can_answer(bot: Bot) -> None:
    reply = bot.ask("is turmeric good for night cramps")
    assert len(reply.suggestions) == 3
    for suggestion in reply.suggestions:
        assert bot.ask(suggestion).matched


def test_no_reply_opens_with_a_bare_endorsement(bot: Bot) -> None:
    for question, _ in UNKNOWN_SUBJECTS:
        opening = bot.ask(question).answer.split(".")[0]
        assert opening not in {"It can", "They can", "It may", "Yes"}


@pytest.mark.parametrize(
    "question",
    [
        "does magnisium help with leg cramps",  # a typo of a known word
        "can water pills cause night cramps",  # a lay phrase the synonyms know
        "do sports drinks help with leg cramps",
        "What causes leg cramps at night?",  # no subject beyond the topic
        "Does stretching before bed help prevent calf cramps?",
    ],
)
def test_known_subjects_are_answered(bot: Bot, question: str) -> None:
    reply = bot.ask(question)
    assert reply.matched and reply.kind == "answer"
    assert reply.not_covered == ()


def test_unknown_and_known_subject_side_by_side_answers_the_known_part(bot: Bot) -> None:
    reply = bot.ask("can CBD or magnesium help with leg cramps?")
    assert reply.matched and reply.passage is not None
    assert reply.not_covered == ("CBD",)
    assert reply.answer.startswith("My articles don't mention CBD")
    assert "magnesium" in reply.answer.lower()


def test_an_unknown_word_makes_the_whole_subject_unknown(bot: Bot) -> None:
    reply = bot.ask("is tart cherry juice good for leg cramps")
    assert not reply.matched
    assert reply.not_covered == ("tart cherry juice",)  # not answered as "juice"


def test_an_unknown_kind_of_a_known_thing_is_named_and_the_thing_answered(bot: Bot) -> None:
    reply = bot.ask("is magnesium glycinate better than magnesium citrate for cramps")
    assert reply.matched and reply.passage is not None
    assert reply.not_covered == ("magnesium glycinate", "magnesium citrate")
    assert reply.answer.startswith("My articles don't mention magnesium glycinate and magnesium citrate")
    assert "magnesium" in reply.answer.split("\n\n", 1)[1].lower()


def test_another_name_in_brackets_is_named_and_the_known_one_answered(bot: Bot) -> None:
    reply = bot.ask("Can teriparatide (Forteo) give you muscle cramps?")
    assert reply.matched and reply.not_covered == ("Forteo",)


def test_a_place_after_the_subject_is_a_circumstance(bot: Bot) -> None:
    reply = bot.ask("Does the position of my feet under heavy blankets matter for cramps?")
    assert reply.matched and reply.not_covered == ()


def test_red_flags_still_escalate_when_the_subject_is_not_covered(bot: Bot) -> None:
    reply = bot.ask("is turmeric good for leg cramps? I also have chest pain")
    assert reply.kind == "not_covered"
    assert reply.escalation is not None and reply.escalation.level == "emergency"
    assert reply.escalation.message in reply.answer


def test_story_subject_counts_when_the_question_points_back_at_it(bot: Bot) -> None:
    reply = bot.ask("My aunt swears by pickled beetroot. Does it work for cramps?")
    assert reply.not_covered == ("pickled beetroot",)


def test_story_words_do_not_decide_when_the_question_has_its_own_subject(bot: Bot) -> None:
    reply = bot.ask("I sit at a computer all day. Can sitting too much cause leg cramps?")
    assert reply.matched and reply.not_covered == ()


def test_the_speaker_of_a_claim_is_not_its_subject(bot: Bot) -> None:
    subject = bot.subjects.read("My naturopath says it's common. Is there anything that helps with my calf cramps?")
    assert subject.covered


def test_messages_without_the_topic_keep_the_ordinary_fallback(bot: Bot) -> None:
    reply = bot.ask("what is the capital of france")
    assert reply.kind == "fallback" and reply.not_covered == ()


def test_reader_joins_neighbouring_subject_words_into_one_phrase() -> None:
    subject = reader({"juice"}).read("is tart cherry juice good for leg cramps")
    assert [p.text for p in subject.phrases] == ["tart cherry juice"]
    assert subject.unknown[0].unknown == ("tart", "cherry")


def test_reader_accepts_a_close_typo_repair_but_not_a_different_word() -> None:
    fixes = {"magnisium": "magnesium", "creatine": "creating"}
    subject_reader = reader({"magnesium", "creating"}, repair=fixes.get)
    assert subject_reader.read("magnisium for cramps").covered
    assert not subject_reader.read("creatine for cramps").covered
    assert close_repair("bannana", "bananas") and close_repair("kwinine", "quinine")
    assert not close_repair("hylands", "hands")
    assert not close_repair("kelp", "keep") and not close_repair("limes", "limbs")


def test_reader_treats_typos_of_function_words_as_typos() -> None:
    subject_reader = reader(set())
    assert subject_reader.read("why do my legs cramp wen i sleep").phrases == ()
    assert subject_reader.read("shoud i see someone about leg cramps").phrases == ()
    assert not subject_reader.read("does gin help leg cramps").covered  # a real three-letter word
    assert [p.text for p in subject_reader.read("does WD-40 help leg cramps").unknown] == ["WD-40"]


def test_short_words_in_capitals_are_acronyms_unless_the_message_is_shouted() -> None:
    subject_reader = reader(set())
    assert [p.text for p in subject_reader.read("Is THC good for leg cramps?").unknown] == ["THC"]
    assert subject_reader.read("IS IT GOOD FOR LEG CRAMPS").phrases == ()


def test_a_link_is_not_a_subject_and_names_are_cleaned_and_short() -> None:
    subject_reader = reader(set())
    assert [p.text for p in subject_reader.read("is turmeric](http://evil.example) good for leg cramps").unknown] == [
        "turmeric"
    ]
    name = subject_reader.read("is " + "turmeric " * 50 + "good for leg cramps").unknown[0].text
    assert len(name) <= 41 and name.endswith("…")


def test_intent_cue_words_frame_the_question(bot: Bot) -> None:
    for question in ("What can I do to protect myself from leg cramps?", "What brought on my leg cramps?"):
        assert bot.ask(question).not_covered == ()


def test_hedges_and_general_verbs_frame_the_question(bot: Bot) -> None:
    """Hedges and general verbs say how a question is put, not what it asks about."""
    read = bot.subjects.read("could it maybe be the heat that brings them on, is that the problem?")
    assert [p.words for p in read.phrases] == [("heat",)]


def test_two_questions_in_one_message_answer_the_known_one(bot: Bot) -> None:
    reply = bot.ask("What does magnesium do for cramps? Also what about CBD?")
    assert reply.matched and reply.not_covered == ("CBD",)


def test_a_known_word_beside_an_unknown_name_in_one_question_is_not_answered(bot: Bot) -> None:
    reply = bot.ask("Has anyone tried Hyland's Leg Cramps tablets? Do they actually work?")
    assert not reply.matched and reply.kind == "not_covered"


def test_an_activity_in_ing_is_known_only_as_itself_or_its_verb() -> None:
    subject_reader = reader({"cups", "needles", "curl"})
    assert not subject_reader.read("is cupping good for cramps").covered
    assert not subject_reader.read("dry needling for cramps").covered
    assert subject_reader.read("toes curling with cramps").covered


def test_a_letter_after_a_word_names_a_kind() -> None:
    subject = reader({"vitamin"}).read("does vitamin b help cramps")
    assert [p.text for p in subject.unknown] == ["vitamin b"]


def test_a_synonym_phrase_is_known_as_a_whole() -> None:
    subject_reader = reader(
        set(),
        synonyms=lambda words: [(i, i + 2) for i in range(len(words) - 1) if words[i : i + 2] == ["water", "pills"]],
    )
    assert subject_reader.read("can water pills cause cramps").covered


def test_span_keeps_the_users_spelling_and_article_but_only_word_characters() -> None:
    assert span_in("Can a Chiropractor help?", ["chiropractor"]) == "a Chiropractor"
    assert span_in("Can teriparatide (Forteo) cause cramps?", ["teriparatide", "forteo"]) == "teriparatide Forteo"
    assert span_in("nothing here", ["cbd"]) == "cbd"


def test_names_are_joined_as_a_sentence_would() -> None:
    assert join_names(["a"]) == "a"
    assert join_names(["a", "b"]) == "a and b"
    assert join_names(["a", "b", "c"]) == "a, b and c"


def test_subject_words_of_a_curated_question() -> None:
    not_subject = framing_stems(("help",), ("cramp", "leg"))
    assert subject_words("Do sports drinks help with leg cramps?", not_subject) == ["sports", "drinks"]


def test_subjects_yaml_frame_words_are_loaded(bot: Bot) -> None:
    assert "help" in bot.knowledge.frame_words and "grandma" in bot.knowledge.frame_words


def test_missing_subject_slot_in_messages_is_an_error(knowledge_copy: Path) -> None:
    from bot.corpus.knowledge import load_knowledge
    from bot.corpus.passages import KnowledgeError

    path = knowledge_copy / "messages.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("mention {subject}, so I can't tell", "cover that, so I can't tell"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"not_covered.*subject"):
        load_knowledge(knowledge_copy)


def test_a_related_phrase_helps_suggestions_but_is_not_covered(bot: Bot) -> None:
    reply = bot.ask("is pilates good for leg cramps?")
    assert reply.kind == "not_covered" and reply.not_covered == ("pilates",)
    assert any("stretch" in s.lower() for s in reply.suggestions)  # found through the related words


def test_a_related_phrase_side_by_side_with_a_covered_one_answers_the_covered_part(bot: Bot) -> None:
    reply = bot.ask("tonic water or quinine tablets, which is better for night cramps?")
    assert reply.matched and reply.not_covered == ("tonic water",)
    assert "quinine" in reply.answer.split("\n\n", 1)[1].lower()


def test_things_side_by_side_in_the_story_are_answered_in_part(bot: Bot) -> None:
    reply = bot.ask("People tell me bananas and kombucha stop cramps. Do those work?")
    assert reply.matched and reply.not_covered == ("kombucha",)
    assert reply.passage is not None


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("calf cramps after a knee replacement, is that normal?", "a knee replacement"),
        ("Does red light therapy help night cramps?", "red light therapy"),
        ("hip replacement surgery and leg cramps", "hip replacement surgery"),
    ],
)
def test_a_kind_word_makes_the_words_before_it_one_unknown_name(bot: Bot, question: str, named: str) -> None:
    reply = bot.ask(question)
    assert reply.kind == "not_covered" and reply.not_covered == (named,)


def test_a_use_of_something_the_articles_name_is_covered(bot: Bot) -> None:
    reply = bot.ask("is massage therapy good for leg cramps")
    assert reply.matched and reply.not_covered == ()


def test_an_unknown_kind_of_a_known_thing_before_a_kind_word_answers_the_thing(bot: Bot) -> None:
    reply = bot.ask("are magnesium injections good for night cramps?")
    assert reply.matched and reply.not_covered == ("magnesium injections",)


def test_a_definite_mention_stands_for_the_full_name_in_the_story(bot: Bot) -> None:
    subject = bot.subjects.read("I had a hernia repair last spring. Could the repair be behind my cramps?")
    assert [p.text for p in subject.unknown] == ["a hernia repair"]


def test_a_kind_of_thing_mentioned_again_asks_about_the_story(bot: Bot) -> None:
    reply = bot.ask("My dad had gastric sleeve surgery in May. Could the surgery explain his night cramps?")
    assert reply.kind == "not_covered" and reply.not_covered == ("gastric sleeve surgery",)


# --- telling, not asking (is_statement) -------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Hello, I am 55, from Italy. I have cramps at night in the thigh",
        "Hi there, my mother is visiting from Poland and she has cramps in her legs every night",
        "I work nights in a warehouse and my calves cramp when I finally get to sleep",
        "I do hot yoga five times a week and lately my calves cramp at night",
    ],
)
def test_a_story_after_a_greeting_or_with_is_and_do_inside_tells(message: str) -> None:
    assert is_statement(message)


@pytest.mark.parametrize(
    "message",
    [
        "my grandad is on metformin could that be giving him leg cramps",
        "is magnesium good for night cramps",
        "hello, does tonic water help with cramps",
        "my aunt says pickle juice stops cramps",
        "I take magnesium, is it worth it",
    ],
)
def test_a_message_that_asks_without_a_question_mark_is_no_story(message: str) -> None:
    assert not is_statement(message)


def test_where_the_user_comes_from_is_not_declined_as_a_subject(bot: Bot) -> None:
    reply = bot.ask("Hello, I am 55, from Italy. I have cramps at night in the thigh and the calf")
    assert reply.kind != "not_covered"


@pytest.mark.parametrize(
    "question",
    [
        "do tight sheets tucked around my feet cause cramps?",
        "do my toes pointed down all night cause calf cramps?",
    ],
)
def test_a_word_in_ed_after_a_name_says_what_is_done_to_it_and_is_no_subject(bot: Bot, question: str) -> None:
    subject = bot.subjects.read(question)
    assert subject.covered, subject.unknown_names()
    assert not any(p.words[-1].endswith("ed") for p in subject.phrases)


def test_an_unknown_thing_before_a_word_in_ed_is_still_named(bot: Bot) -> None:
    assert bot.subjects.read("is kombucha brewed at home good for night cramps?").unknown_names() == ("kombucha",)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("could sleeping on a heated waterbed give me leg cramps?", "a heated waterbed"),
        ("does an inflatable airbed cause night cramps?", "an inflatable airbed"),
        ("is chia seed good for leg cramps?", "chia seed"),
    ],
)
def test_a_name_that_only_ends_like_a_past_form_keeps_its_last_word(bot: Bot, question: str, named: str) -> None:
    assert named in bot.subjects.read(question).unknown_names()
