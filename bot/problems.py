"""A problem found in the knowledge folder: level, file, line and a message a maintainer can act on.

Shared by the curated-entry parser, `crampbot check` and live reload, so all three report the
same `file:line: level: message` lines and the same JSON.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding. `file` is relative to the knowledge folder ("faq/quinine.md"); `line` is 1-based, 0 if unknown."""

    file: str
    line: int
    level: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def format(self, root: Path | None = None) -> str:
        """`path:line: level: message`, the shape editors and CI logs turn into links."""
        path = display_path(root / self.file) if root is not None else self.file
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.level}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "file": self.file, "line": self.line, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        level: Severity = "error" if data["level"] == "error" else "warning"
        return cls(file=str(data["file"]), line=int(data["line"]), level=level, message=str(data["message"]))


def error(file: str, line: int, message: str) -> Problem:
    return Problem(file=file, line=line, level="error", message=message)


def warning(file: str, line: int, message: str) -> Problem:
    return Problem(file=file, line=line, level="warning", message=message)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it (shorter, clickable), else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
