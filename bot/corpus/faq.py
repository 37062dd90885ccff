"""Curated FAQ entries: one small file per answer in `knowledge/faq/`, written by maintainers.

An entry is Markdown with a YAML front-matter header (the body is the answer) or a plain YAML
file with an `answer` key. Parsing never stops at the first mistake: it returns every problem
with its line, so `crampbot check` can list them all and the loader can refuse the first error.
This module knows nothing about passages; `bot.corpus` turns entries into them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import process

from bot.corpus import _yaml
from bot.corpus.markdown import inline
from bot.corpus.splitter import BULLET, MIN_ANSWER_CHARS
from bot.problems import Problem, error, warning
from bot.text.slugs import slugify

FAQ_DIR = "faq"
SUFFIXES = (".md", ".yaml", ".yml")
DEFAULT_TITLE = "crampbot FAQ"
LONG_ANSWER_CHARS = 1500  # a chat bubble people still read to the end
MAX_ANSWER_CHARS = 4000  # beyond this it is an article, not an answer
FIELDS = ("question", "alternates", "answer", "sources", "tags", "id", "title")
_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MARKDOWN_ITEM_RE = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")


@dataclass(frozen=True)
class FaqEntry:
    """One curated question and answer, with the references it rests on."""

    file: str  # relative to the knowledge folder: "faq/quinine.md"
    slug: str  # "quinine" -> passage id "faq.quinine"
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    title: str = DEFAULT_TITLE
    question_line: int = 1
    answer_line: int = 1
    reference_lines: tuple[int, ...] = ()
    alternate_lines: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return f"faq.{self.slug}"


def entry_files(knowledge: Path) -> list[Path]:
    """The entry files, sorted; editor leftovers (dotfiles, `~` backups) are not entries."""
    folder = knowledge / FAQ_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith((".", "_"))
    )


def ignored_files(knowledge: Path) -> list[Path]:
    """Files in faq/ that are not read, so `check` can say so instead of letting them silently do nothing."""
    folder = knowledge / FAQ_DIR
    if not folder.is_dir():
        return []
    keep = set(entry_files(knowledge))
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p not in keep and not p.name.startswith(".") and not p.name.endswith("~")
    )


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None when the file has no `---` header."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None


def markdown_to_answer(body: str) -> str:
    """Markdown-ish text -> an answer shaped like a split passage: one line per paragraph, "• " bullets.

    Maintainers wrap lines in their editors; the widget shows plain text, so wrapped lines are
    joined, list markers become bullets and emphasis markers and link syntax are dropped.
    """
    out: list[str] = []
    joinable = False  # whether the next non-blank line continues the last one
    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            joinable = False
            continue
        line = inline(line)
        if _MARKDOWN_ITEM_RE.match(line):
            out.append(f"{BULLET} {_MARKDOWN_ITEM_RE.sub('', line).strip()}")
            joinable = True
        elif joinable and out and (raw[:1].isspace() or not out[-1].startswith(BULLET)):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip().lstrip("#").strip())
            joinable = True
    return "\n".join(out)


def _one_or_more_texts(value: Any) -> tuple[str, ...] | None:
    """A list of non-empty texts (a single text counts as a list of one), or None when it is not."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and str(v).strip() for v in value):
        return None
    return tuple(str(v).strip() for v in value)


