"""Read `knowledge/`: the article manifest, the articles, the curated entries and the overrides -> Passages.

This is the only module that knows how the knowledge folder is laid out on disk; everything
downstream works on `Passage` values.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from bot.corpus import _yaml, faq
from bot.corpus.edges import EdgeWords, edge_phrase, trim_edges
from bot.corpus.markdown import plain_article
from bot.corpus.splitter import MIN_ANSWER_CHARS, NoiseRules, Section, SectionHint, split_article
from bot.problems import Problem, error, warning
from bot.text.slugs import slugify

log = logging.getLogger(__name__)


def _bundled_knowledge() -> Path:
    """The knowledge folder shipped in the package: `bot/bundled`, in a checkout a link to the
    repository's `knowledge/` (resolved, so messages name the folder maintainers edit)."""
    return Path(str(resources.files("bot") / "bundled")).resolve()


BUNDLED_KNOWLEDGE = _bundled_knowledge()
# Curated entries outrank article passages on ties: the retriever multiplies scores by the
# source's quality, articles have at most 1.0, so a maintainer's answer wins an equal match.
CURATED_QUALITY = 1.02


class KnowledgeError(ValueError):
    """The knowledge folder cannot be loaded: what is wrong, and where as fields (`path`, `line`;
    0 when unknown), so `crampbot check` files it without parsing the text back."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int = 0) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        where = "" if self.path is None else f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class Source:
    file: str
    key: str
    title: str
    lead_heading: str | None = None
    sections: tuple[SectionHint, ...] = ()
    quality: float = 1.0


@dataclass(frozen=True)
class Passage:
    """One answerable unit: a question (heading), its answer and where it came from."""

    id: str
    question: str
    answer: str
    source: str  # file name in knowledge/sources/, or "faq/<file>" for a curated entry
    title: str  # the source's human title
    alternates: tuple[str, ...] = ()  # other ways people ask this question
    context: str | None = None  # the heading this one sits under, when the article has one
    order: int = 0  # position in the knowledge base, for stable listings
    curated: bool = False  # written by a maintainer in knowledge/faq/, not split from an article
    cites: tuple[str, ...] = ()  # a curated entry's sources: passage ids, article files or URLs

    @property
    def search_question(self) -> str:
        """The question text used for retrieval, including its section context."""
        return f"{self.context} {self.question}" if self.context else self.question


class Rewrite(NamedTuple):
    """Replace the first `old` in a passage's answer by `new`; what `new` changes is quoted from the article."""

    old: str
    new: str

    @property
    def changed(self) -> str:
        """The words `new` puts in place of `old`'s, without the words both share at either end:
        "who experience them don't" -> "who experience leg cramps don't" changes "leg cramps"."""
        a, b = self.old.split(), self.new.split()
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        end = 0
        while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
            end += 1
        return " ".join(b[start : len(b) - end])


@dataclass(frozen=True)
class Overrides:
    exclude: dict[str, str] = field(default_factory=dict)  # id -> reason
    retitle: dict[str, str] = field(default_factory=dict)  # id -> new question
    alternates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> phrasings
    rewrite: dict[str, tuple[Rewrite, ...]] = field(default_factory=dict)  # id -> edits of its answer, in order
    same_question: dict[str, str] = field(default_factory=dict)  # id -> why it may ask what another article asks


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning parser errors into a KnowledgeError with file:line."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise KnowledgeError("file not found", path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise KnowledgeError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path=path, line=line) from exc


def load_sources(knowledge: Path) -> list[Source]:
    """The articles listed in sources.yaml; its first error stops the load (check lists them all)."""
    path = knowledge / "sources.yaml"
    if not path.exists():
        raise KnowledgeError("file not found", path=path)
    try:
        doc = _yaml.parse(path.read_text(encoding="utf-8"))
    except _yaml.YamlSyntaxError as exc:
        raise KnowledgeError(exc.message, path=path, line=exc.line) from exc
    sources, problems = read_sources(doc, knowledge)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise KnowledgeError(errors[0].message, path=knowledge / errors[0].file, line=errors[0].line)
    return sources


