"""`crampbot check`: one deliberate mistake per check, each reported with file:line and a clear message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.corpus.check import check_knowledge, run_check
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError
from bot.problems import Problem


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append(path: Path, text: str) -> int:
    """Append text; returns the 1-based line number where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n" + text, encoding="utf-8")
    return before.rstrip("\n").count("\n") + 2


def only(problems: list[Problem], level: str, file: str, pattern: str) -> Problem:
    found = [p for p in problems if p.level == level and p.file == file and re.search(pattern, p.message)]
    assert len(found) == 1, f"expected one {level} in {file} matching {pattern!r}, got:\n" + "\n".join(
        map(str, problems)
    )
    return found[0]


ENTRY = "---\nquestion: {q}\nsources: [night-cramps-qa.what-are-leg-cramps]\n---\n{a}\n"
ANSWER = "A plain answer that is long enough to be a real answer in a chat bubble, more or less."


# --- the bundled knowledge ---------------------------------------------------------------------


def test_bundled_knowledge_has_no_errors(knowledge_dir: Path) -> None:
    report = run_check(knowledge_dir)
    assert report.errors == [] and report.ok
    assert report.knowledge is not None and any(p.curated for p in report.knowledge.passages)


def test_cli_check_exits_0_and_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert re.search(r"^0 errors, \d+ warnings? \(\d+ passages, \d+ curated", capsys.readouterr().out, re.MULTILINE)


