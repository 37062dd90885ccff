"""The README cannot drift from the code: its reply example, commands and variables are real."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.cli import build_parser, command_names
from bot.settings import SETTINGS, settings_table
from bot.web.schemas import AskResponse

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_curl_reply_example_has_exactly_the_api_fields() -> None:
    example = re.search(r"```json\n(.*?)```", README, re.DOTALL)
    assert example is not None
    reply = json.loads(example.group(1))
    assert set(reply) == set(AskResponse.model_fields)
    assert set(reply["passage"]) == {"id", "question", "source", "title"}


def test_every_cli_command_is_in_the_readme() -> None:
    commands = command_names()
    assert all(f"crampbot {name}" in README for name in commands)


def test_the_readme_settings_table_is_the_one_the_code_makes() -> None:
    assert settings_table() in README


def test_every_setting_is_in_the_cli_help() -> None:
    help_text = build_parser().format_help()
    assert all(setting.variable in help_text for setting in SETTINGS)


def test_every_image_the_docs_show_exists() -> None:
    for page in (ROOT / "README.md", ROOT / "docs" / "widget.md"):
        images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))
        assert images, page
        for image in images:
            assert (page.parent / image).is_file(), f"{page.name} shows {image}, which does not exist"
