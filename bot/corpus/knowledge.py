"""Everything the bot knows, loaded from one knowledge folder into one immutable value.

A server worker builds a new `Knowledge` aside and swaps it in whole, so a request never sees
half of an old knowledge base and half of a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.corpus import _yaml
from bot.corpus.passages import (
    BUNDLED_KNOWLEDGE,
    CURATED_QUALITY,
    KnowledgeError,
    Passage,
    knowledge_version,
    load_passages,
    load_sources,
    parse_located,
    raise_first_error,
)
from bot.problems import Problem, error, warning
from bot.safety.detect import Lexicon, LexiconError, LexiconIssue, load_lexicon
from bot.text.normalise import normalise


@dataclass(frozen=True)
class SmallTalk:
    name: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Messages:
    fallback: str
    did_you_mean: str
    not_covered: str  # has a {subject} slot
    partly_covered: str  # has a {subject} slot
    other_topic: str  # another kind of cramp (hands, stomach, period): what crampbot covers instead
    children: str  # a question about a child: the articles are about adults
    in_general: str  # between that and what the articles say in general
    no_more: str  # "tell me more" when every passage on the topic was shown
    starter_questions: tuple[str, ...]
    smalltalk: tuple[SmallTalk, ...]


KIND_SECTION = "kinds"  # subjects.yaml: frame words that make the words before them one name
USE_SECTION = "uses"  # subjects.yaml: frame words that name a use of the words before them
BODY_SECTION = "body"  # subjects.yaml: where in the body


@dataclass(frozen=True)
class Knowledge:
    path: Path
    version: str
    passages: tuple[Passage, ...]
    synonyms: dict[str, list[str] | str]  # other names for what the articles discuss: covered
    related_synonyms: dict[str, list[str] | str]  # things close to what they discuss: search only, not covered
    intents: dict[str, tuple[str, ...]]
    topic_anchors: tuple[str, ...]
    related_words: tuple[str, ...]
    other_topics: tuple[str, ...]
    topic_words: tuple[str, ...]
    frame_sections: dict[str, tuple[str, ...]]  # subjects.yaml: words that frame a question, by section
    child_words: tuple[str, ...]  # domain.yaml: words that show a question is about a child
    conversation: dict[str, tuple[str, ...]]  # conversation.yaml: how a follow-up is recognised
    common_words: frozenset[str]
    source_quality: dict[str, float]
    lexicon: Lexicon
    messages: Messages

    @property
    def frame_words(self) -> tuple[str, ...]:
        """Words that frame a question but never name its subject."""
        return tuple(w for words in self.frame_sections.values() for w in words)

    @property
    def kind_words(self) -> tuple[str, ...]:
        """Frame words that make the words before them one name: "knee replacement"."""
        return self.frame_sections.get(KIND_SECTION, ())

    @property
    def use_words(self) -> tuple[str, ...]:
        """Frame words that name a use of the words before them: "massage therapy"."""
        return self.frame_sections.get(USE_SECTION, ())

    @property
    def place_words(self) -> tuple[str, ...]:
        """Frame words for where in the body: they may be part of a name ("knee replacement")."""
        return self.frame_sections.get(BODY_SECTION, ())


SYNONYM_SECTIONS = ("synonyms", "related")  # other names for what the articles discuss; things close to it


def _synonyms(path: Path) -> tuple[dict[str, list[str] | str], dict[str, list[str] | str]]:
    """synonyms.yaml's two sections through `read_synonyms`; the first error stops the load."""
    doc = parse_located(path)
    (synonyms, problems), (related, related_problems) = (read_synonyms(doc, s) for s in SYNONYM_SECTIONS)
    raise_first_error(path.parent, problems + related_problems)
    return synonyms, related


