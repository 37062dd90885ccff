"""YAML with positions: the parsed value plus the node tree, so checks can name `file:line`.

PyYAML's `safe_load` forgets where things were and silently keeps the last of two equal keys;
`compose` keeps both the marks and the duplicates, so we read through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PathItem = str | int
# libyaml's parser when PyYAML was built with it (same nodes and marks, several times faster).
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Located:
    """A parsed YAML document and its node tree (None for an empty document)."""

    data: Any
    node: Node | None
    line_offset: int = 0  # lines before the YAML starts in its file (front matter after "---")

    def line(self, *path: PathItem, key: bool = False) -> int:
        """1-based line of the value at `path` (or of its key when `key`), falling back to the nearest parent."""
        node, key_node = self.node, None
        line = 1 + self.line_offset
        for item in path:
            found = _child(node, item)
            if found is None:
                break
            key_node, node = found
            line = _line(key_node if key and key_node is not None else node) + self.line_offset
        return line


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(text: str, line_offset: int = 0) -> Located:
    """Parse one YAML document; raises YamlSyntaxError with a 1-based line (duplicate keys included)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1 if mark is not None else 1) + line_offset
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(line, f"not valid YAML: {problem}") from exc
    finally:
        loader.dispose()
    duplicate = next(_duplicate_keys(node), None)
    if duplicate is not None:
        key_node, first_line = duplicate
        raise YamlSyntaxError(
            _line(key_node) + line_offset,
            f"duplicate key {key_node.value!r} (first at line {first_line + line_offset}); "
            "YAML keeps only the last one",
        )
    return Located(data=data, node=node, line_offset=line_offset)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _child(node: Node | None, item: PathItem) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(item, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == item:
                return key_node, value_node
    if isinstance(node, SequenceNode) and isinstance(item, int) and 0 <= item < len(node.value):
        return None, node.value[item]
    return None


def _duplicate_keys(node: Node | None) -> Iterator[tuple[ScalarNode, int]]:
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    yield key_node, seen[key_node.value]
                seen.setdefault(key_node.value, _line(key_node))
            yield from _duplicate_keys(value_node)
    elif isinstance(node, SequenceNode):
        for child in node.value:
            yield from _duplicate_keys(child)
