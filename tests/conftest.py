"""Shared fixtures: the bundled knowledge, loaded and indexed once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.chat import Bot
from bot.corpus.passages import BUNDLED_KNOWLEDGE, Passage, load_passages


@pytest.fixture(scope="session")
def knowledge_dir() -> Path:
    return BUNDLED_KNOWLEDGE


@pytest.fixture(scope="session")
def bot() -> Bot:
    return Bot.from_knowledge()


@pytest.fixture(scope="session")
def passages(knowledge_dir: Path) -> list[Passage]:
    return load_passages(knowledge_dir)


@pytest.fixture(scope="session")
def passages_by_id(passages: list[Passage]) -> dict[str, Passage]:
    return {p.id: p for p in passages}


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled knowledge folder that a test may edit."""
    return Path(shutil.copytree(BUNDLED_KNOWLEDGE, tmp_path / "knowledge"))