def read_synonyms(
    doc: _yaml.Located | None, section: str = "synonyms"
) -> tuple[dict[str, list[str] | str], list[Problem]]:
    """One section of synonyms.yaml -> lay phrase -> the articles' word(s), and the problems of its
    shape: a phrase without letters or a value that is not words (errors), a phrase listed twice, in
    this section or (for `related`) among the synonyms (a warning). `crampbot check` adds what needs
    the passages (loops, words no passage uses)."""
    synonyms: dict[str, list[str] | str] = {}
    if doc is None or not isinstance(doc.data, dict) or doc.data.get(section) is None:
        return synonyms, []
    rel = "synonyms.yaml"
    mapping = doc.data[section]
    if not isinstance(mapping, dict):
        return synonyms, [error(rel, doc.line(section), f"'{section}' must map lay phrases to the articles' words")]
    out: list[Problem] = []
    seen: dict[str, tuple[int, str]] = {}
    if section != "synonyms" and isinstance(doc.data.get("synonyms"), dict):
        seen = {normalise(str(k)): (doc.line("synonyms", str(k), key=True), str(k)) for k in doc.data["synonyms"]}
    for key, value in mapping.items():
        line = doc.line(section, str(key), key=True)
        phrase = normalise(str(key))
        values = [value] if isinstance(value, str) else value
        if not isinstance(key, str):
            out.append(
                error(rel, line, f"lay phrase {key!r} is not text; quote it (YAML reads it as {type(key).__name__})")
            )
            continue
        if not phrase:
            out.append(error(rel, line, f"lay phrase {key!r} has no letters or digits"))
            continue
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and normalise(v) for v in values):
            out.append(error(rel, line, f"{key!r} must map to a word, a phrase or a list of them"))
            continue
        if phrase in seen:
            out.append(
                warning(rel, line, f"{key!r} is the same phrase as {seen[phrase][1]!r} at line {seen[phrase][0]}")
            )
        seen[phrase] = (line, key)
        synonyms[key] = value
    return synonyms, out


def _intents(path: Path) -> dict[str, tuple[str, ...]]:
    """intents.yaml through `read_intents`; its first error stops the load (check lists them all)."""
    intents, problems = read_intents(parse_located(path))
    raise_first_error(path.parent, problems)
    return intents


def read_intents(doc: _yaml.Located | None) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """intents.yaml -> intent name -> its cues, and every problem: cues of the wrong shape or without
    letters (errors), or listed twice (a warning: only the first listing counts). The loader and
    `crampbot check` both use this, so they accept exactly the same files."""
    intents: dict[str, tuple[str, ...]] = {}
    if doc is None or not isinstance(doc.data, dict) or doc.data.get("intents") is None:
        return intents, []
    rel = "intents.yaml"
    mapping = doc.data["intents"]
    if not isinstance(mapping, dict):
        return intents, [
            error(rel, doc.line("intents"), "'intents' must map each intent's name to a list of cue words")
        ]
    out: list[Problem] = []
    first: dict[str, tuple[str, int]] = {}
    for name, cues in mapping.items():
        line = doc.line("intents", name, key=True)
        if not isinstance(name, str) or not name.strip():
            out.append(error(rel, line, f"intent name {name!r} must be a word"))
            continue
        if cues is not None and not isinstance(cues, list):
            out.append(error(rel, line, f"intent '{name}' must be a list of cue words or phrases, not one text"))
            continue
        intents[name] = tuple(c for c in cues or [] if isinstance(c, str))
        for i, cue in enumerate(cues or []):
            at = doc.line("intents", name, i)
            if not isinstance(cue, str):
                out.append(
                    error(
                        rel,
                        at,
                        f"cue {cue!r} under '{name}' is not text; quote it (YAML reads yes, no, "
                        "on and off as true or false)",
                    )
                )
                continue
            key = normalise(cue)
            if not key:
                out.append(error(rel, at, f"cue {cue!r} under '{name}' has no letters or digits, so it never matches"))
            elif key in first:
                where, at_first = first[key]
                listed = "listed twice" if where == name else f"already listed under '{where}'"
                out.append(
                    warning(
                        rel,
                        at,
                        f"cue {cue!r} is {listed} (line {at_first}); only the first listing counts, so remove this one",
                    )
                )
            else:
                first[key] = (name, at)
    return intents, out


def _frame_words(path: Path) -> dict[str, tuple[str, ...]]:
    """subjects.yaml through `read_frame_words`; its first error stops the load."""
    sections, problems = read_frame_words(parse_located(path))
    raise_first_error(path.parent, problems)
    return sections


def read_frame_words(doc: _yaml.Located | None) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """subjects.yaml: section name -> words that frame a question. The sections group them, and
    one has a meaning of its own: `kinds` ("therapy", "replacement")."""
    if doc is None or not isinstance(doc.data, dict) or doc.data.get("frame_words") is None:
        return {}, []
    sections = doc.data["frame_words"]
    if not isinstance(sections, dict):
        return {}, [error("subjects.yaml", doc.line("frame_words"), "'frame_words' must map section names to lists")]
    words: dict[str, tuple[str, ...]] = {}
    out: list[Problem] = []
    for section, values in sections.items():
        where = ("subjects.yaml", doc.line("frame_words", str(section), key=True))
        words[str(section)] = _text_list(values, where, f"frame_words '{section}'", out)
    return words, out


