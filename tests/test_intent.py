"""Intent cues: which kind of answer a question asks for, and how that reorders near neighbours."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.corpus.check import check_knowledge
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError, Passage
from bot.retrieval.data import RetrievalData
from bot.retrieval.intents import IntentCues, intent_boost
from bot.retrieval.retriever import Retriever, RetrieverConfig
from bot.text.normalise import normalise

CUES = IntentCues.from_mapping(
    {
        "cause": ["cause", "causes", "why", "risk factors"],
        "prevent": ["prevent", "avoid", "stop them happening", "fewer"],
        "relieve": ["ease", "during a cramp", "right now"],
    }
)


def asked(question: str) -> tuple[str, ...]:
    return CUES.labels(CUES.detect(normalise(question).split()))


@pytest.fixture()
def walking_passages() -> list[Passage]:
    """Two passages that differ only in the kind of question they answer."""
    return [
        Passage(
            id="a.ease",
            question="Walking to ease cramps",
            source="a.txt",
            title="A",
            answer="Walking helps with cramps.",
        ),
        Passage(
            id="a.avoid",
            question="Walking to avoid cramps",
            source="a.txt",
            title="A",
            answer="Walking helps with cramps.",
        ),
    ]


def test_a_single_word_cue_names_its_intent() -> None:
    assert asked("why do my calves cramp") == ("cause",)


def test_a_cue_of_several_words_matches_as_a_whole() -> None:
    assert asked("what to do during a cramp") == ("relieve",)
    assert asked("what to do during the day") == ()


def test_a_question_can_ask_for_two_kinds_of_answer() -> None:
    assert asked("why do I get them and how do I prevent them") == ("cause", "prevent")


def test_cues_match_whole_words_only() -> None:
    assert asked("a causeway walk") == ()


def test_a_passage_profile_is_the_share_of_its_phrasings_that_ask_each_kind() -> None:
    profile = CUES.profile(["why do i get cramps", "what causes cramps", "how to prevent cramps", "cramps"])
    assert profile == (0.5, 0.25, 0.0)


def test_a_question_without_a_cue_leaves_every_passage_as_it_was() -> None:
    assert intent_boost((), (1.0, 0.0, 0.0), 0.2) == 1.0


def test_the_boost_grows_with_how_much_a_passage_asks_what_was_asked() -> None:
    cause = CUES.detect(["why"])
    assert [
        intent_boost(cause, profile, 0.2) for profile in ((1.0, 0.0, 0.0), (0.5, 0.0, 0.0), (0.0, 1.0, 0.0))
    ] == pytest.approx([1.2, 1.1, 1.0])


def test_two_kinds_asked_count_half_each() -> None:
    assert intent_boost((0, 1), (1.0, 0.0, 0.0), 0.2) == pytest.approx(1.1)


def test_asking_for_fewer_cramps_puts_prevention_ahead_of_relief(walking_passages: list[Passage]) -> None:
    data = RetrievalData(walking_passages, intents=CUES)
    plain = Retriever.build(data, replace(RetrieverConfig(), intent_weight=0.0))
    ours = Retriever.build(data)
    question = "walking for fewer cramps"  # "fewer" is no passage's word: only its intent can tell them apart
    assert plain.search(question).best.passage.id == "a.ease"
    found = ours.search(question)
    assert [c.passage.id for c in found.candidates] == ["a.avoid", "a.ease"]
    assert found.candidates[0].score > found.candidates[1].score
    assert found.intents == ("prevent",)


@pytest.fixture(scope="module")
def without_intents(bot: Bot) -> Retriever:
    """The bundled retriever with the intent switched off, to compare against."""
    return Retriever(
        bot.retriever.passages,
        bot.retriever.index,
        bot.retriever.synonyms,
        bot.retriever.lexicon,
        bot.retriever._quality,
        replace(bot.retriever.config, intent_weight=0.0),
        bot.retriever.intents,
    )


QUESTIONS_WITH_CUES = (
    "does cycling help prevent leg cramps",
    "why do my feet cramp at night",
    "what should I do during a cramp",
    "how long do cramps last",
    "what medicine stops night cramps",
    "who gets leg cramps most",
)


def test_the_intent_reorders_the_best_three_but_keeps_them_and_the_confidence(
    bot: Bot, without_intents: Retriever
) -> None:
    reordered = 0
    for question in QUESTIONS_WITH_CUES:
        plain, ours = without_intents.search(question), bot.retriever.search(question)
        assert ours.intents
        assert ours.confidence == plain.confidence and ours.matched == plain.matched
        assert {c.passage.id for c in ours.candidates[:3]} == {c.passage.id for c in plain.candidates[:3]}
        reordered += [c.passage.id for c in ours.candidates[:3]] != [c.passage.id for c in plain.candidates[:3]]
    assert reordered, "none of the questions was reordered: is the intent switched off?"


def test_candidates_stay_in_descending_score_order_and_k_only_truncates(bot: Bot) -> None:
    for question in QUESTIONS_WITH_CUES:
        five = bot.retriever.search(question, k=5).candidates
        assert [c.score for c in five] == sorted((c.score for c in five), reverse=True)
        assert [c.passage.id for c in bot.retriever.search(question, k=1).candidates] == [five[0].passage.id]
        assert bot.retriever.search(question, k=-1).candidates == ()


@pytest.mark.parametrize("question", ["why am I tired during the day", "cramps during pregnancy"])
def test_during_alone_does_not_ask_for_relief(bot: Bot, question: str) -> None:
    assert "relieve" not in bot.retriever.search(question).intents


def test_during_a_cramp_asks_for_relief(bot: Bot) -> None:
    assert "relieve" in bot.retriever.search("what should I do during a cramp").intents


def test_the_bundled_cues_each_signal_one_intent(knowledge_dir: Path) -> None:
    assert not [p for p in check_knowledge(knowledge_dir) if p.file == "intents.yaml"]


def test_a_cue_listed_under_two_intents_is_a_warning(knowledge_copy: Path) -> None:
    path = knowledge_copy / "intents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  prevent:\n", "  prevent:\n    - why\n", 1), encoding="utf-8"
    )
    problems = [p for p in check_knowledge(knowledge_copy) if p.file == "intents.yaml"]
    assert len(problems) == 1 and not problems[0].is_error
    assert "'why' is already listed under 'cause'" in problems[0].message
    assert path.read_text(encoding="utf-8").splitlines()[problems[0].line - 1] == "    - why"


@pytest.mark.parametrize(("cue", "says"), [("'?!'", "has no letters or digits"), ("no", "is not text; quote it")])
def test_check_points_at_a_cue_that_can_never_match(knowledge_copy: Path, cue: str, says: str) -> None:
    path = knowledge_copy / "intents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  prevent:\n", f"  prevent:\n    - {cue}\n", 1), encoding="utf-8"
    )
    problems = [p for p in check_knowledge(knowledge_copy) if p.file == "intents.yaml"]
    assert len(problems) == 1 and problems[0].is_error and says in problems[0].message
    assert path.read_text(encoding="utf-8").splitlines()[problems[0].line - 1] == f"    - {cue}"


def test_a_cue_without_letters_is_an_error(knowledge_copy: Path) -> None:
    path = knowledge_copy / "intents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  prevent:\n", "  prevent:\n    - '?!'\n", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"cue '\?!' under 'prevent' has no letters or digits"):
        load_knowledge(knowledge_copy)


def test_a_cue_yaml_reads_as_true_or_false_is_an_error_not_a_cue(knowledge_copy: Path) -> None:
    (knowledge_copy / "intents.yaml").write_text("intents:\n  prevent: [prevent, no]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"intents\.yaml:2: .*quote it \(YAML reads yes, no, on and off"):
        load_knowledge(knowledge_copy)


def test_intents_written_as_one_string_are_an_error(knowledge_copy: Path) -> None:
    (knowledge_copy / "intents.yaml").write_text("intents:\n  cause: why\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="intent 'cause' must be a list"):
        load_knowledge(knowledge_copy)
    problems = [p for p in check_knowledge(knowledge_copy) if p.file == "intents.yaml"]
    assert [(p.line, p.is_error) for p in problems] == [(2, True)]


def test_a_knowledge_folder_without_intents_still_answers(knowledge_copy: Path) -> None:
    (knowledge_copy / "intents.yaml").unlink()
    bot = Bot(load_knowledge(knowledge_copy))
    reply = bot.ask("how long do leg cramps last")
    assert reply.matched and reply.retrieval is not None and reply.retrieval.intents == ()
