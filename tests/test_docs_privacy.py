"""docs/privacy.md cannot drift from the code: it names every stored column and every store setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import command_names
from bot.settings import SETTINGS, Setting
from bot.store.tables import metadata

DOC = (Path(__file__).resolve().parent.parent / "docs" / "privacy.md").read_text(encoding="utf-8")
STORE_SETTINGS = ("database_url", "data_dir", "store_questions", "retention_days")


@pytest.mark.parametrize(
    "column", [f"{table.name}.{column.name}" for table in metadata.sorted_tables for column in table.columns]
)
def test_every_stored_column_is_described(column: str) -> None:
    table, name = column.split(".")
    assert f"`{table}`" in DOC and f"| `{name}` |" in DOC


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.field in STORE_SETTINGS], ids=lambda s: s.variable)
def test_every_store_setting_is_named(setting: Setting) -> None:
    assert setting.variable in DOC


def test_the_deleting_commands_exist_as_documented() -> None:
    assert {"purge", "report", "db"} <= set(command_names())
    assert "crampbot purge --before" in DOC and "crampbot db upgrade" in DOC