def test_cli_check_exits_1_and_prints_file_line_level_message(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(knowledge_copy / "faq" / "oops.md", ENTRY.format(q="Can I eat bananas?", a=""))
    assert main(["check", "--knowledge", str(knowledge_copy)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^\S*faq/oops\.md:5: error: the answer is empty", out, re.MULTILINE), out


def test_cli_check_json_lists_problems(knowledge_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(knowledge_copy / "faq" / "oops.md", ENTRY.format(q="Can I eat bananas?", a=""))
    assert main(["check", "--knowledge", str(knowledge_copy), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["errors"] == 1
    assert {"level": "error", "file": "faq/oops.md", "line": 5, "message": data["problems"][0]["message"]} in data[
        "problems"
    ]


# --- unparsable files and missing fields --------------------------------------------------------


def test_unparsable_yaml_names_the_line(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "synonyms.yaml", "  leg ache: [cramp\n")
    problem = only(check_knowledge(knowledge_copy), "error", "synonyms.yaml", "not valid YAML")
    assert problem.line in (line, line + 1)


def test_a_key_written_twice_is_an_error_because_yaml_keeps_only_the_last(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "synonyms.yaml", "  doc: physician\n")
    problem = only(
        check_knowledge(knowledge_copy), "error", "synonyms.yaml", r"duplicate key 'doc' \(first at line \d+\)"
    )
    assert problem.line == line


def test_unparsable_front_matter_names_the_line(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "bad.md", "---\nquestion: Why?\nalternates: [a, b\nsources: [x]\n---\nAnswer.\n")
    assert only(check_knowledge(knowledge_copy), "error", "faq/bad.md", "not valid YAML").line in (3, 4, 5)


def test_markdown_entry_without_front_matter(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "plain.md", "Why do cramps happen?\n\nBecause.\n")
    assert only(check_knowledge(knowledge_copy), "error", "faq/plain.md", "starts with a '---' line").line == 1


def test_missing_question_and_sources_are_both_reported(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "nofields.md", f"---\ntags: [x]\n---\n{ANSWER}\n")
    problems = check_knowledge(knowledge_copy)
    assert only(problems, "error", "faq/nofields.md", "missing 'question'").line == 2
    assert only(problems, "error", "faq/nofields.md", "missing 'sources'").line == 2


def test_unknown_field_is_a_warning_with_a_suggestion(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "typo.md",
        f"---\nquestion: Do socks help cramps?\nalternate: [x]\nsources: [y]\n---\n{ANSWER}\n",
    )
    assert (
        only(
            check_knowledge(knowledge_copy),
            "warning",
            "faq/typo.md",
            "unknown field 'alternate'.*did you mean 'alternates'",
        ).line
        == 3
    )


def test_empty_answer_is_an_error(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "empty.md", ENTRY.format(q="Do socks help cramps?", a="   "))
    assert only(check_knowledge(knowledge_copy), "error", "faq/empty.md", "the answer is empty").line == 5


def test_empty_answer_in_a_yaml_entry_is_an_error(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "empty.yaml", "question: Do socks help cramps?\nsources: [y]\nanswer: ''\n")
    assert only(check_knowledge(knowledge_copy), "error", "faq/empty.yaml", "the answer is empty").line == 3


@pytest.mark.parametrize(
    ("chars", "level", "pattern"), [(1700, "warning", "over 1500"), (4100, "error", "limit is 4000")]
)
def test_overlong_answer(knowledge_copy: Path, chars: int, level: str, pattern: str) -> None:
    write(knowledge_copy / "faq" / "long.md", ENTRY.format(q="Do socks help cramps?", a="word " * (chars // 5)))
    assert only(check_knowledge(knowledge_copy), level, "faq/long.md", pattern).line == 5


def test_files_the_faq_folder_ignores_are_named(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "socks.txt", "question: x")
    assert only(check_knowledge(knowledge_copy), "warning", "faq/socks.txt", "ignored").line == 0


def test_a_loading_failure_no_other_check_knows_is_still_an_error(knowledge_copy: Path) -> None:
    write(knowledge_copy / "messages.yaml", "starter_questions: []\n")
    assert only(check_knowledge(knowledge_copy), "error", "messages.yaml", "needs a 'fallback' text")


# --- duplicate questions -----------------------------------------------------------------------


def test_two_curated_entries_with_the_same_question_are_an_error_naming_both(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "socks-a.md", ENTRY.format(q="Do compression socks help cramps?", a=ANSWER))
    write(knowledge_copy / "faq" / "socks-b.md", ENTRY.format(q="Do compression socks help with cramps?", a=ANSWER))
    problem = only(check_knowledge(knowledge_copy), "error", "faq/socks-b.md", r"nearly duplicates \(\d+%\)")
    assert problem.line == 2 and "faq/socks-a.md:2" in problem.message and "faq.socks-a" in problem.message


def test_an_alternate_that_repeats_another_entrys_question_is_an_error(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "socks.md",
        "---\nquestion: Do compression socks help?\nalternates:\n"
        "  - Is quinine safe for leg cramps?\nsources: [x]\n---\n" + ANSWER,
    )
    problem = only(check_knowledge(knowledge_copy), "error", "faq/socks.md", "duplicates 'Is quinine safe")
    assert problem.line == 4 and "faq/quinine.md:2" in problem.message


def test_a_curated_entry_copying_an_article_question_is_a_warning(knowledge_copy: Path) -> None:
    write(knowledge_copy / "faq" / "who.md", ENTRY.format(q="Who gets leg cramps?", a=ANSWER))
    problem = only(
        check_knowledge(knowledge_copy), "warning", "faq/who.md", "article passage night-cramps-qa.who-gets-leg-cramps"
    )
    assert problem.line == 2 and "sources/000_39e5453c19adca82.txt:" in problem.message


def without_same_question(knowledge: Path) -> list[str]:
    """overrides.yaml without its `same_question:` section; its lines."""
    path = knowledge / "overrides.yaml"
    text = path.read_text(encoding="utf-8")
    write(path, text[: text.index("\nsame_question:")] + "\n")
    return path.read_text(encoding="utf-8").splitlines()


def test_two_articles_asking_the_same_question_is_a_warning_at_the_retitle(knowledge_copy: Path) -> None:
    text = without_same_question(knowledge_copy)
    line = next(i for i, t in enumerate(text, 1) if t.strip().startswith("treatment-faq.what-are-leg-cramps:"))
    problem = only(
        check_knowledge(knowledge_copy),
        "warning",
        "overrides.yaml",
        r"\(treatment-faq\.what-are-leg-cramps\) duplicates",
    )
    assert (
        problem.line == line
        and "night-cramps-qa.what-are-leg-cramps (sources/000_39e5453c19adca82.txt:" in problem.message
        and "same_question" in problem.message
    )


def test_same_question_with_a_reason_silences_the_pair(knowledge_copy: Path) -> None:
    without_same_question(knowledge_copy)
    path = knowledge_copy / "overrides.yaml"
    reason = "both articles define them"
    write(path, path.read_text(encoding="utf-8") + f"same_question:\n  night-cramps-qa.what-are-leg-cramps: {reason}\n")
    assert not [p for p in check_knowledge(knowledge_copy) if "what-are-leg-cramps) duplicates" in p.message]


def test_same_question_needs_a_known_id_and_a_reason(knowledge_copy: Path) -> None:
    path = knowledge_copy / "overrides.yaml"
    write(path, path.read_text(encoding="utf-8") + "  night-cramps-qa.no-such-passage: why\n")
    only(check_knowledge(knowledge_copy), "error", "overrides.yaml", "same_question: no passage has the id")
    write(path, path.read_text(encoding="utf-8") + "  night-cramps-qa.who-gets-leg-cramps: ''\n")
    only(check_knowledge(knowledge_copy), "error", "overrides.yaml", "needs the reason as text")


def test_a_clean_checkout_checks_without_warnings(knowledge_dir: Path) -> None:
    assert [p.format(knowledge_dir) for p in run_check(knowledge_dir).warnings] == []


def test_when_the_knowledge_cannot_load_the_summary_says_so_rather_than_zero_passages(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(knowledge_copy / "synonyms.yaml", "synonyms: [unclosed\n")
    assert main(["check", "--knowledge", str(knowledge_copy)]) == 1
    summary = capsys.readouterr().out.splitlines()[-1]
    assert "could not be loaded" in summary and "0 passages" not in summary


@pytest.mark.parametrize("name", ["overrides.yaml", "alternates.yaml"])
def test_an_overrides_file_that_is_not_yaml_loads_nothing_and_warns_of_nothing_it_would_mend(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    append(knowledge_copy / name, "  bad: [unclosed\n")
    assert main(["check", "--knowledge", str(knowledge_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [p for p in out if ": warning: " in p] == []
    [problem] = [p for p in out if ": error: " in p]
    assert problem.startswith(f"{knowledge_copy / name}:") and "not valid YAML" in problem
    assert out[-1].startswith("1 error, 0 warnings (the knowledge could not be loaded")


# --- ids that do not exist ---------------------------------------------------------------------


def test_override_naming_an_unknown_passage_is_an_error_with_a_suggestion(knowledge_copy: Path) -> None:
    path = knowledge_copy / "overrides.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "retitle:\n", "retitle:\n  night-cramps-qa.who-get-leg-cramps: Who?\n", 1
    )
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  night-cramps-qa.who-get-leg-cramps: Who?") + 1
    problem = only(
        check_knowledge(knowledge_copy), "error", "overrides.yaml", "no passage has the id 'night-cramps-qa.who-get"
    )
    assert problem.line == line and "did you mean 'night-cramps-qa.who-gets-leg-cramps'" in problem.message


def test_curated_entry_naming_an_unknown_passage_as_its_source_is_an_error(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "socks.md",
        "---\nquestion: Do compression socks help?\nsources:\n"
        "  - https://www.example.org/socks\n  - night-cramps-qa.who-get-leg-cramps\n---\n" + ANSWER,
    )
    assert (
        only(
            check_knowledge(knowledge_copy),
            "error",
            "faq/socks.md",
            "'night-cramps-qa.who-get-leg-cramps' is not a passage id",
        ).line
        == 5
    )


EVAL = """in_scope:
  - q: What are leg cramps?
    ids: [night-cramps-qa.what-are-leg-cramps]
  - q: Who gets them?
    ids:
      - night-cramps-qa.who-gets-leg-cramps
      - night-cramps-qa.no-such-passage
  - q: What is leg cramps?
    ids: [treatment-faq.what-is-leg-cramps]
"""


def test_evaluation_questions_naming_unknown_or_excluded_passages_are_errors(knowledge_copy: Path) -> None:
    write(knowledge_copy / "eval" / "questions.yaml", EVAL)
    problems = check_knowledge(knowledge_copy)
    assert (
        only(problems, "error", "eval/questions.yaml", "no passage has the id 'night-cramps-qa.no-such-passage'").line
        == 7
    )
    assert only(problems, "error", "eval/questions.yaml", "is excluded in overrides.yaml").line == 9


def test_other_evaluation_files_only_have_to_parse(knowledge_copy: Path) -> None:
    write(knowledge_copy / "eval" / "red_flags.yaml", "- text: I have chest pain\n  level: emergency\n")
    write(knowledge_copy / "eval" / "safe_messages.yaml", "- text: [unclosed\n")
    problems = check_knowledge(knowledge_copy)
    assert [p.file for p in problems if p.is_error] == ["eval/safe_messages.yaml"]


# --- red-flag lexicon ---------------------------------------------------------------------------


def add_flag(knowledge: Path, phrase: str) -> int:
    """Add a doctor-level flag with one phrase; returns the phrase's line."""
    path = knowledge / "red_flags.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, t in enumerate(lines) if t.strip() == "- name: severe pain")
    lines[at:at] = [
        "      - name: test flag",
        "        reason: a deliberate mistake",
        "        phrases:",
        f"          - {phrase}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 4


@pytest.mark.parametrize("phrase", ["cramp", "stretch", "calf"])
def test_lexicon_phrase_that_fires_on_ordinary_questions_is_an_error(knowledge_copy: Path, phrase: str) -> None:
    line = add_flag(knowledge_copy, phrase)
    problems = [p for p in check_knowledge(knowledge_copy) if p.file == "red_flags.yaml" and p.is_error]
    assert problems, f"a red flag on {phrase!r} should be reported"
    assert all(p.line == line for p in problems)
    assert "ordinary phrase" in problems[0].message and "test flag" in problems[0].message


def test_a_suppressed_section_on_an_emergency_flag_is_an_error_naming_its_line(knowledge_copy: Path) -> None:
    path = knowledge_copy / "red_flags.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("          - heart+attack") + 1
    lines[at:at] = ["        suppressed:", "          when: [for+a+minute]", "          unless: [still]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = only(check_knowledge(knowledge_copy), "error", "red_flags.yaml", "an emergency flag is never suppressed")
    assert problem.line == at + 1


def test_a_suppressed_section_without_unless_phrases_is_an_error(knowledge_copy: Path) -> None:
    path = knowledge_copy / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("          unless:   #")
    end = text.index("      - name: cramp that will not go away")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    only(check_knowledge(knowledge_copy), "error", "red_flags.yaml", "needs a non-empty 'unless' list")


def test_a_lexicon_naming_a_missing_common_words_file_is_an_error(knowledge_copy: Path) -> None:
    (knowledge_copy / "common_words.txt").unlink()
    line = (
        (knowledge_copy / "red_flags.yaml")
        .read_text(encoding="utf-8")
        .splitlines()
        .index("common_words: common_words.txt")
    )
    problem = only(check_knowledge(knowledge_copy), "error", "red_flags.yaml", "cannot read the common_words file")
    assert problem.line == line + 1


def test_bundled_lexicon_has_no_problems(knowledge_dir: Path) -> None:
    assert [p for p in check_knowledge(knowledge_dir) if p.file == "red_flags.yaml"] == []


# --- synonyms -----------------------------------------------------------------------------------


def test_synonyms_that_loop_are_an_error(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "synonyms.yaml", "  leg ache: sore leg\n  sore leg: leg ache\n")
    problem = only(
        check_knowledge(knowledge_copy), "error", "synonyms.yaml", "synonyms loop: leg ache -> sore leg -> leg ache"
    )
    assert problem.line == line


def test_synonym_chained_onto_another_lay_phrase_is_a_warning(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "synonyms.yaml", "  capsules: pills\n")
    assert (
        only(
            check_knowledge(knowledge_copy), "warning", "synonyms.yaml", "'capsules' maps onto 'pills'.*'medications'"
        ).line
        == line
    )


def test_synonym_onto_a_word_no_passage_uses_is_a_warning(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "synonyms.yaml", "  zzz: [frobnicating]\n")
    assert (
        only(
            check_knowledge(knowledge_copy),
            "warning",
            "synonyms.yaml",
            "'zzz' maps to 'frobnicating', which no passage uses",
        ).line
        == line
    )


# --- the article manifest -----------------------------------------------------------------------


def test_manifest_entry_whose_file_is_missing_is_an_error(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "sources.yaml", "  - file: 005_missing.txt\n    key: missing\n    title: Missing\n")
    assert (
        only(check_knowledge(knowledge_copy), "error", "sources.yaml", "sources/005_missing.txt does not exist").line
        == line
    )


def test_article_without_a_manifest_line_is_a_warning(knowledge_copy: Path) -> None:
    write(knowledge_copy / "sources" / "005_new.md", "# New\n\nWhat is new?\n\nSomething.\n")
    assert only(check_knowledge(knowledge_copy), "warning", "sources/005_new.md", "not in sources.yaml")


def test_manifest_key_reused_and_quality_out_of_range_are_errors(knowledge_copy: Path) -> None:
    write(knowledge_copy / "sources" / "005_new.md", "What is new?\n\nSomething.\n")
    line = append(
        knowledge_copy / "sources.yaml",
        "  - file: 005_new.md\n    key: treatment-faq\n    title: New\n    quality: 2\n",
    )
    problems = check_knowledge(knowledge_copy)
    assert only(problems, "error", "sources.yaml", "key 'treatment-faq' is already used").line == line + 1
    assert only(problems, "error", "sources.yaml", "quality 2 must be a number").line == line + 3


def test_section_hint_that_never_applies_is_a_warning(knowledge_copy: Path) -> None:
    path = knowledge_copy / "sources.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('before: "The precise cause', 'before: "The precize cause'),
        encoding="utf-8",
    )
    assert only(check_knowledge(knowledge_copy), "warning", "sources.yaml", "never inserted")


def test_alternates_file_naming_an_unknown_passage_is_an_error(knowledge_copy: Path) -> None:
    line = append(knowledge_copy / "alternates.yaml", "  night-cramps-qa.no-such-thing:\n    - a question\n")
    problem = only(check_knowledge(knowledge_copy), "error", "alternates.yaml", "no passage has the id")
    assert problem.line == line


@pytest.mark.parametrize(
    "content", [b"phrases: {not: a list}\n", b"phrases: [a, b\n  - c: d\n", b"phrases: [caf\xe9]\n"]
)
def test_a_malformed_ordinary_phrases_list_is_an_error_filed_under_its_own_name(
    knowledge_copy: Path, content: bytes
) -> None:
    (knowledge_copy / "eval" / "ordinary_words.yaml").write_bytes(content)
    problems = [
        p for p in check_knowledge(knowledge_copy) if "ordinary phrases" in p.message or "not valid YAML" in p.message
    ]
    assert problems and all(p.is_error and p.file == "eval/ordinary_words.yaml" for p in problems)
    assert not [p for p in check_knowledge(knowledge_copy) if p.file == "red_flags.yaml"]


# --- curated answers name their subject (issue 12) ------------------------------------------------


def test_curated_answer_opening_with_a_bare_it_can_is_warned(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "ginger.md",
        ENTRY.format(q="Does stretching before bed help leg cramps?", a="It can. " + ANSWER),
    )
    problem = only(check_knowledge(knowledge_copy), "warning", "faq/ginger.md", r"first sentence 'It can\.'")
    assert "stretching" in problem.message and problem.line == 5


def test_curated_answer_that_names_its_subject_first_is_not_warned(knowledge_copy: Path) -> None:
    write(
        knowledge_copy / "faq" / "ginger.md",
        ENTRY.format(q="Does stretching before bed help leg cramps?", a="Stretching before bed can help. " + ANSWER),
    )
    assert not [p for p in check_knowledge(knowledge_copy) if p.file == "faq/ginger.md"]


def test_bundled_curated_answers_all_name_their_subject_first(knowledge_dir: Path) -> None:
    assert not [p for p in check_knowledge(knowledge_dir) if "first sentence" in p.message]


# --- answers that start or end mid-thought ------------------------------------------------------


def drop_rewrite(knowledge: Path, pid: str) -> None:
    path = knowledge / "overrides.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["rewrite"][pid]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_an_article_passage_starting_mid_thought_is_a_warning_at_its_article_line(knowledge_copy: Path) -> None:
    drop_rewrite(knowledge_copy, "treatment-faq.how-to-prevent-nocturnal-leg-cramps")
    problem = only(check_knowledge(knowledge_copy), "warning", "sources/004_a27ccbec9c02bc08.txt", "starts mid-thought")
    assert problem.line == 33  # "These factors include:"
    assert "'treatment-faq.how-to-prevent-nocturnal-leg-cramps'" in problem.message
    assert "'These'" in problem.message and "rewrite:" in problem.message and "never edit" in problem.message


def test_a_curated_answer_ending_mid_thought_is_a_warning_at_its_answer(knowledge_copy: Path) -> None:
    answer = "Stretching before bed can help prevent leg cramps. Read on for the stretches that work best."
    write(knowledge_copy / "faq" / "stretch.md", ENTRY.format(q="Does stretching before bed help?", a=answer))
    problem = only(check_knowledge(knowledge_copy), "warning", "faq/stretch.md", "ends mid-thought")
    assert problem.line == 5 and "'Read on for the stretches that work best.'" in problem.message


def test_edge_word_lists_of_the_wrong_shape_are_reported_with_their_lines(knowledge_copy: Path) -> None:
    write(knowledge_copy / "edges.yaml", "lead_ins: read on\nconnectives:\n  - also,\n  - Also,\nopenings: [this]\n")
    problems = check_knowledge(knowledge_copy)
    assert only(problems, "error", "edges.yaml", "'lead_ins' must be a list").line == 1
    assert only(problems, "warning", "edges.yaml", "'Also,' is already listed at line 3").line == 4
    assert only(problems, "warning", "edges.yaml", "unknown section 'openings'").line == 5
    with pytest.raises(KnowledgeError, match="'lead_ins' must be a list"):
        load_knowledge(knowledge_copy)


def test_bundled_knowledge_has_no_mid_thought_warnings(knowledge_dir: Path) -> None:
    assert not [p for p in check_knowledge(knowledge_dir) if "mid-thought" in p.message or p.file == "edges.yaml"]


# --- each file validated once: check lists every problem, the loader stops at the first (issue 13) --


def test_check_lists_every_problem_of_messages_and_domain_and_the_loader_stops_at_the_first(
    knowledge_copy: Path,
) -> None:
    messages = knowledge_copy / "messages.yaml"
    text = messages.read_text(encoding="utf-8")
    text = text.replace("mention {subject}, so I can't tell", "mention that, so I can't tell")
    text = text.replace("patterns: [hi,", "patterns: ['!!!', hi,")
    messages.write_text(text, encoding="utf-8")
    append(knowledge_copy / "domain.yaml", "topic_anchor:\n  - cramp\n")
    problems = check_knowledge(knowledge_copy)
    first = only(problems, "error", "messages.yaml", r"smalltalk 'greeting' has a pattern with no letters")
    second = only(problems, "error", "messages.yaml", r"needs a 'not_covered' text with a \{subject\} slot")
    assert first.line > 0 and second.line > 0
    only(problems, "warning", "domain.yaml", r"unknown section 'topic_anchor' is ignored")
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(knowledge_copy)
    assert refused.value.message in {first.message, second.message}
    assert refused.value.line in {first.line, second.line}
