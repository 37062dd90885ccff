"""The red-flag lexicon: knowledge/red_flags.yaml -> validated, compiled matching tables.

Kept apart from the matcher (bot/safety.py) so that the file format, its validation and its
error messages live in one place. Everything expensive (word forms, groups, typo targets, the
phrase index) is computed here once, at load time, so `detect()` only does lookups.
Errors name the file and line, because the people who edit this file are maintainers, not
programmers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from bot.text.normalise import NOT_CONTRACTIONS, normalise
from bot.text.stems import stem
from bot.text.words import PHRASE_STOP_WORDS

Level = Literal["emergency", "doctor"]
LEVELS: tuple[Level, ...] = ("emergency", "doctor")  # most urgent first

Atom = frozenset[str]  # canonical word forms, any of which fills one word position
Chunk = tuple[Atom, ...]  # words in this order (a+b+c)
Slot = tuple[Chunk, ...]  # alternatives (a|b|c)

_EMERGENCY_NUMBER_RE = re.compile(r"\b(911|112|999|000)\b")
_TOP_KEYS = {"matching", "groups", "word_forms", "levels", "ordinary_phrases", "guard_words", "common_words"}
_FLAG_KEYS = {"name", "reason", "phrases", "suppressed"}
_SUPPRESSED_KEYS = ("when", "unless")
_MATCHING_DEFAULTS = {"window": 3, "chunk_gap": 1, "fuzzy_min_length": 4, "fuzzy_long_word": 9}


@dataclass(frozen=True)
class LexiconIssue:
    """One problem in a lexicon file: its line (0 when unknown) and what is wrong."""

    line: int
    message: str

    def format(self, path: str | Path) -> str:
        return f"{path}:{self.line}: {self.message}" if self.line else f"{path}: {self.message}"


class LexiconError(ValueError):
    """The lexicon file does not load: its issues as values (`path`, `issues`), and as
    `file:line: message` lines for a terminal."""

    def __init__(self, path: str | Path, issues: Sequence[LexiconIssue]) -> None:
        self.path = str(path)
        self.issues = tuple(issues)
        super().__init__("\n".join(issue.format(path) for issue in self.issues))


class _Str(str):
    line: int


class _Map(dict[str, Any]):
    line: int


class _Seq(list[Any]):
    line: int


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose strings, mappings and lists remember their line number."""


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> _Str:
    value = _Str(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    # the keys are _Str (text that knows its line): kept as they are so errors can point at them
    value = _Map(cast("dict[str, Any]", loader.construct_mapping(node, deep=True)))
    value.line = node.start_mark.line + 1
    return value


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    value = _Seq(loader.construct_sequence(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


@dataclass(frozen=True)
class Phrase:
    """One way of saying a red flag, compiled: every slot must be filled, near each other."""

    flag: str
    level: Level
    source: str  # as written in the lexicon, for explanations
    line: int
    slots: tuple[Slot, ...]

    @property
    def chunks_by_first(self) -> tuple[dict[str, tuple[Chunk, ...]], ...]:
        """For each slot, its chunks indexed by the words that can start them (built once)."""
        cached: tuple[dict[str, tuple[Chunk, ...]], ...] | None = self.__dict__.get("_by_first")
        if cached is None:
            built = []
            for slot in self.slots:
                index: dict[str, list[Chunk]] = {}
                for chunk in slot:
                    for word in key_atom(chunk):
                        index.setdefault(word, []).append(chunk)
                built.append({w: tuple(dict.fromkeys(c)) for w, c in index.items()})
            cached = tuple(built)
            object.__setattr__(self, "_by_first", cached)
        return cached

    @property
    def needs(self) -> tuple[frozenset[str], ...]:
        """For each slot, the words one of which must be present: a cheap first test (built once)."""
        cached: tuple[frozenset[str], ...] | None = self.__dict__.get("_needs")
        if cached is None:
            cached = tuple(frozenset(w for chunk in slot for w in key_atom(chunk)) for slot in self.slots)
            object.__setattr__(self, "_needs", cached)
        return cached


@dataclass(frozen=True)
class Flag:
    """A red flag. `suppressed_when` / `suppressed_unless` (doctor level only): the flag does not
    fire when a `when` phrase is in the message and no `unless` phrase is ("agonising for a minute,
    then gone" is an ordinary cramp; "agonising for hours" is not)."""

    name: str
    level: Level
    reason: str
    line: int
    phrases: tuple[Phrase, ...]
    suppressed_when: tuple[Phrase, ...] = ()
    suppressed_unless: tuple[Phrase, ...] = ()


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Compiled lexicon. Treat as immutable; `token_cache` only memoises per-word lookups."""

    source: str
    messages: Mapping[Level, str]
    flags: tuple[Flag, ...]
    phrases: tuple[Phrase, ...]
    masks: tuple[Chunk, ...]
    guard_words: frozenset[str]
    forms: Mapping[str, str]  # irregular word -> canonical
    vocabulary: frozenset[str]  # canonical forms used by phrases
    plain_words: frozenset[str]  # words (groups) and canonical forms (ordinary phrases) never read as typos
    fuzzy_targets: Mapping[str, tuple[tuple[str, str], ...]]  # first letter -> (spelling, canonical)
    chunk_targets: Mapping[str, tuple[tuple[str, str], ...]]  # the same for words of + chunks only
    contraction_targets: Mapping[str, tuple[tuple[str, str], ...]]  # first letter -> ("cant", "can not")
    common_words: frozenset[str]  # never read as a typo of a chunk word or a contraction
    anchors: Mapping[str, tuple[int, ...]]  # canonical -> indices of phrases it can start
    mask_starts: Mapping[str, tuple[int, ...]]  # canonical -> indices of masks it can start
    window: int
    chunk_gap: int
    fuzzy_min_length: int
    fuzzy_long_word: int
    needs: tuple[tuple[frozenset[str], ...], ...] = ()  # Phrase.needs for each phrase, precomputed
    flag_order: Mapping[str, int] = field(default_factory=dict)  # flag name -> position in the file
    token_cache: dict[str, tuple[str, frozenset[str], bool]] = field(default_factory=dict, repr=False)
    contraction_cache: dict[str, str] = field(default_factory=dict, repr=False)  # typed -> "can not" or ""
    result_cache: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False)


def key_atom(chunk: Chunk) -> Atom:
    """The chunk's first word that is not a small word: it must be present for the chunk to match."""
    return next((atom for atom in chunk if not atom <= PHRASE_STOP_WORDS), chunk[0])


def canonical(word: str, forms: Mapping[str, str]) -> str:
    """The form a word is compared in: irregular forms first, then the shared light stemmer.

    A final "e" is dropped as well, because `stem` keeps it on short words (move/moved).
    """
    base = forms.get(word) or stem(word)
    return base[:-1] if len(base) > 3 and base.endswith("e") else base


class _Compiler:
    """Turns the YAML data into a Lexicon, collecting `file:line:` errors on the way."""

    def __init__(self, path: str, data: Any) -> None:
        self.path = path
        self.data = data
        self.errors: list[LexiconIssue] = []
        self.forms: dict[str, str] = {}
        self.groups: dict[str, frozenset[str]] = {}
        self.group_words: set[str] = set()
        self.spellings: dict[str, str] = {}  # spelling in a phrase -> canonical (typo targets)
        self.chunk_spellings: dict[str, str] = {}  # the same for words inside + chunks

    def error(self, where: Any, message: str) -> None:
        self.errors.append(LexiconIssue(getattr(where, "line", 1), message))

    def expect(self, value: Any, kind: type, what: str, where: Any) -> bool:
        if isinstance(value, kind) and (not isinstance(value, str) or value.strip()):
            return True
        self.error(
            value if hasattr(value, "line") else where,
            f"{what} must be a {'non-empty ' if kind is str else ''}"
            f"{ {str: 'text', list: 'list', dict: 'mapping', int: 'whole number'}[kind] }, got {value!r}",
        )
        return False

    def compile(self) -> Lexicon:
        data = self.data
        if not self.expect(data, dict, "the file", data):
            raise LexiconError(self.path, self.errors)
        for key in data:
            if key not in _TOP_KEYS:
                self.error(key, f"unknown key {key!r}; expected one of {sorted(_TOP_KEYS)}")
        matching = dict(_MATCHING_DEFAULTS)
        raw_matching = data.get("matching") or {}
        if self.expect(raw_matching, dict, "matching", data):
            for key, value in raw_matching.items():
                if key not in _MATCHING_DEFAULTS:
                    self.error(key, f"unknown matching setting {key!r}; expected one of {sorted(_MATCHING_DEFAULTS)}")
                elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 20:
                    self.error(raw_matching, f"matching setting {key!r} has value {value!r}; not a whole number 0-20")
                else:
                    matching[key] = value
        for key, variants in (data.get("word_forms") or {}).items():
            if self.expect(variants, list, f"word_forms {key!r}", key):
                for variant in variants:
                    self.forms[normalise(str(variant))] = stem(normalise(key))
        for name, members in (data.get("groups") or {}).items():
            if self.expect(members, list, f"group {name!r}", name):
                words = [normalise(str(m)) for m in members]
                self.group_words.update(words)
                self.groups[str(name)] = frozenset(canonical(w, self.forms) for w in words if w)
        masks = tuple(
            self.chunk(str(m).split(" "), m) for m in self.as_list(data.get("ordinary_phrases"), "ordinary_phrases")
        )
        guard_words = frozenset(normalise(str(w)) for w in self.as_list(data.get("guard_words"), "guard_words"))
        common_words = self.common_words(data.get("common_words"), data)
        messages, flags = self.levels(data.get("levels"), data)
        if self.errors:
            raise LexiconError(self.path, self.errors)
        return self.build(messages, flags, masks, guard_words, common_words, matching)

    def common_words(self, value: Any, where: Any) -> frozenset[str]:
        """The `common_words:` file (a path relative to the lexicon): one word a line, '#' comments."""
        if value is None or not self.expect(value, str, "common_words", where):
            return frozenset()
        path = Path(self.path).parent / value
        try:
            lines = path.read_text(encoding="utf-8").casefold().splitlines()
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8
            self.error(value, f"cannot read the common_words file {str(value)!r}: {exc}")
            return frozenset()
        words = frozenset(map(str.strip, lines))
        return frozenset(w for w in words if w and not w.startswith("#"))

    def as_list(self, value: Any, what: str) -> list[Any]:
        if value is None:
            return []
        return list(value) if self.expect(value, list, what, self.data) else []

    def levels(self, levels: Any, where: Any) -> tuple[dict[Level, str], list[Flag]]:
        messages: dict[Level, str] = {}
        flags: list[Flag] = []
        if not self.expect(levels, dict, "levels", where):
            return messages, flags
        for key in levels:
            if key not in LEVELS:
                self.error(key, f"unknown level {key!r}; the levels are {list(LEVELS)}")
        names: set[str] = set()
        for level in LEVELS:
            entry = levels.get(level)
            if not self.expect(entry, dict, f"level {level!r}", levels):
                continue
            message = entry.get("message")
            if self.expect(message, str, f"the {level} message", entry):
                messages[level] = " ".join(message.split())
                if level == "emergency" and not _EMERGENCY_NUMBER_RE.search(message):
                    self.error(
                        message, "the emergency message must name a local emergency number (such as 911, 112 or 999)"
                    )
            for flag in self.as_list(entry.get("flags"), f"{level} flags"):
                if not self.expect(flag, dict, "a flag", entry):
                    continue
                for key in flag:
                    if key not in _FLAG_KEYS:
                        self.error(key, f"unknown flag key {key!r}; expected {sorted(_FLAG_KEYS)}")
                name, reason = flag.get("name"), flag.get("reason")
                if not (
                    self.expect(name, str, "flag name", flag) and self.expect(reason, str, f"reason of {name!r}", flag)
                ):
                    continue
                if name in names:
                    self.error(name, f"flag name {name!r} is used twice")
                names.add(name)
                phrases = tuple(
                    self.phrase(p, name, level) for p in self.as_list(flag.get("phrases"), f"phrases of {name!r}")
                )
                if not phrases:
                    self.error(flag, f"flag {name!r} has no phrases")
                section = next((k for k in flag if k == "suppressed"), flag)  # its line, for errors
                when, unless = self.suppressed(flag.get("suppressed"), str(name), level, section)
                flags.append(
                    Flag(
                        str(name),
                        level,
                        " ".join(reason.split()),
                        flag.line,
                        tuple(p for p in phrases if p.slots),
                        tuple(p for p in when if p.slots),
                        tuple(p for p in unless if p.slots),
                    )
                )
        return messages, flags

    def suppressed(
        self, value: Any, name: str, level: Level, where: Any
    ) -> tuple[tuple[Phrase, ...], tuple[Phrase, ...]]:
        """A flag's `suppressed:` section -> (when phrases, unless phrases); both empty when absent.

        Only a doctor-level flag may be suppressed: nothing in a message may silence an emergency.
        """
        if value is None:
            return (), ()
        if level == "emergency":
            self.error(where, f"flag {name!r}: an emergency flag is never suppressed")
            return (), ()
        if not self.expect(value, dict, f"suppressed of {name!r}", where):
            return (), ()
        for key in value:
            if key not in _SUPPRESSED_KEYS:
                self.error(key, f"unknown key {key!r} in suppressed of {name!r}; expected {list(_SUPPRESSED_KEYS)}")
        parts: list[tuple[Phrase, ...]] = []
        for key in _SUPPRESSED_KEYS:
            phrases = tuple(
                self.phrase(p, name, level, typos=False)
                for p in self.as_list(value.get(key), f"suppressed {key} of {name!r}")
            )
            if not phrases:
                self.error(where, f"suppressed of {name!r} needs a non-empty {key!r} list of phrases")
            parts.append(phrases)
        return parts[0], parts[1]

    def phrase(self, source: Any, flag: str, level: Level, typos: bool = True) -> Phrase:
        """Compile one phrase; `typos=False` (suppression phrases) makes none of its words a typo target."""
        line = getattr(source, "line", 1)
        if not self.expect(source, str, f"a phrase of {flag!r}", source):
            return Phrase(flag, level, str(source), line, ())
        slots: list[Slot] = []
        errors_before = len(self.errors)
        for raw_slot in source.split():
            alternatives = [alt.split("+") for alt in raw_slot.split("|")]
            chunks = tuple(
                c
                for c in (
                    self.chunk(parts, source, typo_ok=typos and len(parts) == 1, chunk_typo_ok=typos and len(parts) > 1)
                    for parts in alternatives
                )
                if c
            )
            if (
                len(chunks) == 1
                and len(chunks[0]) == 1
                and not raw_slot.startswith("$")
                and chunks[0][0] <= PHRASE_STOP_WORDS
            ):
                continue  # a lone small word: "pain in my chest" == "chest pain"
            if not chunks:
                if len(self.errors) == errors_before:
                    self.error(source, f"phrase {str(source)!r} has an empty part {raw_slot!r}")
                continue
            slots.append(chunks)
        if not slots and len(self.errors) == errors_before:
            self.error(source, f"phrase {str(source)!r} has no words that can be matched")
        return Phrase(flag, level, str(source), line, tuple(slots))

    def chunk(self, parts: list[str], where: Any, typo_ok: bool = False, chunk_typo_ok: bool = False) -> Chunk:
        """Compile words joined by `+` (or, for ordinary phrases, by spaces) into atoms.

        `typo_ok`: a word standing alone in its slot, read from a typo under the usual rules.
        `chunk_typo_ok`: a word of a red-flag `+` chunk ("passed+out"): these are common words
        ("came", "will", "last") with many look-alikes, so a typo of one is read only when the
        typed word is not itself a common English word (`common_words`), with one edit at most.
        """
        atoms: list[Atom] = []
        for part in parts:
            if part.startswith("$"):
                if part[1:] not in self.groups:
                    self.error(where, f"unknown group {part!r} in {str(where)!r}; groups are {sorted(self.groups)}")
                    continue
                atoms.append(self.groups[part[1:]])
                continue
            alternatives = [w for w in (normalise(alt) for alt in part.split("|")) if w]
            words = [w for alt in alternatives for w in alt.split(" ")]
            if not alternatives:
                continue
            if len(alternatives) == 1 and len(words) > 1:  # "light-headed" -> light+headed
                atoms.extend(frozenset({canonical(w, self.forms)}) for w in words)
                continue
            if typo_ok:
                for word in words:
                    self.spellings.setdefault(word, canonical(word, self.forms))
            elif chunk_typo_ok:
                for word in words:
                    self.chunk_spellings.setdefault(word, canonical(word, self.forms))
            atoms.append(frozenset(canonical(w, self.forms) for w in words))
        return tuple(atoms)

    def build(
        self,
        messages: dict[Level, str],
        flags: list[Flag],
        masks: tuple[Chunk, ...],
        guard_words: frozenset[str],
        common_words: frozenset[str],
        matching: dict[str, int],
    ) -> Lexicon:
        phrases = tuple(p for f in flags for p in f.phrases)
        vocabulary = frozenset(w for p in phrases for slot in p.slots for c in slot for atom in c for w in atom)
        forms_by_canonical: dict[str, set[str]] = {}
        for spelling, canon in list(self.spellings.items()) + [(w, canonical(w, self.forms)) for w in self.forms]:
            if canon not in self.spellings.values():
                continue
            forms_by_canonical.setdefault(canon, set()).add(spelling)
        targets: dict[str, list[tuple[str, str]]] = {}
        for canon, spellings in forms_by_canonical.items():
            if canon not in vocabulary:
                continue
            for spelling in spellings:
                if (
                    len(spelling) >= matching["fuzzy_min_length"]
                    and spelling.isalpha()
                    and spelling not in self.group_words
                ):
                    targets.setdefault(spelling[0], []).append((spelling, canon))
        chunk_targets: dict[str, list[tuple[str, str]]] = {}
        single = {spelling for group in targets.values() for spelling, _ in group}
        for spelling, canon in self.chunk_spellings.items():
            if (
                canon in vocabulary
                and spelling not in single  # already read under the rules for single words
                and len(spelling) >= matching["fuzzy_min_length"]
                and spelling.isalpha()
                and spelling not in self.group_words
                and spelling not in PHRASE_STOP_WORDS  # matched by their exact spelling only
            ):
                chunk_targets.setdefault(spelling[0], []).append((spelling, canon))
        contraction_targets: dict[str, list[tuple[str, str]]] = {}
        for typed, spelled in NOT_CONTRACTIONS.items():
            if len(typed) >= matching["fuzzy_min_length"]:
                contraction_targets.setdefault(typed[0], []).append((typed, spelled))
        anchors: dict[str, list[int]] = {}
        for index, phrase in enumerate(phrases):
            # Index each phrase under its most selective slot, so detect() looks at few phrases.
            slot = min(phrase.slots, key=lambda s: sum(len(key_atom(c)) for c in s))
            for word in {w for c in slot for w in key_atom(c)}:
                anchors.setdefault(word, []).append(index)
        mask_starts: dict[str, list[int]] = {}
        for index, mask in enumerate(masks):
            for word in mask[0] if mask else ():
                mask_starts.setdefault(word, []).append(index)
        mask_words = {w for m in masks for atom in m for w in atom}
        return Lexicon(
            source=self.path,
            messages=messages,
            flags=tuple(flags),
            phrases=phrases,
            masks=masks,
            guard_words=guard_words,
            forms=dict(self.forms),
            vocabulary=vocabulary,
            plain_words=frozenset(self.group_words | (mask_words - vocabulary)),
            fuzzy_targets={k: tuple(sorted(set(v))) for k, v in targets.items()},
            chunk_targets={k: tuple(sorted(set(v))) for k, v in chunk_targets.items()},
            contraction_targets={k: tuple(sorted(v)) for k, v in contraction_targets.items()},
            common_words=common_words,
            anchors={k: tuple(v) for k, v in anchors.items()},
            mask_starts={k: tuple(v) for k, v in mask_starts.items()},
            needs=tuple(p.needs for p in phrases),
            flag_order={f.name: i for i, f in enumerate(flags)},
            window=matching["window"],
            chunk_gap=matching["chunk_gap"],
            fuzzy_min_length=matching["fuzzy_min_length"],
            fuzzy_long_word=matching["fuzzy_long_word"],
        )


def load_lexicon(path: Path) -> Lexicon:
    """Read, validate and compile the lexicon; raises LexiconError naming `file:line`."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise LexiconError(path, [LexiconIssue(0, f"cannot read the red-flag lexicon: {exc}")]) from exc
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from exc
    return _Compiler(str(path), data).compile()


def _yaml_error(path: Path, exc: yaml.YAMLError) -> LexiconError:
    """One line naming `file:line`, not PyYAML's multi-line report."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    return LexiconError(path, [LexiconIssue(line, f"not valid YAML: {getattr(exc, 'problem', exc)}")])


def load_ordinary_phrases(path: Path) -> list[str]:
    """Ordinary leg-cramp phrases that must never raise a flag (an empty list when the file is absent)."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8
        raise LexiconError(path, [LexiconIssue(0, f"cannot read the ordinary phrases: {exc}")]) from exc
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from exc
    phrases = data.get("phrases", []) if isinstance(data, dict) else None
    if not isinstance(phrases, list):
        raise LexiconError(path, [LexiconIssue(0, "expected 'phrases:' with a list of ordinary phrases")])
    return [str(p) for p in phrases]
