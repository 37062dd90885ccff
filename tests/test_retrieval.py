"""Retrieval on the real corpus: realistic questions land on a passage that answers them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bot.chat import Bot
from bot.corpus.passages import Passage
from bot.retrieval.data import RetrievalData
from bot.retrieval.intents import IntentCues
from bot.retrieval.retriever import Retriever, RetrieverConfig, focus_stems
from bot.retrieval.synonyms import Synonyms
from bot.retrieval.vocabulary import trusted_spellings

# (question as people type it, ids of passages that answer it)
REALISTIC = [
    (
        "What are leg cramps?",
        {
            "night-cramps-qa.what-are-leg-cramps",
            "treatment-faq.what-are-leg-cramps",
            "understanding-nocturnal.definition-and-overview",
        },
    ),
    (
        "how long does a leg cramp usually last",
        {"night-cramps-qa.how-long-do-leg-cramps-last", "treatment-faq.how-long-do-leg-cramps-last"},
    ),
    (
        "why do I get cramps in my legs at night?",
        {
            "night-cramps-qa.what-causes-leg-cramps-at-night",
            "treatment-faq.why-do-my-legs-cramp-at-night",
            "treatment-faq.causes-of-leg-cramps-at-night",
            "treatment-faq.why-do-i-get-cramps-in-my-legs",
        },
    ),
    (
        "can my blood pressure water pills cause cramps",
        {"treatment-faq.can-diuretics-cause-night-leg-cramps", "night-cramps-qa.what-medications-may-cause-leg-cramps"},
    ),
    (
        "which medications cause leg cramps",
        {"night-cramps-qa.what-medications-may-cause-leg-cramps", "treatment-faq.what-are-the-causes-of-leg-cramps"},
    ),
    (
        "how do I stop a cramp right now",
        {"night-cramps-qa.how-do-i-stop-leg-cramps-immediately", "understanding-nocturnal.immediate-relief-techniques"},
    ),
    (
        "what stretches help with leg cramps",
        {
            "night-cramps-qa.what-kinds-of-stretches-help-get-rid-of-leg-cramps",
            "understanding-nocturnal.stretching-exercises",
            "night-cramps-qa.what-kinds-of-stretches-help-prevent-leg-cramps",
        },
    ),
    (
        "is restless legs the same thing as cramps",
        {
            "night-cramps-qa.whats-the-difference-between-leg-cramps-and-restless-legs-syndrome",
            "nocturnal-vs-rls.leg-cramps-vs-restless-leg-syndrome",
            "fighting-night-cramps.leg-cramps-vs-restless-leg-syndrome",
        },
    ),
    (
        "I'm pregnant and get calf cramps every night",
        {"understanding-nocturnal.pregnancy", "treatment-faq.can-you-get-night-leg-cramps-while-pregnant"},
    ),
    ("what vitamins help leg cramps", {"night-cramps-qa.what-vitamins-may-help-with-leg-cramps"}),
    (
        "how can I prevent leg cramps",
        {
            "night-cramps-qa.how-can-i-prevent-leg-cramps",
            "night-cramps-qa.how-can-i-reduce-my-risk-of-getting-leg-cramps",
            "understanding-nocturnal.preventive-measures",
        },
    ),
    ("when should I go to the emergency room", {"night-cramps-qa.when-should-i-go-to-the-er"}),
    (
        "when should I worry about my leg cramps",
        {"night-cramps-qa.when-to-worry-about-leg-cramps", "understanding-nocturnal.red-flags-in-leg-cramps"},
    ),
    (
        "how are leg cramps diagnosed",
        {
            "night-cramps-qa.how-are-leg-cramps-diagnosed",
            "understanding-nocturnal.clinical-evaluation-and-medical-history",
        },
    ),
    (
        "what does a leg cramp feel like",
        {"night-cramps-qa.what-does-a-leg-cramp-feel-like", "understanding-nocturnal.characteristics-of-the-pain"},
    ),
    ("can leg cramps be cured", {"night-cramps-qa.can-leg-cramps-be-cured"}),
    ("what is a charley horse", {"treatment-faq.what-is-it-called-when-you-have-a-cramp-in"}),
    (
        "does diabetes cause leg cramps",
        {"understanding-nocturnal.diabetes", "treatment-faq.what-causes-numbness-in-the-legs-and-feet"},
    ),
    ("is kidney disease linked to cramps", {"understanding-nocturnal.kidney-disease"}),
    ("best sleeping position to avoid cramps", {"understanding-nocturnal.adjusting-sleep-positions"}),
    ("foods rich in magnesium for cramps", {"understanding-nocturnal.increase-in-magnesium-rich-foods"}),
    (
        "do bananas help with cramps because of potassium",
        {"understanding-nocturnal.potassium-balance", "treatment-faq.why-do-i-get-cramps-in-my-legs"},
    ),
    (
        "I get cramps after increasing my running mileage",
        {
            "treatment-faq.when-you-re-trying-to-kick-your-routine-up-a",
            "understanding-nocturnal.physical-activity-levels",
        },
    ),
    ("does pickle juice work for cramps", {"treatment-faq.what-to-do-for-cramps-in-legs"}),
    (
        "wat causes cramps in calfs",
        {
            "night-cramps-qa.what-causes-leg-cramps",
            "treatment-faq.what-are-the-causes-of-leg-cramps",
            "night-cramps-qa.what-causes-leg-cramps-at-night",
        },
    ),
]

OFF_TOPIC = [
    "tell me a joke",
    "what's the capital of France",
    "what's the weather like tomorrow",
    "how do I get rid of acne",
    "reset my password please",
    "asdfgh qwerty",
]


@pytest.mark.parametrize(("question", "expected"), REALISTIC, ids=[q for q, _ in REALISTIC])
def test_realistic_question_lands_on_a_passage_that_answers_it(bot: Bot, question: str, expected: set[str]) -> None:
    reply = bot.ask(question)
    assert reply.matched, f"not matched (confidence {reply.confidence:.2f})"
    assert reply.passage is not None and reply.passage.id in expected


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_question_is_not_matched(bot: Bot, question: str) -> None:
    reply = bot.ask(question)
    assert not reply.matched
    assert reply.passage is None
    assert reply.suggestions, "the fallback offers questions the bot can answer"


def test_nocturnal_alone_is_a_time_of_day_not_the_topic(bot: Bot) -> None:
    """Night owls and night-shift workers are not asking about cramps; the word still helps a real question."""
    assert not bot.ask("I'm nocturnal, I work night shifts").matched
    assert bot.ask("what does nocturnal mean for leg cramps").matched


def test_confidence_is_between_zero_and_one(bot: Bot) -> None:
    for question, _ in REALISTIC:
        assert 0.0 <= bot.ask(question).confidence <= 1.0


def test_a_matched_answer_suggests_up_to_three_other_questions(bot: Bot) -> None:
    reply = bot.ask("What causes leg cramps at night?")
    assert 1 <= len(reply.suggestions) <= 3
    assert reply.passage is not None and reply.passage.question not in reply.suggestions


def test_typo_is_corrected_against_the_corpus_vocabulary(bot: Bot) -> None:
    retrieval = bot.retriever.search("magnesum for crmaps")
    assert retrieval.corrections == {"magnesum": "magnesium", "crmaps": "cramps"}


def _retriever_with_phrasings(*phrasings: str) -> Retriever:
    passage = Passage(
        id="a.cramps",
        question="What causes leg cramps?",
        source="a.md",
        title="A",
        answer="Leg cramps come from tired muscles. Readers often ask about potassium.",
        alternates=phrasings,
    )
    return Retriever.build(RetrievalData([passage], topic_anchors=["cramp"]))


def test_a_typo_that_a_phrasing_also_makes_is_still_repaired() -> None:
    retriever = _retriever_with_phrasings("why do i get leg crmaps", "low potasium and cramps")
    retrieval = retriever.search("leg crmaps and potasium")
    assert retrieval.corrections == {"crmaps": "cramps", "potasium": "potassium"}


def test_a_rare_word_from_a_phrasing_gets_one_edit_not_two() -> None:
    """ "relaxers" is two edits from "readers": a word a phrasing uses may be a real one the articles lack."""
    retriever = _retriever_with_phrasings("do muscle relaxers help cramps")
    assert "relaxers" not in retriever.search("muscle relaxers").corrections


def test_a_rare_word_from_a_phrasing_is_not_taken_for_a_corpus_word_that_sounds_alike() -> None:
    """ "kwinine" is repaired by sound, unless a phrasing uses it: then it may be a word of its own."""

    def corrections(*phrasings: str) -> dict[str, str]:
        passage = Passage(
            id="a.quinine",
            question="Is quinine safe?",
            source="a.md",
            title="A",
            answer="Quinine is no longer advised for leg cramps.",
            alternates=phrasings,
        )
        return dict(
            Retriever.build(RetrievalData([passage], topic_anchors=["cramp"])).search("kwinine for cramps").corrections
        )

    assert corrections("is it safe") == {"kwinine": "quinine"}
    assert corrections("is kwinine safe") == {}


def test_synonyms_built_directly_expand_the_longest_phrase() -> None:
    synonyms = Synonyms(phrases={("water",): ("water", "fluid"), ("water", "pill"): ("water pill", "diuretic")})
    assert synonyms.expand(["water", "pills"]) == (["water", "pills", "diuretic"], ("water pill",))
    assert Synonyms(phrases={(): ("", "nothing")}).expand(["water"]) == (["water"], ())


def test_words_several_phrasings_share_are_trusted_and_a_one_off_is_not() -> None:
    phrased = Counter({"knotting": 3, "calf": 2, "crmaps": 1})
    spelled = trusted_spellings(["leg", "cramps", "come", "from", "tired", "muscles"], phrased)
    assert {"cramps", "muscles", "knotting"} <= spelled
    assert "crmaps" not in spelled and "calf" not in spelled


def test_the_ask_of_a_long_message_outweighs_its_story() -> None:
    passages = [
        Passage(
            id="a.pregnancy",
            question="Why do leg cramps happen in pregnancy?",
            source="a.md",
            title="A",
            answer="Many pregnant women get leg cramps at night in the third trimester, from pressure on "
            "blood vessels and changes in fluid balance.",
            alternates=("pregnancy cramps at night, why",),
        ),
        Passage(
            id="a.prevent",
            question="How can I prevent leg cramps?",
            source="a.md",
            title="A",
            answer="Stretch your calves before bed, drink enough water and avoid sitting for long.",
            alternates=("how do I stop cramps coming back", "ways to prevent night cramps"),
        ),
    ]
    story = "I'm in my third trimester of pregnancy and the cramps at night are awful. How do I prevent them?"
    weighted = Retriever.build(RetrievalData(passages, topic_anchors=["cramp"]))
    flat = Retriever.build(RetrievalData(passages, topic_anchors=["cramp"]), replace(RetrieverConfig(), ask_repeats=0))
    assert [c.passage.id for c in weighted.search(story).candidates] == ["a.prevent", "a.pregnancy"]
    assert [c.passage.id for c in flat.search(story).candidates] == ["a.pregnancy", "a.prevent"]


def test_a_passage_focus_is_what_most_of_its_phrasings_name() -> None:
    phrasings = [
        ["why", "pregnancy", "cramp"],
        ["pregnancy", "calf", "cramp"],
        ["cramp", "pregnancy", "night"],
        ["pregnancy", "cramp"],
    ]
    assert focus_stems(phrasings, frozenset({"cramp", "why"}), 0.75) == {"pregnancy"}


def test_a_passage_with_too_few_phrasings_has_no_focus() -> None:
    assert focus_stems([["what", "caus", "cramp"]], frozenset({"what"}), 0.75) == frozenset()
    assert focus_stems([], frozenset(), 0.75) == frozenset()


def test_a_kind_of_question_is_never_a_passage_focus() -> None:
    passage = Passage(
        id="a.causes",
        question="What causes leg cramps?",
        source="a.md",
        title="A",
        answer="Tired muscles cause leg cramps.",
        alternates=("why do leg cramps happen", "what causes cramps", "causes of cramps", "cramp causes"),
    )
    retriever = Retriever.build(
        RetrievalData(
            [passage],
            topic_anchors=["cramp"],
            topic_words=["leg", "cramp"],
            intents=IntentCues.from_mapping({"cause": ["causes", "why"]}),
        )
    )
    assert retriever._focus_of(0) == frozenset()


def test_a_passage_about_a_condition_the_question_never_names_is_set_back() -> None:
    passages = [
        Passage(
            id="a.pregnancy",
            question="Why do leg cramps happen in pregnancy?",
            source="a.md",
            title="A",
            answer="Pregnant women often get leg cramps at night, as fluid balance changes.",
            alternates=(
                "why do cramps happen at night in pregnancy",
                "pregnancy night cramps why",
                "cramps in pregnancy",
                "pregnancy and leg cramps",
            ),
        ),
        Passage(
            id="a.night",
            question="What causes leg cramps at night?",
            source="a.md",
            title="A",
            answer="Tired muscles and sitting for long can bring on cramps at night.",
            alternates=("what brings on cramps in bed",),
        ),
    ]

    def score(question: str, penalty: float) -> float:
        config = replace(RetrieverConfig(), focus_penalty=penalty)
        data = RetrievalData(passages, topic_anchors=["cramp"], topic_words=["leg", "cramp", "night"])
        retriever = Retriever.build(data, config)
        return next(c.score for c in retriever.search(question).candidates if c.passage.id == "a.pregnancy")

    unnamed, named = "why do leg cramps happen at night", "why do leg cramps happen in pregnancy"
    assert score(unnamed, 0.1) == pytest.approx(0.9 * score(unnamed, 0.0))
    assert score(named, 0.1) == score(named, 0.0)


def test_a_word_spelt_by_ear_with_another_first_letter_is_repaired(bot: Bot) -> None:
    retrieval = bot.retriever.search("kwinine for leg cramps")
    assert retrieval.corrections.get("kwinine") == "quinine"
    assert retrieval.candidates and "quinine" in retrieval.candidates[0].passage.answer.lower()


def test_a_short_word_is_not_rewritten_because_it_sounds_like_a_corpus_word(bot: Bot) -> None:
    assert "feta" not in bot.retriever.search("spinach and feta pie recipe").corrections
