"""Everything the bot knows, loaded from one knowledge folder into one immutable value.

A server worker builds a new `Knowledge` aside and swaps it in whole, so a request never sees
half of an old knowledge base and half of a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.corpus import (BUNDLED_KNOWLEDGE, CURATED_QUALITY, KnowledgeError, Passage, knowledge_version, load_passages,
                        load_sources, read_yaml)
from bot.safety import Lexicon, load_lexicon


@dataclass(frozen=True)
class SmallTalk:
    name: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Messages:
    fallback: str
    did_you_mean: str
    starter_questions: tuple[str, ...]
    smalltalk: tuple[SmallTalk, ...]


@dataclass(frozen=True)
class Knowledge:
    path: Path
    version: str
    passages: tuple[Passage, ...]
    synonyms: dict[str, list[str] | str]
    topic_anchors: tuple[str, ...]
    related_words: tuple[str, ...]
    other_topics: tuple[str, ...]
    topic_words: tuple[str, ...]
    common_words: frozenset[str]
    source_quality: dict[str, float]
    lexicon: Lexicon
    messages: Messages


def _mapping(path: Path, key: str) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = read_yaml(path) or {}
    value = data.get(key, {}) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise KnowledgeError(f"{path}: '{key}' must be a mapping")
    return value


def _words(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(w) for w in data.get(key) or ())


def load_word_list(path: Path) -> frozenset[str]:
    """One word per line, '#' comments; a missing file is an empty list."""
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.lstrip().startswith("#"))


def load_messages(path: Path) -> Messages:
    data = read_yaml(path) or {}
    if not isinstance(data, dict) or not isinstance(data.get("fallback"), str):
        raise KnowledgeError(f"{path}: needs a 'fallback' text")
    talk = tuple(
        SmallTalk(name=str(name), patterns=tuple(str(p) for p in entry.get("patterns", [])), reply=str(entry["reply"]).strip())
        for name, entry in (data.get("smalltalk") or {}).items()
    )
    return Messages(fallback=data["fallback"].strip(),
                    did_you_mean=str(data.get("did_you_mean") or data["fallback"]).strip(),
                    starter_questions=tuple(str(q) for q in data.get("starter_questions") or ()), smalltalk=talk)


def load_knowledge(path: Path | None = None, *, passages: Sequence[Passage] | None = None) -> Knowledge:
    """Load and validate a knowledge folder (the bundled one by default); raises KnowledgeError.

    `passages`, when given, are the folder's passages already loaded (overrides applied):
    `crampbot check` splits the articles once and reuses them here.
    """
    root = Path(path) if path is not None else BUNDLED_KNOWLEDGE
    if not root.is_dir():
        raise KnowledgeError(f"{root}: knowledge folder not found")
    domain = (read_yaml(root / "domain.yaml") or {}) if (root / "domain.yaml").exists() else {}
    sources = load_sources(root)
    try:
        lexicon = load_lexicon(root / "red_flags.yaml")
    except KnowledgeError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeError(f"{root / 'red_flags.yaml'}: {exc}") from exc
    loaded = tuple(passages) if passages is not None else tuple(load_passages(root, curated=True))
    return Knowledge(
        path=root,
        version=knowledge_version(root),
        passages=loaded,
        synonyms=_mapping(root / "synonyms.yaml", "synonyms"),
        topic_anchors=_words(domain, "topic_anchors"),
        related_words=_words(domain, "related_words"),
        other_topics=_words(domain, "other_topics"),
        topic_words=_words(domain, "topic_words"),
        common_words=load_word_list(root / "common_words.txt"),
        source_quality={s.file: s.quality for s in sources} | {p.source: CURATED_QUALITY for p in loaded if p.curated},
        lexicon=lexicon,
        messages=load_messages(root / "messages.yaml"),
    )
