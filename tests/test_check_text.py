"""`bot.corpus.check_text`: the text-level checks of `crampbot check`, fed small hand-built inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus._yaml import Located, parse
from bot.corpus.check_text import (
    Locator,
    check_curated_openings,
    check_duplicates,
    check_intents,
    check_synonyms,
    corpus_words,
    locate_passage,
    similar_pairs,
)
from bot.corpus.faq import FaqEntry
from bot.corpus.passages import Passage
from bot.problems import Problem

ARTICLE = """\
Leg Cramps at Night

What are leg cramps?

Sudden, painful tightening of a muscle, most often the calf.

How long do leg cramps last?

Seconds to minutes.
"""
SOURCES = """\
articles:
  - file: art.txt
    lead_heading: Cramps in older adults
"""
OVERRIDES = """\
retitle:
  art.2: How long does a leg cramp last?
alternates:
  faq.quinine:
    - Is tonic water good for cramps?
"""
ALTERNATES = """\
alternates:
  art.1:
    - Why do my legs cramp?
  faq.quinine:
    - Does quinine work?
"""


def article(pid: str, question: str, *alternates: str, answer: str = "Stretch the calf.") -> Passage:
    return Passage(id=pid, question=question, answer=answer, source="art.txt", title="Art", alternates=alternates)


def curated(slug: str, question: str, *alternates: str, answer: str = "Stretch the calf.") -> Passage:
    return Passage(
        id=f"faq.{slug}",
        question=question,
        answer=answer,
        source=f"faq/{slug}.md",
        title="FAQ",
        alternates=alternates,
        curated=True,
    )


def entry(
    passage: Passage, question_line: int = 2, answer: str = "Stretch the calf.", answer_line: int = 6
) -> FaqEntry:
    """The FaqEntry behind a curated passage: its own alternates on the lines after the question."""
    own = tuple(a for a in passage.alternates if a.startswith("Can "))
    return FaqEntry(
        file=passage.source,
        slug=passage.id.removeprefix("faq."),
        question=passage.question,
        answer=answer,
        alternates=own,
        question_line=question_line,
        answer_line=answer_line,
        alternate_lines=tuple(range(question_line + 1, question_line + 1 + len(own))),
    )


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "art.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


@pytest.fixture()
def docs(root: Path) -> dict[str, Located]:
    return {
        "sources.yaml": parse(SOURCES),
        "overrides.yaml": parse(OVERRIDES),
        "alternates.yaml": parse(ALTERNATES),
    }


@pytest.fixture()
def quinine() -> Passage:
    # Its own alternate first, then overrides.yaml's, then alternates.yaml's: the order the loader adds them.
    return curated(
        "quinine",
        "Is quinine safe for leg cramps?",
        "Can I take quinine?",
        "Is tonic water good for cramps?",
        "Does quinine work?",
    )


# --- Locator ------------------------------------------------------------------------------------


def test_an_article_question_is_found_on_its_line_in_the_source(root: Path, docs: dict[str, Located]) -> None:
    assert locate_passage(root, article("art.1", "What are leg cramps?"), docs) == ("sources/art.txt", 3)


def test_a_retitled_question_is_located_in_overrides(root: Path, docs: dict[str, Located]) -> None:
    passage = article("art.2", "How long does a leg cramp last?")
    assert locate_passage(root, passage, docs) == ("overrides.yaml", 2)


def test_a_question_from_a_lead_heading_is_located_in_the_manifest(root: Path, docs: dict[str, Located]) -> None:
    assert locate_passage(root, article("art.0", "Cramps in older adults"), docs) == ("sources.yaml", 3)


def test_a_question_found_nowhere_falls_back_to_the_first_line_of_its_article(
    root: Path, docs: dict[str, Located]
) -> None:
    assert locate_passage(root, article("art.9", "Something else entirely"), docs) == ("sources/art.txt", 1)


def test_a_missing_article_file_does_not_raise(root: Path, docs: dict[str, Located]) -> None:
    passage = Passage(id="gone.1", question="Where?", answer="Here.", source="gone.txt", title="Gone")
    assert locate_passage(root, passage, docs) == ("sources/gone.txt", 1)


def test_a_curated_question_is_on_its_entry_line(root: Path, docs: dict[str, Located], quinine: Passage) -> None:
    locator = Locator(root, docs, [entry(quinine, question_line=4)])
    assert locator.question(quinine) == ("faq/quinine.md", 4)


def test_alternates_are_located_in_the_entry_then_overrides_then_alternates_yaml(
    root: Path, docs: dict[str, Located], quinine: Passage
) -> None:
    locator = Locator(root, docs, [entry(quinine)])
    assert [locator.alternate(quinine, i) for i in range(3)] == [
        ("faq/quinine.md", 3),
        ("overrides.yaml", 5),
        ("alternates.yaml", 5),
    ]


def test_an_alternate_index_past_the_end_falls_back_to_the_question(
    root: Path, docs: dict[str, Located], quinine: Passage
) -> None:
    assert Locator(root, docs, [entry(quinine)]).alternate(quinine, 3) == ("faq/quinine.md", 2)


def test_an_article_alternate_is_located_in_alternates_yaml(root: Path, docs: dict[str, Located]) -> None:
    passage = article("art.1", "What are leg cramps?", "Why do my legs cramp?")
    assert Locator(root, docs, []).alternate(passage, 0) == ("alternates.yaml", 3)


# --- similar_pairs ------------------------------------------------------------------------------


def test_similar_pairs_ignores_word_order() -> None:
    assert list(similar_pairs(["what causes leg cramps", "leg cramps what causes"])) == [(0, 1, 100.0)]


def test_similar_pairs_finds_near_duplicates_above_the_cutoff() -> None:
    ((a, b, score),) = similar_pairs(["what causes leg cramps", "what causes leg cramp", "how to stretch a calf"])
    assert (a, b) == (0, 1) and 92 <= score < 100


def test_similar_pairs_respects_the_cutoff() -> None:
    assert list(similar_pairs(["what causes leg cramps", "what causes leg cramp"], cutoff=99)) == []


def test_similar_pairs_leaves_different_questions_alone() -> None:
    assert list(similar_pairs(["what causes leg cramps", "how long do leg cramps last", "is quinine safe"])) == []


def test_similar_pairs_reports_each_pair_once_with_the_lower_index_first() -> None:
    pairs = sorted((a, b) for a, b, _ in similar_pairs(["calf cramp", "calf cramp", "calf cramp"]))
    assert pairs == [(0, 1), (0, 2), (1, 2)]


def test_similar_pairs_compares_texts_of_only_stop_words_too() -> None:
    assert [(a, b) for a, b, _ in similar_pairs(["what is it", "it is what"])] == [(0, 1)]


def test_similar_pairs_of_nothing_is_nothing() -> None:
    assert list(similar_pairs([])) == []
    assert list(similar_pairs(["one text alone"])) == []


# --- check_duplicates ---------------------------------------------------------------------------


def test_two_curated_entries_asking_the_same_thing_are_an_error_at_the_second(
    root: Path, docs: dict[str, Located]
) -> None:
    first, second = curated("a", "What causes leg cramps?"), curated("b", "Leg cramps: what causes?")
    problems = check_duplicates(root, [first, second], [entry(first), entry(second, question_line=7)], docs)
    problem = only(problems)
    assert (problem.level, problem.file, problem.line) == ("error", "faq/b.md", 7)
    assert "of faq.a (faq/a.md:2)" in problem.message and "merge the two entries" in problem.message


def test_a_curated_entry_copying_an_article_question_is_a_warning_at_the_entry(
    root: Path, docs: dict[str, Located]
) -> None:
    art, cur = article("art.1", "What are leg cramps?"), curated("what", "What are leg cramps")
    problem = only(check_duplicates(root, [art, cur], [entry(cur)], docs))
    assert (problem.level, problem.file, problem.line) == ("warning", "faq/what.md", 2)
    assert "duplicates 'What are leg cramps?' of article passage art.1 (sources/art.txt:3)" in problem.message


def test_two_articles_asking_the_same_thing_are_a_warning_naming_both(root: Path, docs: dict[str, Located]) -> None:
    one, two = article("art.1", "What are leg cramps?"), article("art.7", "What are leg cramps?")
    problem = only(check_duplicates(root, [one, two], [], docs))
    assert problem.level == "warning"
    assert problem.message.startswith("'What are leg cramps?' (art.7) duplicates art.1 (sources/art.txt:3)")


def test_a_near_duplicate_gives_its_score(root: Path, docs: dict[str, Located]) -> None:
    one, two = article("art.1", "What causes leg cramps?"), article("art.2", "What causes a leg cramp?")
    assert "nearly duplicates (9" in only(check_duplicates(root, [one, two], [], docs)).message


def test_an_alternate_duplicating_another_passage_is_reported_where_the_alternate_is(
    root: Path, docs: dict[str, Located], quinine: Passage
) -> None:
    tonic = curated("tonic", "Is tonic water good for cramps?")
    problem = only(check_duplicates(root, [quinine, tonic], [entry(quinine), entry(tonic)], docs))
    assert problem.level == "error"
    assert (problem.file, problem.line) == ("faq/tonic.md", 2)
    assert "of faq.quinine (overrides.yaml:5)" in problem.message


def test_one_passage_repeating_its_own_question_is_not_a_duplicate(root: Path, docs: dict[str, Located]) -> None:
    passage = curated("self", "What causes leg cramps?", "what causes leg cramps")
    assert check_duplicates(root, [passage], [entry(passage)], docs) == []


def test_several_matching_phrasings_of_one_pair_give_one_problem(root: Path, docs: dict[str, Located]) -> None:
    one = article("art.1", "What are leg cramps?", "Why do my legs cramp?")
    two = article("art.2", "What are leg cramps?", "Why do my legs cramp?")
    assert len(check_duplicates(root, [one, two], [], docs)) == 1


def test_empty_phrasings_are_skipped(root: Path, docs: dict[str, Located]) -> None:
    assert check_duplicates(root, [article("art.1", "?"), article("art.2", "!")], [], docs) == []


# --- corpus_words -------------------------------------------------------------------------------


def test_corpus_words_lists_question_alternates_and_answer_words_lower_cased() -> None:
    passage = article("art.1", "What's a Charley-Horse?", "Cramp, 2 legs?", answer="A CRAMP.")
    assert corpus_words([passage]) == [["what", "s", "a", "charley", "horse", "cramp", "2", "legs", "a", "cramp"]]


# --- check_synonyms -----------------------------------------------------------------------------

TAIL = "so it cannot help find an answer"
CORPUS = [["tired", "muscles", "cause", "cramps"], ["stretch", "the", "calf", "muscle"]]


def synonyms(body: str) -> list[Problem]:
    return check_synonyms(parse("synonyms:\n" + body), CORPUS)


def test_synonyms_onto_words_the_passages_use_are_fine() -> None:
    assert synonyms("  charley horse: cramp\n  leg ache: [muscle cramp, calf]\n") == []


@pytest.mark.parametrize("doc", [None, parse(""), parse("other: 1\n"), parse("synonyms:\n")])
def test_no_synonyms_section_means_nothing_to_check(doc: Located | None) -> None:
    assert check_synonyms(doc, CORPUS) == []


def test_synonyms_that_are_not_a_mapping_are_an_error() -> None:
    problem = only(check_synonyms(parse("synonyms: [cramp, calf]\n"), CORPUS))
    assert (problem.level, problem.file, problem.line) == ("error", "synonyms.yaml", 1)


def test_a_synonym_onto_words_no_passage_uses_is_a_warning() -> None:
    problem = only(synonyms("  charley horse: cramp\n  twitch: fasciculation\n"))
    assert (problem.level, problem.line) == ("warning", 3)
    assert "'fasciculation', which no passage uses" in problem.message


def test_stop_words_in_a_target_are_not_required_in_the_passages() -> None:
    assert synonyms("  sore calf: pain in the calf\n") == [
        Problem("synonyms.yaml", 2, "warning", f"'sore calf' maps to 'pain', which no passage uses, {TAIL}")
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('  "!!": cramp\n', "lay phrase '!!' has no letters or digits"),
        ("  ache: 3\n", "'ache' must map to a word, a phrase or a list of them"),
        ("  ache: []\n", "'ache' must map to a word, a phrase or a list of them"),
        ('  ache: [cramp, "?"]\n', "'ache' must map to a word, a phrase or a list of them"),
    ],
)
def test_malformed_synonyms_are_errors_on_their_line(body: str, message: str) -> None:
    assert only(synonyms("  calf pain: calf\n" + body)) == Problem("synonyms.yaml", 3, "error", message)


def test_two_keys_that_normalise_alike_are_a_warning_at_the_second() -> None:
    problem = only(synonyms("  charley horse: cramp\n  Charley  Horse!: cramp\n"))
    assert (problem.level, problem.line) == ("warning", 3)
    assert "is the same phrase as 'charley horse' at line 2" in problem.message


def test_a_synonym_onto_another_lay_phrase_is_a_warning_suggesting_its_target() -> None:
    doc = parse("synonyms:\n  charley horse: cramp\n  leg ache: charley horse\n")
    problem = only(check_synonyms(doc, [*CORPUS, ["a", "charley", "horse"]]))
    assert (problem.level, problem.line) == ("warning", 3)
    assert "maps onto 'charley horse', which is itself a lay phrase" in problem.message
    assert "map onto 'cramp' instead" in problem.message


def test_synonyms_that_loop_are_one_error_at_the_first_of_the_loop() -> None:
    doc = parse("synonyms:\n  calf: stretch\n  ache: spasm\n  spasm: ache\n")
    problem = only(check_synonyms(doc, [*CORPUS, ["ache", "spasm"]]))
    assert (problem.level, problem.line) == ("error", 3)
    assert "synonyms loop: ache -> spasm -> ache" in problem.message


def test_a_three_way_loop_names_every_step() -> None:
    body = "synonyms:\n  aa: bb\n  bb: cc\n  cc: aa\n"
    problem = only(check_synonyms(parse(body), [["aa", "bb", "cc"]]))
    assert "synonyms loop: aa -> bb -> cc -> aa" in problem.message


# --- check_intents ------------------------------------------------------------------------------


def intents(body: str) -> list[Problem]:
    return check_intents(parse("intents:\n" + body))


def test_well_formed_intents_are_fine() -> None:
    assert intents("  cause: [why, what causes]\n  duration:\n    - how long\n  empty:\n") == []


@pytest.mark.parametrize("doc", [None, parse(""), parse("synonyms: {}\n"), parse("intents:\n")])
def test_no_intents_section_means_nothing_to_check(doc: Located | None) -> None:
    assert check_intents(doc) == []


def test_intents_that_are_not_a_mapping_are_an_error() -> None:
    assert only(check_intents(parse("intents: [why]\n"))).level == "error"


def test_an_intent_given_one_text_instead_of_a_list_is_an_error() -> None:
    problem = only(intents("  cause: [why]\n  prevent: stop them\n"))
    assert (problem.level, problem.line) == ("error", 3)
    assert "must be a list of cue words or phrases, not one text" in problem.message


def test_a_cue_yaml_reads_as_a_boolean_or_number_is_an_error_on_its_line() -> None:
    problems = intents("  treat:\n    - yes\n    - 3\n")
    assert [(p.level, p.line) for p in problems] == [("error", 3), ("error", 4)]
    assert "cue True under 'treat' is not text; quote it" in problems[0].message


def test_a_cue_without_letters_is_an_error() -> None:
    problem = only(intents('  treat: [rest, "??"]\n'))
    assert (problem.level, problem.line) == ("error", 2)
    assert "has no letters or digits, so it never matches" in problem.message


def test_a_cue_listed_twice_under_one_intent_is_a_warning_at_the_second() -> None:
    problem = only(intents("  cause:\n    - why\n    - what causes\n    - Why?\n"))
    assert (problem.level, problem.line) == ("warning", 5)
    assert "cue 'Why?' is listed twice (line 3)" in problem.message


def test_a_cue_listed_under_two_intents_is_a_warning_naming_the_first() -> None:
    problem = only(intents("  cause: [what causes]\n  duration:\n    - how long\n    - what causes\n"))
    assert (problem.level, problem.line) == ("warning", 5)
    assert "already listed under 'cause' (line 2)" in problem.message


def test_an_empty_intent_name_is_an_error_on_its_line() -> None:
    problem = only(intents('  cause: [why]\n  "": [what]\n'))
    assert (problem.level, problem.line) == ("error", 3)
    assert "intent name '' must be a word" in problem.message


# --- check_curated_openings ---------------------------------------------------------------------

NOT_SUBJECT = frozenset({"do", "does", "help", "with", "leg", "cramp", "why", "happen", "night"})


def faq(question: str, answer: str) -> FaqEntry:
    return FaqEntry(file="faq/x.md", slug="x", question=question, answer=answer, answer_line=6)


def test_an_answer_opening_with_a_bare_pronoun_is_a_warning_at_the_answer() -> None:
    problem = only(
        check_curated_openings([faq("Do sports drinks help with leg cramps?", "They can. More.")], NOT_SUBJECT)
    )
    assert (problem.level, problem.file, problem.line) == ("warning", "faq/x.md", 6)
    assert "first sentence 'They can.' does not name what the question asks about (sports drinks)" in problem.message


@pytest.mark.parametrize(
    "answer",
    [
        "Sports drinks can help: they replace salt.",
        "A sport drink may help. More.",  # matched on stems, not exact words
    ],
)
def test_an_answer_naming_the_subject_first_is_fine(answer: str) -> None:
    assert check_curated_openings([faq("Do sports drinks help with leg cramps?", answer)], NOT_SUBJECT) == []


def test_only_the_first_sentence_counts() -> None:
    entry_ = faq("Do sports drinks help with leg cramps?", "They can. Sports drinks replace salt.")
    assert len(check_curated_openings([entry_], NOT_SUBJECT)) == 1


def test_a_question_without_a_subject_is_not_checked() -> None:
    assert check_curated_openings([faq("Why do leg cramps happen at night?", "It varies.")], NOT_SUBJECT) == []
