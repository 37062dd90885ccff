"""Add phrasings to `knowledge/alternates.yaml` by inserting lines, never by rewriting the file.

Maintainers comment and order this file by hand; loading and dumping it with a YAML library would
lose the comments and reflow the lines. So the parsed node tree (`_yaml.parse`, which keeps
positions) only says *where*: a new phrasing goes on its own line after the last one of its
passage, indented like it; a passage not listed yet gets its key and list at the end of the
`alternates:` mapping. Every other byte stays where it was, and the result is parsed again to
prove it holds exactly what was added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.corpus import _yaml

FILE = "alternates.yaml"
SECTION = "alternates"
HEADER = "# Other ways people ask for a passage, by passage id (see `crampbot passages`).\nalternates:\n"


class AlternatesEditError(ValueError):
    """The file has a shape lines cannot be added to safely (a flow-style list, no `alternates:` mapping)."""


def add_alternates(text: str, additions: Mapping[str, Sequence[str]]) -> str:
    """`text` (the file's content, "" for a new file) with each passage id's phrasings added."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if not text.strip():
        text = HEADER.replace("\n", newline)
    for passage_id, items in additions.items():
        if items:
            text = _add_one(text, passage_id, list(items), newline)
    _verify(text, additions)
    return text


def add_to_file(path: Path, additions: Mapping[str, Sequence[str]]) -> None:
    """Add the phrasings to the file at `path` (created when missing), keeping its bytes otherwise."""
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = add_alternates(original, additions)
    with path.open("w", encoding="utf-8", newline="") as handle:  # newline="": write the file's own line ends
        handle.write(updated)


def _add_one(text: str, passage_id: str, items: list[str], newline: str) -> str:
    lines = text.splitlines(keepends=True)
    section, key_line = _section(_yaml.parse(text).node)
    entries = section.value if section is not None else []
    for key_node, value_node in entries:
        if isinstance(key_node, ScalarNode) and key_node.value == passage_id:
            return _append_items(lines, value_node, passage_id, items, newline)
    if entries:
        key_column = entries[0][0].start_mark.column
        after = _end_line(entries[-1][1], lines)
    else:  # `alternates:` with nothing under it yet
        key_column, after = 2, key_line
    indent = " " * key_column
    block = [f"{indent}{_scalar(passage_id)}:{newline}", *_item_lines(items, indent + "  ", newline)]
    return _insert(lines, after, block, newline)


def _append_items(lines: list[str], value: Node, passage_id: str, items: list[str], newline: str) -> str:
    if not isinstance(value, SequenceNode) or value.flow_style or not value.value:
        raise AlternatesEditError(
            f"{FILE}: the phrasings of {passage_id!r} (line {value.start_mark.line + 1}) are not a block list "
            "('- ...' lines); make them one, then try again"
        )
    first_line = lines[value.value[0].start_mark.line]
    dash = first_line[: len(first_line) - len(first_line.lstrip())]  # the items' own indentation
    return _insert(lines, _end_line(value, lines), _item_lines(items, dash, newline), newline)


def _section(node: Node | None) -> tuple[MappingNode | None, int]:
    """The `alternates:` mapping (None while it is empty) and the 0-based line of its key."""
    if not isinstance(node, MappingNode):
        raise AlternatesEditError(f"{FILE}: expected a top-level 'alternates:' mapping")
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == SECTION:
            if isinstance(value_node, MappingNode) and not value_node.flow_style:
                return value_node, key_node.start_mark.line
            if isinstance(value_node, ScalarNode) and value_node.value in ("", "~", "null"):
                return None, key_node.start_mark.line
            raise AlternatesEditError(f"{FILE}: 'alternates:' must be a block mapping (passage id: list of phrasings)")
    raise AlternatesEditError(f"{FILE}: no 'alternates:' mapping")


def _end_line(node: Node, lines: list[str]) -> int:
    """The 0-based index of the last line holding `node` (its end mark sits at the start of the
    next line when the node ends with a line break)."""
    while isinstance(node, (SequenceNode, MappingNode)) and node.value:  # a block collection ends where its
        last = node.value[-1]  # next token starts, after any comment lines: its last scalar ends earlier
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark
    line = end.line - 1 if end.column == 0 else end.line
    return min(max(line, node.start_mark.line), len(lines) - 1)


def _item_lines(items: list[str], indent: str, newline: str) -> list[str]:
    return [f"{indent}- {_scalar(item)}{newline}" for item in items]


def _scalar(value: str) -> str:
    """One YAML scalar on one line, quoted only when it must be (PyYAML decides)."""
    dumped: str = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_style=None)
    return dumped.removesuffix("\n").removesuffix("\n...").removesuffix("...").rstrip("\n")


def _insert(lines: list[str], after: int, block: list[str], newline: str) -> str:
    head = lines[: after + 1]
    if head and not head[-1].endswith(("\n", "\r")):
        head[-1] += newline  # the last line had no line end: it gets one, so the new lines start their own
    return "".join([*head, *block, *lines[after + 1 :]])


def _verify(text: str, additions: Mapping[str, Sequence[str]]) -> None:
    data = _yaml.parse(text).data
    section = data.get(SECTION) if isinstance(data, dict) else None
    for passage_id, items in additions.items():
        listed = section.get(passage_id) if isinstance(section, dict) else None
        if not isinstance(listed, list) or [str(x) for x in listed[len(listed) - len(items) :]] != list(items):
            raise AlternatesEditError(f"{FILE}: adding phrasings to {passage_id!r} did not give the expected list")