CONVERSATION_SECTIONS = ("more", "continues", "pointing", "fillers", "after_red_flag", "topic_intents")


def _conversation(path: Path) -> dict[str, tuple[str, ...]]:
    """conversation.yaml through `read_conversation`; its first error stops the load."""
    sections, problems = read_conversation(parse_located(path))
    raise_first_error(path.parent, problems)
    return sections


def read_conversation(doc: _yaml.Located | None) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """conversation.yaml -> its phrase lists by section, and every problem: a section that is not a
    list of phrases (error), an unknown section (warning). A missing file: no follow-ups read."""
    rel = "conversation.yaml"
    lists: dict[str, tuple[str, ...]] = dict.fromkeys(CONVERSATION_SECTIONS, ())
    if doc is None:
        return lists, []
    if not isinstance(doc.data, dict):
        return lists, [error(rel, 1, f"expected the sections {', '.join(CONVERSATION_SECTIONS)}")]
    out: list[Problem] = []
    for name in doc.data:
        if name not in CONVERSATION_SECTIONS:
            known = ", ".join(CONVERSATION_SECTIONS)
            out.append(
                warning(rel, doc.line(str(name), key=True), f"unknown section {name!r} is ignored; known: {known}")
            )
    for name in CONVERSATION_SECTIONS:
        lists[name] = _text_list(doc.data.get(name), (rel, doc.line(name)), f"'{name}'", out)
    return lists, out


