"""docs/maintaining.md cannot drift from the code: its example entry passes check, its names exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import build_parser
from bot.corpus.check import run_check

DOC = Path(__file__).resolve().parent.parent / "docs" / "maintaining.md"


def test_the_example_entry_in_the_docs_is_the_bundled_one_and_checks_clean(knowledge_copy: Path) -> None:
    example = re.search(r"```markdown\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert example is not None
    assert example.group(1) == (knowledge_copy / "faq" / "walking.md").read_text(encoding="utf-8")
    report = run_check(knowledge_copy)
    assert report.errors == [] and not [p for p in report.problems if p.file == "faq/walking.md"]


def test_the_docs_name_the_check_command_its_options_and_the_reload_variables() -> None:
    text = DOC.read_text(encoding="utf-8")
    check = build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    options = {o for action in check._actions for o in action.option_strings if o.startswith("--")} - {"--help"}
    assert "crampbot check" in text and all(o in text for o in options)
    assert all(v in text for v in ("CRAMPBOT_ADMIN_TOKEN", "CRAMPBOT_RELOAD_INTERVAL", "/api/admin/reload"))
