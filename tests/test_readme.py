"""The README cannot drift from the code: its reply example, commands and variables are real."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_curl_reply_example_has_exactly_the_api_fields() -> None:
    example = re.search(r"```json\n(.*?)```", README, re.DOTALL)
    assert example is not None
    reply = json.loads(example.group(1))
    assert set(reply) == {"answer", "matched", "confidence", "passage", "escalation", "suggestions", "not_covered"}
    assert set(reply["passage"]) == {"id", "question", "source", "title"}


def test_every_cli_command_is_in_the_readme() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert all(f"crampbot {name}" in README for name in commands)


def test_every_setting_variable_is_documented() -> None:
    settings = (Path(__file__).resolve().parent.parent / "bot" / "settings.py").read_text(encoding="utf-8")
    # every variable settings.py reads: PREFIX + "NAME" or a helper called with (env, "NAME", ...)
    variables = {f"CRAMPBOT_{n}" for n in re.findall(r'(?:PREFIX \+ |env, )"([A-Z_]+)"', settings)}
    assert variables and all(v in README for v in variables), sorted(v for v in variables if v not in README)