SOURCE_FIELDS = ("file", "key", "title", "lead_heading", "quality", "sections")
_KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def read_sources(doc: _yaml.Located | None, knowledge: Path) -> tuple[list[Source], list[Problem]]:
    """sources.yaml -> the articles to split, and every problem with it: a missing or reused field,
    a file that is not there, a bad quality (errors), an unknown field, a section hint that never
    applies, an article not listed (warnings). The loader and `crampbot check` both use this."""
    sources: list[Source] = []
    if doc is None:
        return sources, [error("sources.yaml", 0, "file not found: list the articles in sources/ here")]
    rel = "sources.yaml"
    entries = doc.data.get("sources") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return sources, [error(rel, 1, "expected a top-level 'sources:' list, one '- file: ...' entry per article")]
    out: list[Problem] = []
    seen_keys: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for n, entry in enumerate(entries):
        errors_before = sum(p.is_error for p in out)
        line = doc.line("sources", n)
        if not isinstance(entry, dict):
            out.append(error(rel, line, "each source needs 'file', 'key' and 'title'"))
            continue
        for name in ("file", "key", "title"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                out.append(error(rel, line, f"source #{n + 1} is missing '{name}' (text)"))
        for name in entry:
            if name not in SOURCE_FIELDS:
                out.append(
                    warning(
                        rel,
                        doc.line("sources", n, str(name), key=True),
                        f"unknown field '{name}' is ignored; known fields: {', '.join(SOURCE_FIELDS)}",
                    )
                )
        quality = entry.get("quality", 1.0)
        if not isinstance(quality, (int, float)) or isinstance(quality, bool) or not 0 < quality <= 1:
            out.append(
                error(
                    rel,
                    doc.line("sources", n, "quality"),
                    f"quality {quality!r} must be a number above 0 and at most 1",
                )
            )
        key, file = entry.get("key"), entry.get("file")
        if isinstance(key, str):
            if not _KEY_RE.fullmatch(key):
                out.append(
                    error(rel, doc.line("sources", n, "key"), f"key {key!r} must be lower-case words joined by '-'")
                )
            elif key in seen_keys or key == "faq":
                why = f"source at line {seen_keys[key]}" if key in seen_keys else "curated entries"
                out.append(
                    error(
                        rel,
                        doc.line("sources", n, "key"),
                        f"key {key!r} is already used by the {why}; passage ids would collide",
                    )
                )
            seen_keys.setdefault(key, doc.line("sources", n, "key"))
        if isinstance(file, str):
            if file in seen_files:
                out.append(
                    error(rel, doc.line("sources", n, "file"), f"{file!r} is already listed at line {seen_files[file]}")
                )
            seen_files.setdefault(file, doc.line("sources", n, "file"))
            path = knowledge / "sources" / file
            if not path.is_file():
                out.append(error(rel, doc.line("sources", n, "file"), f"source file sources/{file} does not exist"))
            else:
                out += _check_section_hints(doc, n, entry, path)
        if sum(p.is_error for p in out) == errors_before:
            sources.append(_source_of(entry))
    listed = set(seen_files)
    for path in sorted((knowledge / "sources").glob("*")):
        if path.is_file() and not path.name.startswith(".") and path.name not in listed:
            out.append(
                warning(
                    f"sources/{path.name}",
                    0,
                    "not in sources.yaml, so it is not used: add a '- file: ...' entry with a key and a title",
                )
            )
    return sources, out


def _source_of(entry: dict[str, Any]) -> Source:
    hints = tuple(SectionHint(before=str(h["before"]), heading=str(h["heading"])) for h in entry.get("sections") or [])
    return Source(
        file=entry["file"],
        key=entry["key"],
        title=entry["title"],
        lead_heading=entry.get("lead_heading"),
        sections=hints,
        quality=float(entry.get("quality", 1.0)),
    )


def _check_section_hints(doc: _yaml.Located, n: int, entry: dict[str, Any], path: Path) -> list[Problem]:
    hints = entry.get("sections") or []
    if not isinstance(hints, list):
        return [
            error("sources.yaml", doc.line("sources", n, "sections"), "'sections' must be a list of {before, heading}")
        ]
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    out = []
    for i, hint in enumerate(hints):
        line = doc.line("sources", n, "sections", i)
        if (
            not isinstance(hint, dict)
            or not isinstance(hint.get("before"), str)
            or not isinstance(hint.get("heading"), str)
        ):
            out.append(error("sources.yaml", line, "each section hint needs 'before' and 'heading' as text"))
        elif not any(text.startswith(hint["before"]) for text in lines):
            out.append(
                warning(
                    "sources.yaml",
                    line,
                    f"no paragraph of {path.name} starts with {hint['before']!r}, so this heading is never inserted",
                )
            )
    return out


def load_noise_rules(knowledge: Path) -> NoiseRules:
    """noise.yaml through `read_noise_rules`; its first error stops the load."""
    path = knowledge / "noise.yaml"
    rules, problems = read_noise_rules(parse_located(path))
    raise_first_error(knowledge, problems)
    return rules


def read_noise_rules(doc: _yaml.Located | None) -> tuple[NoiseRules, list[Problem]]:
    """noise.yaml -> the splitter's noise rules, and every pattern that is not a valid regular expression."""
    if doc is None or not isinstance(doc.data, dict):
        return NoiseRules(), []
    out: list[Problem] = []
    valid: dict[str, list[str]] = {"drop_lines": [], "strip_patterns": []}
    for kind, patterns in valid.items():
        section = doc.data.get(kind) or []
        if not isinstance(section, list):
            out.append(error("noise.yaml", doc.line(kind), f"'{kind}' must be a list of regular expressions"))
            continue
        for i, pattern in enumerate(section):
            try:
                re.compile(str(pattern))
                patterns.append(str(pattern))
            except re.error as exc:
                out.append(error("noise.yaml", doc.line(kind, i), f"invalid pattern {pattern!r}: {exc}"))
    return NoiseRules.compile(valid["drop_lines"], valid["strip_patterns"]), out


EDGE_SECTIONS = (
    "connectives",
    "dependent_openings",
    "independent_openings",
    "pronouns",
    "lead_ins",
    "lead_in_endings",
)


def load_edge_words(knowledge: Path) -> EdgeWords:
    """edges.yaml through `read_edge_words`; its first error stops the load."""
    words, problems = read_edge_words(parse_located(knowledge / "edges.yaml"))
    raise_first_error(knowledge, problems)
    return words


def read_edge_words(doc: _yaml.Located | None) -> tuple[EdgeWords, list[Problem]]:
    """edges.yaml -> the words that show an answer starts or ends mid-thought, and every problem:
    a section that is not a list of phrases (an error), an unknown section or a phrase listed twice
    (warnings). An absent file means no lists: nothing is trimmed or reported."""
    rel = "edges.yaml"
    if doc is None or doc.data is None:
        return EdgeWords(), []
    if not isinstance(doc.data, dict):
        return EdgeWords(), [error(rel, 1, f"expected the sections {', '.join(EDGE_SECTIONS)}")]
    out = [
        warning(
            rel,
            doc.line(str(name), key=True),
            f"unknown section {name!r} is ignored; known: {', '.join(EDGE_SECTIONS)}",
        )
        for name in doc.data
        if name not in EDGE_SECTIONS
    ]
    lists: dict[str, list[str]] = {}
    for name in EDGE_SECTIONS:
        values = doc.data.get(name) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            out.append(
                error(rel, doc.line(name), f"'{name}' must be a list of words or phrases (quote yes, no, on, off)")
            )
            continue
        seen: dict[str, int] = {}
        for i, phrase in enumerate(values):
            key = edge_phrase(phrase)
            if key in seen:
                out.append(warning(rel, doc.line(name, i), f"{phrase!r} is already listed at line {seen[key]}"))
            seen.setdefault(key, doc.line(name, i))
        lists[name] = values
    return EdgeWords.of(lists), out


def parse_located(path: Path) -> _yaml.Located | None:
    """A knowledge file with its lines, or None when it is absent (an optional file)."""
    if not path.exists():
        return None
    try:
        return _yaml.parse(path.read_text(encoding="utf-8"))
    except _yaml.YamlSyntaxError as exc:
        raise KnowledgeError(exc.message, path=path, line=exc.line) from exc


def raise_first_error(knowledge: Path, problems: Iterable[Problem]) -> None:
    """The loaders stop at the first error `crampbot check` would list, with the same message."""
    first = next((p for p in problems if p.is_error), None)
    if first is not None:
        raise KnowledgeError(first.message, path=knowledge / first.file, line=first.line)


OVERRIDE_KINDS = ("exclude", "retitle", "alternates", "rewrite", "same_question")


def load_overrides(knowledge: Path) -> Overrides:
    """overrides.yaml and alternates.yaml (the phrasings file grows large, so it stands alone);
    the first error stops the load (ids are checked by `crampbot check`)."""
    overrides, problems = read_overrides(
        parse_located(knowledge / "overrides.yaml"), parse_located(knowledge / "alternates.yaml")
    )
    raise_first_error(knowledge, problems)
    return overrides


def read_overrides(
    main_doc: _yaml.Located | None, phrasings_doc: _yaml.Located | None
) -> tuple[Overrides, list[Problem]]:
    """Both files -> the overrides, and every problem of their shape."""
    main, problems = _override_sections(main_doc, "overrides.yaml", OVERRIDE_KINDS)
    phrasings, more = _override_sections(phrasings_doc, "alternates.yaml", ("alternates",))
    alternates: dict[str, tuple[str, ...]] = {}
    for section in (main.get("alternates", {}), phrasings.get("alternates", {})):
        for pid, values in section.items():
            alternates[str(pid)] = alternates.get(str(pid), ()) + tuple(str(x).strip() for x in values)
    overrides = Overrides(
        exclude={str(k): str(v) for k, v in main.get("exclude", {}).items()},
        retitle={str(k): str(v).strip() for k, v in main.get("retitle", {}).items()},
        alternates=alternates,
        rewrite={str(k): tuple(v) for k, v in main.get("rewrite", {}).items()},
        same_question={str(k): str(v) for k, v in main.get("same_question", {}).items()},
    )
    return overrides, problems + more


def _override_sections(
    doc: _yaml.Located | None, rel: str, kinds: tuple[str, ...]
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The well-formed entries of one overrides-style file, and a problem for each other one."""
    parsed: dict[str, dict[str, Any]] = {}
    if doc is None:
        return parsed, []
    data = doc.data or {}
    if not isinstance(data, dict):
        return parsed, [error(rel, 1, f"expected the sections {', '.join(kinds)}")]
    out = [
        error(rel, doc.line(str(kind), key=True), f"unknown section {kind!r}; expected {', '.join(kinds)}")
        for kind in data
        if kind not in kinds
    ]
    for kind in kinds:
        section = data.get(kind) or {}
        if not isinstance(section, dict):
            out.append(error(rel, doc.line(kind), f"'{kind}' must map passage ids to values"))
            continue
        parsed[kind] = {}
        for pid, value in section.items():
            line = doc.line(kind, str(pid))
            if kind == "alternates":
                if not isinstance(value, list) or not value or not all(isinstance(x, str) and x.strip() for x in value):
                    out.append(error(rel, line, f"alternates for {pid!r} must be a list of questions"))
                    continue
            elif kind == "rewrite":
                edits = _rewrites(value)
                if edits is None:
                    out.append(
                        error(
                            rel,
                            line,
                            f"rewrite {pid!r} must be a list of edits, each 'replace:' text of the answer "
                            "and 'with:' its new text (\"\" to drop it)",
                        )
                    )
                    continue
                parsed[kind][pid] = edits
                continue
            elif not isinstance(value, str) or not value.strip():
                what = "the new question" if kind == "retitle" else "the reason"
                out.append(error(rel, line, f"{kind} {pid!r} needs {what} as text"))
                continue
            parsed[kind][pid] = value
    return parsed, out


def _rewrites(value: Any) -> tuple[Rewrite, ...] | None:
    """A rewrite's edits (one mapping or a list of them), or None when they have another shape."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        return None
    edits = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"replace", "with"}:
            return None
        old, new = item["replace"], item["with"]
        if not isinstance(old, str) or not old.strip() or not isinstance(new, str):
            return None
        edits.append(Rewrite(old.strip(), new.strip()))
    return tuple(edits)


def rewrite_answer(answer: str, edits: Iterable[Rewrite]) -> str:
    """The answer with each edit made at the first place its text occurs (an edit whose text is not
    there is skipped: `crampbot check` reports it), tidied: no empty lines, no doubled spaces."""
    for old, new in edits:
        answer = answer.replace(old, new, 1)
    lines = (re.sub(r"[ \t]{2,}", " ", line).strip() for line in answer.split("\n"))
    return "\n".join(line for line in lines if line)


def curated_passages(knowledge: Path) -> list[Passage]:
    """The curated entries in knowledge/faq/ as passages; the first error is a KnowledgeError."""
    entries, problems = faq.load_entries(knowledge)
    for problem in problems:
        if problem.is_error:
            raise KnowledgeError(problem.message, path=knowledge / problem.file, line=problem.line)
    return [passage_of_entry(entry) for entry in entries]


def passage_of_entry(entry: faq.FaqEntry) -> Passage:
    return Passage(
        id=entry.id,
        question=entry.question,
        answer=entry.answer,
        source=entry.file,
        title=entry.title,
        alternates=entry.alternates,
        curated=True,
        cites=entry.references,
    )


def _merge_repeats(sections: Iterable[Section]) -> list[Section]:
    """A scraped page repeats a question with another snippet; keep one section with both."""
    merged: dict[str, Section] = {}
    for section in sections:
        key = slugify(section.heading)
        if key in merged:
            have = merged[key]
            extra = [line for line in section.lines if line not in have.lines]
            merged[key] = Section(heading=have.heading, lines=have.lines + extra, parent=have.parent)
        else:
            merged[key] = section
    return list(merged.values())


def passages_from_source(source: Source, text: str, rules: NoiseRules, edges: EdgeWords | None = None) -> list[Passage]:
    """Split one article and turn its sections into passages with stable ids.

    Each section loses what `edges` says can go from its edges (a leading "Additionally," or a
    closing "let's look a little deeper"), unless that would leave a fragment.
    """
    sections = [
        replace(s, lines=trim_edges(s.answer, edges or EdgeWords(), min_chars=MIN_ANSWER_CHARS).split("\n"))
        for s in split_article(
            text, title=source.title, rules=rules, lead_heading=source.lead_heading, hints=source.sections
        )
    ]
    passages = []
    for section in _merge_repeats(sections):
        answer = section.answer
        if len(answer) < MIN_ANSWER_CHARS:
            log.debug("dropping fragment %r from %s (%d chars)", section.heading, source.file, len(answer))
            continue
        question = section.heading[0].upper() + section.heading[1:]
        passages.append(
            Passage(
                id=f"{source.key}.{slugify(section.heading)}",
                question=question,
                answer=answer,
                source=source.file,
                title=source.title,
                context=section.parent,
            )
        )
    return passages


def apply_overrides(passages: Iterable[Passage], overrides: Overrides) -> list[Passage]:
    out = []
    for original in passages:
        if original.id in overrides.exclude:
            continue
        passage = original
        if passage.id in overrides.retitle:
            passage = replace(passage, question=overrides.retitle[passage.id])
        if passage.id in overrides.alternates:
            passage = replace(passage, alternates=passage.alternates + overrides.alternates[passage.id])
        if passage.id in overrides.rewrite and not passage.curated:
            answer = rewrite_answer(passage.answer, overrides.rewrite[passage.id])
            passage = replace(passage, answer=answer or passage.answer)
        out.append(passage)
    return out


def load_passages(knowledge: Path, *, apply: bool = True, curated: bool = False) -> list[Passage]:
    """The passages split from the articles, in manifest order, then the curated entries when `curated`.

    Overrides apply to both unless `apply` is False. `curated` defaults to False so that code
    about articles and splitting sees only articles; the bot loads everything.
    """
    rules = load_noise_rules(knowledge)
    edges = load_edge_words(knowledge)
    passages: list[Passage] = []
    for source in load_sources(knowledge):
        try:
            text = source_text(knowledge, source.file)
        except FileNotFoundError as exc:
            raise KnowledgeError(f"source file {source.file!r} not found", path=knowledge / "sources.yaml") from exc
        passages.extend(passages_from_source(source, text, rules, edges))
    if curated:
        passages.extend(curated_passages(knowledge))
    return finish_passages(passages, load_overrides(knowledge) if apply else None)


def credit_sources(passages: list[Passage]) -> list[Passage]:
    """A curated entry without a `title:` of its own is shown "From:" the articles it cites (by
    passage id or file), not "From: crampbot FAQ": its facts are theirs. URLs and unknown sources
    are left out; an entry citing no article keeps the default title."""
    by_id = {p.id: p.title for p in passages if not p.curated}
    by_file = {p.source: p.title for p in passages if not p.curated}
    out = []
    for passage in passages:
        titles = [by_id.get(ref) or by_file.get(Path(ref).name) for ref in passage.cites]
        credited = list(dict.fromkeys(t for t in titles if t))
        if passage.curated and passage.title == faq.DEFAULT_TITLE and credited:
            out.append(replace(passage, title="; ".join(credited)))
        else:
            out.append(passage)
    return out


def source_text(knowledge: Path, file: str) -> str:
    """An article's text as the splitter reads it: Markdown made plain, plain text as it is."""
    path = knowledge / "sources" / file
    text = path.read_text(encoding="utf-8")
    return plain_article(text) if path.suffix.lower() in (".md", ".markdown") else text


def finish_passages(passages: Iterable[Passage], overrides: Overrides | None) -> list[Passage]:
    """Credit curated entries to the articles they cite, apply the overrides (when given) and number
    the passages in knowledge-base order."""
    passages = credit_sources(list(passages))
    if overrides is not None:
        passages = apply_overrides(passages, overrides)
    return [replace(p, order=i) for i, p in enumerate(passages)]


def knowledge_version(knowledge: Path) -> str:
    """A short content hash of every file in the knowledge folder: changes iff the knowledge does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in knowledge.rglob("*") if p.is_file()):
        digest.update(path.relative_to(knowledge).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
