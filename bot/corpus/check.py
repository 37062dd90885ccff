"""`crampbot check`: validate a whole knowledge folder and report every problem with `file:line`.

Maintainers are not programmers: a mistake must be caught before it ships, with a message that
says where and what to do. `run_check` never raises on bad content; it returns problems, and the
Knowledge it loaded when loading worked, so live reload checks and loads in one pass.
Text-level checks (duplicate questions, lexicon, synonyms, intent cues) live in `bot.check_text`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bot.corpus import _yaml, faq
from bot.corpus.check_text import (
    check_curated_openings,
    check_duplicates,
    check_intents,
    check_synonyms,
    corpus_words,
    locate_passage,
)
from bot.corpus.edges import edge_phrase, find_edges
from bot.corpus.faq import FaqEntry
from bot.corpus.knowledge import Knowledge, load_knowledge, read_domain, read_frame_words, read_messages
from bot.corpus.passages import (
    OVERRIDE_KINDS,
    KnowledgeError,
    Overrides,
    Passage,
    finish_passages,
    load_overrides,
    load_passages,
    passage_of_entry,
    read_edge_words,
    read_noise_rules,
    read_overrides,
    read_sources,
    source_text,
)
from bot.problems import Problem, error, warning
from bot.retrieval.subject import not_subject_stems
from bot.safety.detect import check_lexicon
from bot.safety.lexicon import LexiconError, load_lexicon, load_ordinary_phrases
from bot.text.normalise import normalise

LONG_ARTICLE_PASSAGE = 4000
_ID_RE = re.compile(r"[a-z0-9-]+\.[a-z0-9-]+")


@dataclass(frozen=True)
class CheckReport:
    root: Path
    problems: tuple[Problem, ...]
    knowledge: Knowledge | None  # None when the folder does not load
    seconds: float

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return self.knowledge is not None and not self.errors


@dataclass
class _Context:
    """What the individual checks share: parsed YAML with positions, passages, overrides."""

    root: Path
    docs: dict[str, _yaml.Located] = field(default_factory=dict)
    entries: list[FaqEntry] = field(default_factory=list)
    raw: list[Passage] = field(default_factory=list)  # before overrides, curated entries included
    final: list[Passage] = field(default_factory=list)
    overrides: Overrides | None = None
    source_keys: set[str] = field(default_factory=set)


def check_knowledge(path: Path) -> list[Problem]:
    """Every problem in the knowledge folder at `path`, errors and warnings, sorted by file and line."""
    return list(run_check(path).problems)


def run_check(path: Path) -> CheckReport:
    """Check the folder and, as part of it, load it; see CheckReport."""
    start = time.perf_counter()
    root = Path(path)
    if not root.is_dir():
        return CheckReport(root, (error(str(root), 0, "knowledge folder not found"),), None, 0.0)
    ctx = _Context(root=root)
    problems = list(_parse_yaml_files(ctx))
    problems += _check_sources(ctx)
    problems += check_intents(
        ctx.docs.get("intents.yaml")
    )  # before loading: its errors carry lines, the loader's do not
    ctx.entries, faq_problems = faq.load_entries(root)
    problems += faq_problems
    problems += [
        warning(
            p.relative_to(root).as_posix(),
            0,
            "ignored: entries are .md (with a '---' header) or .yaml files whose names do not start with '_'",
        )
        for p in faq.ignored_files(root)
    ]
    problems += _shape_problems(ctx)  # every problem of each file, before loading reports only its first
    knowledge = _load(ctx, problems)
    if ctx.raw:
        problems += _check_overrides(ctx)
        problems += _check_references(ctx)
        problems += _check_eval(ctx)
        problems += _check_article_lengths(ctx)
        problems += _check_rewrites(ctx)
        problems += _check_edges(ctx)
        same = ctx.overrides.same_question if ctx.overrides else {}
        problems += check_duplicates(ctx.root, ctx.final, ctx.entries, ctx.docs, same)
        if knowledge is not None:
            problems += check_curated_openings(ctx.entries, not_subject_stems(knowledge))
        corpus = corpus_words(ctx.final)
        problems += check_synonyms(ctx.docs.get("synonyms.yaml"), corpus)
    problems += _check_lexicon(ctx.root)  # the safety lexicon needs no passages
    ordered = tuple(sorted(set(problems)))
    return CheckReport(root, ordered, knowledge, time.perf_counter() - start)


def _check_lexicon(root: Path) -> list[Problem]:
    """The safety layer's own lexicon checks (ordinary phrases that would raise a flag, guard words
    that are flags, repeated phrases), as Problems: a red-flag entry that fires on ordinary
    leg-cramp questions is an error."""
    path = root / "red_flags.yaml"
    if not path.exists():
        return []
    try:
        lexicon = load_lexicon(path)
    except LexiconError as exc:
        return [error("red_flags.yaml", issue.line, issue.message) for issue in exc.issues]
    ordinary_path = root / "eval" / "ordinary_words.yaml"
    try:
        ordinary = load_ordinary_phrases(ordinary_path)
    except LexiconError as exc:
        return [error("eval/ordinary_words.yaml", issue.line, issue.message) for issue in exc.issues]
    return [error("red_flags.yaml", issue.line, issue.message) for issue in check_lexicon(lexicon, ordinary)]


def _parse_yaml_files(ctx: _Context) -> Iterator[Problem]:
    paths = sorted(ctx.root.glob("*.yaml")) + sorted((ctx.root / "eval").glob("*.yaml"))
    for path in paths:
        rel = path.relative_to(ctx.root).as_posix()
        try:
            ctx.docs[rel] = _yaml.parse(path.read_text(encoding="utf-8"))
        except _yaml.YamlSyntaxError as exc:
            yield error(rel, exc.line, exc.message)
        except (OSError, UnicodeDecodeError) as exc:
            yield error(rel, 0, f"cannot read the file: {exc}")
    if "sources.yaml" not in ctx.docs and not (ctx.root / "sources.yaml").exists():
        yield error("sources.yaml", 0, "missing: the manifest listing the articles in sources/")


def _shape_problems(ctx: _Context) -> list[Problem]:
    """The loaders' own rules for the files they read, each file through its one reader."""
    docs = ctx.docs
    return [
        *read_domain(docs.get("domain.yaml"))[1],
        *read_frame_words(docs.get("subjects.yaml"))[1],
        *read_messages(docs.get("messages.yaml"))[1],
        *read_noise_rules(docs.get("noise.yaml"))[1],
        *read_edge_words(docs.get("edges.yaml"))[1],
        *read_overrides(docs.get("overrides.yaml"), docs.get("alternates.yaml"))[1],
    ]