def parse_entry(path: Path, knowledge: Path) -> tuple[FaqEntry | None, list[Problem]]:
    """Read one entry file; returns the entry (None when it has errors) and every problem found."""
    rel = path.relative_to(knowledge).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [error(rel, 0, f"cannot read the file: {exc}")]
    body: str | None = None
    body_line = 1
    if path.suffix == ".md":
        parts = split_front_matter(text)
        if parts is None:
            return None, [
                error(
                    rel,
                    1,
                    "a Markdown entry starts with a '---' line, then the header "
                    "(question, alternates, sources, tags), then '---' and the answer",
                )
            ]
        header, body, body_line = parts
        offset = 1
    else:
        header, offset = text, 0
    try:
        doc = _yaml.parse(header, line_offset=offset)
    except _yaml.YamlSyntaxError as exc:
        return None, [error(rel, exc.line, exc.message)]
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            error(rel, 1 + offset, "the header must be 'key: value' lines (question, alternates, sources, tags)")
        ]

    problems: list[Problem] = []
    for key in data:
        if str(key) not in FIELDS:
            guess = process.extractOne(str(key), FIELDS, score_cutoff=70)
            hint = f"; did you mean '{guess[0]}'?" if guess else f"; known fields: {', '.join(FIELDS)}"
            problems.append(warning(rel, doc.line(str(key), key=True), f"unknown field '{key}' is ignored{hint}"))

    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        problems.append(
            error(
                rel, doc.line("question"), "missing 'question': the question this entry answers, as users would ask it"
            )
        )

    if body is not None and "answer" in data:
        problems.append(
            error(
                rel,
                doc.line("answer", key=True),
                "the answer is given twice: in the header's 'answer' and below the header; keep the one below",
            )
        )
    if body is None:
        raw_answer = data.get("answer")
        body_line = doc.line("answer")
        if raw_answer is not None and not isinstance(raw_answer, str):
            problems.append(error(rel, body_line, "'answer' must be text"))
            raw_answer = None
        body = raw_answer or ""
    answer = markdown_to_answer(body)
    if not answer:
        where = ": write it below the closing '---'" if path.suffix == ".md" else ": add an 'answer' text"
        problems.append(error(rel, body_line, f"the answer is empty{where}"))
    elif len(answer) > MAX_ANSWER_CHARS:
        problems.append(
            error(
                rel,
                body_line,
                f"the answer is {len(answer)} characters; the limit is {MAX_ANSWER_CHARS}. "
                "Split it into several entries",
            )
        )
    elif len(answer) > LONG_ANSWER_CHARS:
        problems.append(
            warning(
                rel,
                body_line,
                f"the answer is {len(answer)} characters; answers over "
                f"{LONG_ANSWER_CHARS} are hard to read in a chat bubble",
            )
        )
    elif len(answer) < MIN_ANSWER_CHARS:
        problems.append(warning(rel, body_line, f"the answer is only {len(answer)} characters; is it complete?"))

    lists: dict[str, tuple[str, ...]] = {}
    for key, required in (("alternates", False), ("sources", True), ("tags", False)):
        value = data.get(key)
        if value is None:
            if required:
                problems.append(
                    error(
                        rel,
                        doc.line(),
                        "missing 'sources': list the article passages (ids from "
                        "`crampbot passages`) or public pages this answer rests on",
                    )
                )
            lists[key] = ()
            continue
        items = _one_or_more_texts(value)
        if items is None:
            problems.append(
                error(rel, doc.line(key), f"'{key}' must be a list of texts, one per line starting with '- '")
            )
            items = ()
        lists[key] = items

    slug = slugify(path.stem, max_words=None, empty="entry")
    if "id" in data:
        raw_id = str(data["id"]).removeprefix("faq.")
        if not _SLUG_RE.fullmatch(raw_id):
            problems.append(
                error(
                    rel,
                    doc.line("id"),
                    f"id {data['id']!r} must be lower-case words joined by '-', like 'quinine-safety'",
                )
            )
        slug = raw_id
    title = data.get("title", DEFAULT_TITLE)
    if not isinstance(title, str) or not title.strip():
        problems.append(error(rel, doc.line("title"), "'title' must be text (it is shown as 'From: <title>')"))
        title = DEFAULT_TITLE

    if any(p.is_error for p in problems):
        return None, problems
    assert isinstance(question, str)
    entry = FaqEntry(
        file=rel,
        slug=slug,
        question=question.strip(),
        answer=answer,
        alternates=lists["alternates"],
        references=lists["sources"],
        tags=lists["tags"],
        title=title.strip(),
        question_line=doc.line("question"),
        answer_line=body_line,
        reference_lines=_item_lines(doc, "sources", len(lists["sources"])),
        alternate_lines=_item_lines(doc, "alternates", len(lists["alternates"])),
    )
    return entry, problems


def _item_lines(doc: _yaml.Located, key: str, n: int) -> tuple[int, ...]:
    return tuple(doc.line(key, i) for i in range(n))


def load_entries(knowledge: Path) -> tuple[list[FaqEntry], list[Problem]]:
    """Every entry in `knowledge/faq/` that parses without errors, and all problems found."""
    entries: list[FaqEntry] = []
    problems: list[Problem] = []
    for path in entry_files(knowledge):
        entry, found = parse_entry(path, knowledge)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    problems.extend(_duplicate_ids(entries))
    return entries, problems


def _duplicate_ids(entries: Sequence[FaqEntry]) -> list[Problem]:
    first: dict[str, FaqEntry] = {}
    out = []
    for entry in entries:
        if entry.id in first:
            out.append(
                error(
                    entry.file,
                    1,
                    f"id {entry.id!r} is already used by {first[entry.id].file}; "
                    "give this entry another file name or 'id'",
                )
            )
        first.setdefault(entry.id, entry)
    return out
