"""knowledge/eval/thresholds.yaml: the floors `crampbot eval` must meet.

A gate that cannot find its floors must fail, not pass: a missing or unreadable file, a section
left out or a floor that is not a number is an error with the file's name, never an empty dict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.corpus.passages import KnowledgeError, read_yaml

THRESHOLDS_FILE = "thresholds.yaml"
REQUIRED_SECTIONS = ("retrieval", "safety")


def _floors(section: Any, where: str) -> dict[str, float]:
    if not isinstance(section, dict) or not section:
        raise KnowledgeError(f"{where} must map floor names to numbers (min_top1: 0.9)")
    floors = {}
    for name, value in section.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise KnowledgeError(f"{where}: floor {name!r} has value {value!r}; it must be a number")
        floors[str(name)] = float(value)
    return floors


def load_thresholds(path: Path, *, required: tuple[str, ...] = REQUIRED_SECTIONS) -> dict[str, Any]:
    """The sections of the thresholds file; `retrieval_by_set` maps set file names to floors."""
    if not path.is_file():
        raise KnowledgeError("file not found; `crampbot eval` needs its floors to pass or fail", path=path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError("expected sections such as 'retrieval:' and 'safety:'", path=path)
    missing = [name for name in required if name not in data]
    if missing:
        raise KnowledgeError(f"missing the section(s) {', '.join(missing)}", path=path)
    out: dict[str, Any] = {}
    for name, section in data.items():
        if name == "retrieval_by_set":
            if not isinstance(section, dict):
                raise KnowledgeError("'retrieval_by_set' must map set file names to floors", path=path)
            out[name] = {str(k): _floors(v, f"{path}: retrieval_by_set {k!r}") for k, v in section.items()}
        else:
            out[str(name)] = _floors(section, f"{path}: '{name}'")
    return out