def _check_sources(ctx: _Context) -> list[Problem]:
    """sources.yaml through the loader's own rules (`read_sources`)."""
    doc = ctx.docs.get("sources.yaml")
    if doc is None:  # missing or not YAML: reported already, by the loader or the YAML parse
        return []
    sources, problems = read_sources(doc, ctx.root)
    ctx.source_keys.update(s.key for s in sources)
    return problems


def _load(ctx: _Context, problems: list[Problem]) -> Knowledge | None:
    """Load like the server does (splitting the articles once); each failure becomes an error
    unless the same file already has one. When overrides.yaml or alternates.yaml cannot be read,
    nothing is loaded: the checks of passages are skipped rather than run on passages never served."""

    def report(exc: Exception) -> None:
        problem = _problem_of_exception(ctx.root, exc)
        if not any(p.is_error and p.file == problem.file for p in problems):
            problems.append(problem)

    try:
        ctx.overrides = load_overrides(ctx.root)
    except KnowledgeError as exc:
        # Without them the passages are not the ones served (118 instead of 99, the excluded and
        # rewritten ones back): loading and every check of the passages would report on the wrong ones.
        report(exc)
        return None
    passages = None
    try:
        ctx.raw = load_passages(ctx.root, apply=False) + [passage_of_entry(e) for e in ctx.entries]
        passages = finish_passages(ctx.raw, ctx.overrides or Overrides())
    except Exception as exc:
        report(exc)
    if not any(p.is_error and p.file.startswith("faq/") for p in problems):
        try:
            knowledge = load_knowledge(ctx.root, passages=passages)
            ctx.final = list(knowledge.passages)
            return knowledge
        except Exception as exc:
            report(exc)
    ctx.final = list(passages or ())
    return None


