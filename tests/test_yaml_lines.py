"""`bot.corpus._yaml`: YAML parsed with the line of every key and value, duplicate keys refused."""

from __future__ import annotations

import pytest

from bot.corpus._yaml import Located, YamlSyntaxError, parse

SYNONYMS = """\
# lay words people type, mapped onto the articles' words
synonyms:
  charley horse: cramp
  leg ache:
    - cramp
    - muscle pain
intents:
  cause: [why, cause]
"""


@pytest.fixture(scope="module")
def doc() -> Located:
    return parse(SYNONYMS)


def syntax_error(text: str, line_offset: int = 0) -> YamlSyntaxError:
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text, line_offset)
    return caught.value


# --- values and lines ---------------------------------------------------------------------------


def test_parse_returns_the_same_data_as_safe_load(doc: Located) -> None:
    assert doc.data == {
        "synonyms": {"charley horse": "cramp", "leg ache": ["cramp", "muscle pain"]},
        "intents": {"cause": ["why", "cause"]},
    }
    assert doc.node is not None and doc.line_offset == 0


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("synonyms", "charley horse"), 3),
        (("synonyms", "leg ache"), 5),  # a block list starts on the line of its first item
        (("synonyms", "leg ache", 0), 5),
        (("synonyms", "leg ache", 1), 6),
        (("intents", "cause"), 8),
        (("intents", "cause", 1), 8),  # a flow list item shares its line
    ],
)
def test_line_of_a_value_follows_the_path_through_mappings_and_lists(
    doc: Located, path: tuple[str | int, ...], line: int
) -> None:
    assert doc.line(*path) == line


@pytest.mark.parametrize(
    ("path", "line"),
    [(("synonyms",), 2), (("synonyms", "leg ache"), 4), (("intents",), 7), (("intents", "cause"), 8)],
)
def test_line_of_a_key_is_where_the_key_is_written(doc: Located, path: tuple[str, ...], line: int) -> None:
    assert doc.line(*path, key=True) == line


def test_a_list_item_has_no_key_so_key_true_gives_the_item_line(doc: Located) -> None:
    assert doc.line("synonyms", "leg ache", 1, key=True) == doc.line("synonyms", "leg ache", 1) == 6


def test_no_path_is_the_first_line(doc: Located) -> None:
    assert doc.line() == 1


@pytest.mark.parametrize(
    ("path", "parent"),
    [
        (("synonyms", "cramp in the foot"), ("synonyms",)),  # a key that is not there
        (("synonyms", "leg ache", 2), ("synonyms", "leg ache")),  # an index past the end
        (("synonyms", "leg ache", -1), ("synonyms", "leg ache")),  # negative indexes are not looked up
        (("synonyms", "charley horse", "deeper"), ("synonyms", "charley horse")),  # below a scalar
        (("intents", 0), ("intents",)),  # an index into a mapping
        (("nowhere", "at all"), ()),
    ],
)
def test_a_missing_path_falls_back_to_the_nearest_parent_that_exists(
    doc: Located, path: tuple[str | int, ...], parent: tuple[str | int, ...]
) -> None:
    assert doc.line(*path) == doc.line(*parent)


def test_a_missing_path_with_key_true_falls_back_to_the_parent_key() -> None:
    located = parse("alternates:\n  faq.quinine:\n    - is quinine safe\n")
    assert located.line("alternates", "faq.other", key=True) == 1
    assert located.line("alternates", "faq.quinine", 3, key=True) == 2


def test_line_offset_shifts_every_line_by_the_front_matter_before_the_yaml() -> None:
    located = parse("question: Why?\nsources:\n  - a\n  - b\n", line_offset=1)
    assert located.line_offset == 1
    assert located.line() == 2
    assert located.line("question") == 2
    assert located.line("sources", key=True) == 3
    assert located.line("sources", 1) == 5
    assert located.line("title") == 2


def test_an_empty_document_has_no_data_and_every_line_is_the_first() -> None:
    for text in ("", "# only a comment\n", "\n\n"):
        located = parse(text)
        assert located.data is None and located.node is None
        assert located.line("anything", 0) == 1
    assert parse("", line_offset=4).line("anything") == 5


def test_a_scalar_document_is_its_value() -> None:
    located = parse("just text\n")
    assert located.data == "just text"
    assert located.line("key") == 1


def test_a_top_level_list_is_indexed_by_position() -> None:
    located = parse("- first\n- name: second\n  note: more\n")
    assert located.data == ["first", {"name": "second", "note": "more"}]
    assert located.line(1, "note") == 3
    assert located.line(1, "note", key=True) == 3
    assert located.line(0) == 1


def test_keys_are_matched_as_written_text() -> None:
    located = parse("a: 1\n2: two\n")
    assert located.data == {"a": 1, 2: "two"}
    assert located.line("2") == 2
    assert located.line(2) == 1  # an int walks lists only: no item here, so the first line


# --- duplicate keys -----------------------------------------------------------------------------


def test_a_duplicate_top_level_key_is_an_error_at_the_second_one() -> None:
    error = syntax_error("synonyms: {}\nintents: {}\nsynonyms: {}\n")
    assert error.line == 3
    assert error.message == "duplicate key 'synonyms' (first at line 1); YAML keeps only the last one"
    assert str(error) == error.message
    assert isinstance(error, ValueError)


def test_a_duplicate_key_nested_in_a_list_is_found() -> None:
    error = syntax_error("faq:\n  - id: a\n    question: one\n    question: two\n")
    assert error.line == 4
    assert "duplicate key 'question' (first at line 3)" in error.message


def test_the_first_duplicate_is_reported_against_the_first_occurrence() -> None:
    error = syntax_error("a: 1\nb: 2\nb: 3\nb: 4\n")
    assert error.line == 3
    assert "first at line 2" in error.message


def test_a_duplicate_key_line_counts_the_line_offset() -> None:
    error = syntax_error("question: one\nquestion: two\n", line_offset=10)
    assert error.line == 12
    assert "first at line 11" in error.message


def test_a_quoted_and_a_plain_key_of_the_same_text_are_duplicates() -> None:
    assert syntax_error("cramp: 1\n'cramp': 2\n").line == 2


def test_equal_keys_in_different_mappings_are_not_duplicates() -> None:
    located = parse("a:\n  name: x\nb:\n  name: y\n")
    assert located.data == {"a": {"name": "x"}, "b": {"name": "y"}}


# --- syntax errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("synonyms:\n  doc: [doctor\n", 3, "did not find expected ',' or ']'"),
        ("a: b: c\n", 1, "mapping values are not allowed"),
        ("ok: 1\n\tbad: 2\n", 2, "character"),  # libyaml and pure PyYAML word this one differently
        ("a: *nowhere\n", 1, "found undefined alias"),
        ("--- 1\n--- 2\n", 2, "but found another document"),
    ],
)
def test_invalid_yaml_raises_with_a_1_based_line_and_the_parser_problem(text: str, line: int, problem: str) -> None:
    error = syntax_error(text)
    assert error.line == line
    assert error.message.startswith("not valid YAML: ")
    assert problem in error.message


def test_a_syntax_error_line_counts_the_line_offset() -> None:
    assert syntax_error("a: [1\n", line_offset=10).line == 12


def test_the_yaml_error_is_kept_as_the_cause() -> None:
    error = syntax_error("a: [1\n")
    assert error.__cause__ is not None
    assert type(error.__cause__).__module__.startswith("yaml")