def _text_list(value: Any, where: tuple[str, int], what: str, out: list[Problem]) -> tuple[str, ...]:
    """A YAML list of texts (a bare string would otherwise be split into its letters); a problem
    in `out` and nothing when it is something else."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and str(v).strip() for v in value):
        out.append(error(*where, f"{what} must be a list of words or phrases"))
        return ()
    return tuple(str(v) for v in value)


DOMAIN_SECTIONS = ("topic_anchors", "related_words", "other_topics", "topic_words", "children")


def read_domain(doc: _yaml.Located | None) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """domain.yaml -> its word lists by section name, and every problem with them."""
    lists: dict[str, tuple[str, ...]] = dict.fromkeys(DOMAIN_SECTIONS, ())
    if doc is None:
        return lists, []
    if not isinstance(doc.data, dict):
        return lists, [error("domain.yaml", 1, "expected sections such as 'topic_anchors:'")]
    out: list[Problem] = []
    for name in doc.data:
        if name not in DOMAIN_SECTIONS:
            line = doc.line(str(name), key=True)
            out.append(
                warning(
                    "domain.yaml", line, f"unknown section {name!r} is ignored; known: {', '.join(DOMAIN_SECTIONS)}"
                )
            )
    for name in DOMAIN_SECTIONS:
        lists[name] = _text_list(doc.data.get(name), ("domain.yaml", doc.line(name)), f"'{name}'", out)
    return lists, out


def load_word_list(path: Path) -> frozenset[str]:
    """One word per line, '#' comments; a missing file is an empty list."""
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.lstrip().startswith("#"))


def load_messages(path: Path) -> Messages:
    """messages.yaml through `read_messages`; its first error stops the load."""
    messages, problems = read_messages(parse_located(path))
    raise_first_error(path.parent, problems)
    if messages is None:
        raise KnowledgeError("file not found", path=path)
    return messages


def read_messages(doc: _yaml.Located | None) -> tuple[Messages | None, list[Problem]]:
    """messages.yaml -> what the bot says when it is not quoting a passage, and every problem."""
    rel = "messages.yaml"
    if doc is None:
        return None, []
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("fallback"), str):
        return None, [error(rel, doc.line("fallback") if isinstance(data, dict) else 1, "needs a 'fallback' text")]
    out: list[Problem] = []
    talk = []
    smalltalk = data.get("smalltalk") or {}
    for name, entry in smalltalk.items() if isinstance(smalltalk, dict) else ():
        line = doc.line("smalltalk", str(name), key=True)
        if not isinstance(entry, dict) or not isinstance(entry.get("reply"), str):
            out.append(error(rel, line, f"smalltalk '{name}' needs 'patterns' and a 'reply' text"))
            continue
        patterns = _text_list(entry.get("patterns"), (rel, line), f"smalltalk '{name}' patterns", out)
        if any(not normalise(p) for p in patterns):  # an empty pattern would match every message
            out.append(error(rel, line, f"smalltalk '{name}' has a pattern with no letters or digits"))
            continue
        talk.append(SmallTalk(name=str(name), patterns=patterns, reply=entry["reply"].strip()))
    messages = Messages(
        fallback=data["fallback"].strip(),
        did_you_mean=str(data.get("did_you_mean") or data["fallback"]).strip(),
        not_covered=_subject_message(doc, "not_covered", out),
        partly_covered=_subject_message(doc, "partly_covered", out),
        other_topic=_plain_message(doc, "other_topic", out),
        children=_plain_message(doc, "children", out),
        in_general=_plain_message(doc, "in_general", out),
        no_more=_plain_message(doc, "no_more", out),
        starter_questions=_text_list(
            data.get("starter_questions"), (rel, doc.line("starter_questions")), "'starter_questions'", out
        ),
        smalltalk=tuple(talk),
    )
    return messages, out


def _plain_message(doc: _yaml.Located, key: str, out: list[Problem]) -> str:
    """A message the bot says as it is: it must be there and be text."""
    text = doc.data.get(key)
    if not isinstance(text, str) or not text.strip():
        out.append(error("messages.yaml", doc.line(key), f"needs a '{key}' text"))
        return ""
    return text.strip()


def _subject_message(doc: _yaml.Located, key: str, out: list[Problem]) -> str:
    """A message that names what the articles do not cover: it needs its {subject} slot."""
    text = doc.data.get(key)
    if not isinstance(text, str) or "{subject}" not in text:
        out.append(
            error(
                "messages.yaml", doc.line(key), f"needs a '{key}' text with a {{subject}} slot for what is not covered"
            )
        )
        return ""
    try:
        text.format(subject="x")
    except (IndexError, KeyError, ValueError) as exc:
        out.append(error("messages.yaml", doc.line(key), f"'{key}' may use only the {{subject}} slot ({exc})"))
        return ""
    return text.strip()


def load_knowledge(path: Path | None = None, *, passages: Sequence[Passage] | None = None) -> Knowledge:
    """Load and validate a knowledge folder (the bundled one by default); raises KnowledgeError.

    `passages`, when given, are the folder's passages already loaded (overrides applied):
    `crampbot check` splits the articles once and reuses them here.
    """
    root = Path(path) if path is not None else BUNDLED_KNOWLEDGE
    if not root.is_dir():
        raise KnowledgeError("knowledge folder not found", path=root)
    # Hash first: an edit saved while we read then changes the version again, so a watcher
    # reloads once more instead of believing it already serves the newest files.
    version = knowledge_version(root)
    domain, domain_problems = read_domain(parse_located(root / "domain.yaml"))
    raise_first_error(root, domain_problems)
    sources = load_sources(root)
    try:
        lexicon = load_lexicon(root / "red_flags.yaml")
    except KnowledgeError:
        raise
    except LexiconError as exc:  # the first issue; `crampbot check` lists them all
        first = exc.issues[0] if exc.issues else LexiconIssue(0, str(exc))
        raise KnowledgeError(first.message, path=root / "red_flags.yaml", line=first.line) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeError(str(exc), path=root / "red_flags.yaml") from exc
    loaded = tuple(passages) if passages is not None else tuple(load_passages(root, curated=True))
    synonyms, related = _synonyms(root / "synonyms.yaml")
    frame_sections = _frame_words(root / "subjects.yaml")
    if not loaded:
        raise KnowledgeError("no passages to answer with (no articles in sources.yaml and no faq/ entries)", path=root)
    intents = _intents(root / "intents.yaml")
    conversation = _conversation(root / "conversation.yaml")
    unknown = [name for name in conversation["topic_intents"] if name not in intents]
    if unknown and intents:  # without intents.yaml there is nothing to carry over, and nothing wrong
        raise KnowledgeError(
            f"topic_intents names {', '.join(map(repr, unknown))}, not an intent of intents.yaml "
            f"({', '.join(intents)})",
            path=root / "conversation.yaml",
        )
    return Knowledge(
        path=root,
        version=version,
        passages=loaded,
        synonyms=synonyms,
        related_synonyms=related,
        intents=intents,
        topic_anchors=domain["topic_anchors"],
        related_words=domain["related_words"],
        other_topics=domain["other_topics"],
        topic_words=domain["topic_words"],
        child_words=domain["children"],
        frame_sections=frame_sections,
        conversation=conversation,
        common_words=load_word_list(root / "common_words.txt"),
        source_quality={s.file: s.quality for s in sources} | {p.source: CURATED_QUALITY for p in loaded if p.curated},
        lexicon=lexicon,
        messages=load_messages(root / "messages.yaml"),
    )