def _problem_of_exception(root: Path, exc: Exception) -> Problem:
    """The loader's error as a Problem, from its fields (file, line, message): never parsed back."""
    if isinstance(exc, LexiconError):
        first = exc.issues[0] if exc.issues else None
        return error(_relative(root, Path(exc.path)), first.line if first else 0, first.message if first else str(exc))
    if isinstance(exc, KnowledgeError):
        return error(_relative(root, exc.path) if exc.path else ".", exc.line, exc.message)
    return error(".", 0, f"cannot load: {type(exc).__name__}: {exc}")


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _check_overrides(ctx: _Context) -> list[Problem]:
    """Ids in overrides.yaml and alternates.yaml must name passages the articles produce."""
    if ctx.overrides is None:
        return []
    known = {p.id for p in ctx.raw}
    out = []
    for file, kinds in (("overrides.yaml", OVERRIDE_KINDS), ("alternates.yaml", ("alternates",))):
        doc = ctx.docs.get(file)
        if doc is None:
            continue
        for kind in kinds:
            section = doc.data.get(kind) if isinstance(doc.data, dict) else None
            for key in section or {}:
                pid = str(key)
                line = doc.line(kind, pid, key=True)
                if pid not in known:
                    out.append(error(file, line, f"{kind}: no passage has the id {pid!r}{_suggest(pid, known)}"))
                elif kind != "exclude" and pid in ctx.overrides.exclude:
                    out.append(warning(file, line, f"{kind}: {pid!r} is also excluded, so this has no effect"))
    return out


def _suggest(pid: str, known: set[str]) -> str:
    best = max(known, key=lambda k: fuzz.ratio(pid, k), default=None)
    if best is not None and fuzz.ratio(pid, best) >= 80:
        return f"; did you mean {best!r}?"
    return " (see `crampbot passages` for the ids)"


def _check_references(ctx: _Context) -> list[Problem]:
    """A curated entry's sources that name a passage id or an article file must exist."""
    known = {p.id for p in ctx.raw}
    excluded = set(ctx.overrides.exclude) if ctx.overrides else set()
    prefixes = ctx.source_keys | {"faq"}
    out = []
    for entry in ctx.entries:
        for ref, line in zip(entry.references, entry.reference_lines, strict=True):
            if "://" in ref:
                continue
            if _ID_RE.fullmatch(ref) and any(fuzz.ratio(ref.split(".")[0], k) >= 85 for k in prefixes):
                if ref not in known:
                    out.append(error(entry.file, line, f"source {ref!r} is not a passage id{_suggest(ref, known)}"))
                elif ref in excluded:
                    out.append(
                        warning(
                            entry.file, line, f"source {ref!r} is excluded in overrides.yaml; is it a good reference?"
                        )
                    )
            elif re.fullmatch(r"[\w./-]+\.(?:txt|md)", ref) and not (ctx.root / "sources" / Path(ref).name).is_file():
                out.append(error(entry.file, line, f"source {ref!r}: no such article in sources/"))
    return out


def _check_eval(ctx: _Context) -> list[Problem]:
    """Evaluation questions (`in_scope: [{q, ids}]`) must name passages the bot can answer with."""
    known = {p.id for p in ctx.raw} | {p.id for p in ctx.final}  # article passages and curated entries
    served = {p.id for p in ctx.final}
    out = []
    for rel, doc in sorted(ctx.docs.items()):
        if not rel.startswith("eval/") or not isinstance(doc.data, dict):
            continue
        items = doc.data.get("in_scope")
        if items is None:
            continue
        if not isinstance(items, list):
            out.append(error(rel, doc.line("in_scope"), "'in_scope' must be a list of {q, ids}"))
            continue
        for n, item in enumerate(items):
            line = doc.line("in_scope", n)
            if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item["q"].strip():
                out.append(error(rel, line, "each in_scope item needs 'q', the question, as text"))
                continue
            ids = item.get("ids", item.get("id"))
            key = "ids" if "ids" in item else "id"
            ids = [ids] if isinstance(ids, str) else ids
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
                out.append(error(rel, line, f"question {item['q']!r} needs 'ids': the passage ids that answer it"))
                continue
            for i, pid in enumerate(ids):
                where = doc.line("in_scope", n, key, i) if key == "ids" and isinstance(item.get("ids"), list) else line
                if pid not in known:
                    out.append(error(rel, where, f"no passage has the id {pid!r}{_suggest(pid, known)}"))
                elif pid not in served:
                    out.append(
                        error(
                            rel,
                            where,
                            f"passage {pid!r} is excluded in overrides.yaml, so the bot can never answer with it",
                        )
                    )
    return out


