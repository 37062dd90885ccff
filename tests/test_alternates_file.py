"""`bot.corpus.alternates_file`: phrasings added as new lines, every other byte of the file kept."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.corpus.alternates_file import AlternatesEditError, add_alternates, add_to_file

FILE = """\
# Maintainers' notes: kept as written.
alternates:
  a.first:
    - one  # a comment after an item
    - 'two: quoted'

  # a comment between passages
  b.second:
      - three   # deeper indentation than the others
      - >-
        a folded
        phrasing
# a closing comment
"""


def removed(new: str, old: str) -> list[str]:
    """The lines of `new` that are not in `old`, when `old` is `new` with only those lines taken out."""
    new_lines, old_lines = new.splitlines(keepends=True), old.splitlines(keepends=True)
    extra, i = [], 0
    for line in new_lines:
        if i < len(old_lines) and line == old_lines[i]:
            i += 1
        else:
            extra.append(line)
    assert i == len(old_lines), "every line of the old file is still there, in order"
    return extra


def test_phrasings_go_after_the_last_one_of_their_passage_indented_like_it() -> None:
    new = add_alternates(FILE, {"a.first": ["four"], "b.second": ["five: with a colon"]})
    assert removed(new, FILE) == ["    - four\n", "      - 'five: with a colon'\n"]
    assert new.index("- four") < new.index("# a comment between passages")
    assert yaml.safe_load(new)["alternates"]["b.second"][-1] == "five: with a colon"


def test_a_passage_not_listed_yet_gets_its_key_at_the_end_of_the_mapping() -> None:
    new = add_alternates(FILE, {"c.third": ["six", "seven"]})
    assert removed(new, FILE) == ["  c.third:\n", "    - six\n", "    - seven\n"]
    assert new.endswith("# a closing comment\n")
    assert yaml.safe_load(new)["alternates"]["c.third"] == ["six", "seven"]


def test_the_rest_of_the_bundled_file_stays_byte_identical(knowledge_copy: Path) -> None:
    path = knowledge_copy / "alternates.yaml"
    before = path.read_bytes()
    add_to_file(path, {"night-cramps-qa.what-are-leg-cramps": ["whats a charley horse really"]})
    after = path.read_bytes()
    assert removed(after.decode(), before.decode()) == ["    - whats a charley horse really\n"]


def test_windows_line_ends_are_kept() -> None:
    crlf = FILE.replace("\n", "\r\n")
    new = add_alternates(crlf, {"a.first": ["four"]})
    assert "\n" not in new.replace("\r\n", "") and "    - four\r\n" in new


def test_a_file_without_a_final_line_end_gets_one_before_the_new_line() -> None:
    new = add_alternates("alternates:\n  a.first:\n    - one", {"a.first": ["two"]})
    assert new == "alternates:\n  a.first:\n    - one\n    - two\n"


@pytest.mark.parametrize("text", ["", "alternates:\n"])
def test_an_empty_file_or_section_gets_its_first_passage(text: str) -> None:
    assert yaml.safe_load(add_alternates(text, {"a.first": ["one"]})) == {"alternates": {"a.first": ["one"]}}


def test_a_flow_style_list_is_refused_rather_than_rewritten() -> None:
    with pytest.raises(AlternatesEditError, match=r"'a\.first' .* not a block list"):
        add_alternates("alternates:\n  a.first: [one, two]\n", {"a.first": ["three"]})


def test_a_file_without_the_alternates_mapping_is_refused() -> None:
    with pytest.raises(AlternatesEditError, match="no 'alternates:' mapping"):
        add_alternates("overrides:\n  x: y\n", {"a.first": ["one"]})