def _check_article_lengths(ctx: _Context) -> list[Problem]:
    out = []
    for passage in ctx.final:
        if not passage.curated and len(passage.answer) > LONG_ARTICLE_PASSAGE:
            file, line = locate_passage(ctx.root, passage, ctx.docs)
            out.append(
                warning(
                    file,
                    line,
                    f"passage {passage.id!r} is {len(passage.answer)} characters: the splitter "
                    "found no heading inside it; add a 'sections' hint in sources.yaml",
                )
            )
    return out


def _check_rewrites(ctx: _Context) -> list[Problem]:
    """Each `rewrite:` edit in overrides.yaml must find its text in the answer, change it only with
    words quoted from the passage's own article (no new facts), and leave an answer."""
    doc = ctx.docs.get("overrides.yaml")
    if ctx.overrides is None or doc is None:
        return []
    by_id = {p.id: p for p in ctx.raw}
    articles: dict[str, str] = {}
    out = []
    for pid, edits in ctx.overrides.rewrite.items():
        passage = by_id.get(pid)
        if passage is None:
            continue  # an unknown id: reported by _check_overrides
        if passage.curated:
            out.append(
                error(
                    "overrides.yaml",
                    doc.line("rewrite", pid, key=True),
                    f"rewrite {pid!r}: edit the curated entry's own file, {passage.source}, instead",
                )
            )
            continue
        if passage.source not in articles:
            try:
                articles[passage.source] = f" {normalise(source_text(ctx.root, passage.source))} "
            except OSError:
                articles[passage.source] = ""
        answer = passage.answer
        for i, edit in enumerate(edits):
            line = (
                doc.line("rewrite", pid, i) if isinstance(doc.data["rewrite"][pid], list) else doc.line("rewrite", pid)
            )
            if edit.old not in answer:
                out.append(
                    error(
                        "overrides.yaml",
                        line,
                        f"rewrite {pid!r}: {edit.old!r} is not in its answer (did the article change?); "
                        "`crampbot passages --json` shows the answers",
                    )
                )
                continue
            changed = edit.changed
            if changed and f" {normalise(changed)} " not in articles[passage.source]:
                out.append(
                    error(
                        "overrides.yaml",
                        line,
                        f"rewrite {pid!r}: {changed!r} is not in the article sources/{passage.source}; "
                        "rewrite only with the article's own words, never new facts",
                    )
                )
            answer = answer.replace(edit.old, edit.new, 1)
        if not answer.strip():
            out.append(
                error(
                    "overrides.yaml",
                    doc.line("rewrite", pid, key=True),
                    f"rewrite {pid!r} leaves no answer; exclude the passage instead",
                )
            )
    return out


def _check_edges(ctx: _Context) -> list[Problem]:
    """A warning for each answer that starts or ends mid-thought (the words are in edges.yaml), at the
    article line of the sentence, or a curated entry's answer. The splitter already dropped what
    could go, so what is left needs a person."""
    words, problems = read_edge_words(ctx.docs.get("edges.yaml"))
    if any(p.is_error for p in problems):
        return []
    entries = {e.id: e for e in ctx.entries}
    out = []
    for passage in ctx.final:  # curated entries too: the same rule holds for what maintainers write
        for edge in find_edges(passage.answer, words, passage.question):
            if passage.curated and passage.id in entries:
                file, line = passage.source, entries[passage.id].answer_line
                fix = "reword the answer"
            else:
                file, line = _sentence_line(ctx, passage, edge.sentence)
                fix = (
                    "mend it with 'rewrite:' in overrides.yaml (quoting the article) or exclude it; never edit articles"
                )
            out.append(warning(file, line, f"passage {passage.id!r} {edge.describe()}; {fix}"))
    return out


def _sentence_line(ctx: _Context, passage: Passage, sentence: str) -> tuple[str, int]:
    """Where in its article a passage's sentence is written, or else where its question is."""
    wanted = edge_phrase(sentence)[:60]
    try:
        lines = (ctx.root / "sources" / passage.source).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for n, text in enumerate(lines, start=1):
        if wanted and wanted in edge_phrase(text):
            return f"sources/{passage.source}", n
    return locate_passage(ctx.root, passage, ctx.docs)
