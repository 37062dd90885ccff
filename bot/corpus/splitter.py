"""One article's text -> (question, answer) sections: heading detection, lists and noise removal.

Pure functions only: the caller reads files and supplies the noise rules and manifest hints, so
the same code splits a scraped FAQ page, a long article with sub-sections and short prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.text.sentences import ARTICLE_SENTENCE_END_RE, ARTICLE_SENTENCE_SPLIT_RE, ELLIPSES

BULLET = "\u2022"
MIN_ANSWER_CHARS = 60  # shorter than the shortest useful passage: a fragment, not an answer
_ARTICLE_BULLET_RE = re.compile(
    r"^\s*(?:[\u25cf\u25a0\u2022\u25aa\u25e6\u2023\u2043\u2219\u00b7*]|[-\u2013](?=\s))[\s\u2299\u00a0]*"
)
_ODD_SPACE_RE = re.compile(r"[\u00a0\u2007\u202f\u2299\u200b\ufeff]")
_MULTI_SPACE_RE = re.compile(r"[ \t]+")
MAX_HEADING_CHARS = 90


@dataclass(frozen=True)
class NoiseRules:
    """What to drop from scraped text; read from `knowledge/noise.yaml`."""

    drop_lines: tuple[re.Pattern[str], ...] = ()
    strip_patterns: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def compile(cls, drop_lines: Iterable[str] = (), strip_patterns: Iterable[str] = ()) -> NoiseRules:
        return cls(
            drop_lines=tuple(re.compile(p, re.IGNORECASE) for p in drop_lines),
            strip_patterns=tuple(re.compile(p) for p in strip_patterns),
        )


@dataclass(frozen=True)
class SectionHint:
    """A heading the maintainers add where an article starts a new topic without one."""

    before: str  # the start of the paragraph that opens the section
    heading: str


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    parent: str | None = None

    @property
    def answer(self) -> str:
        return "\n".join(self.lines).strip()


def clean_line(line: str, rules: NoiseRules) -> str | None:
    """The line with odd spaces and inline noise removed, or None when the whole line is noise."""
    line = _ODD_SPACE_RE.sub(" ", line)
    for pattern in rules.strip_patterns:
        line = pattern.sub("", line)
    line = _MULTI_SPACE_RE.sub(" ", line).strip()
    if not line:
        return ""
    if any(p.fullmatch(line) for p in rules.drop_lines):
        return None
    return line


def is_bullet(line: str) -> bool:
    return bool(_ARTICLE_BULLET_RE.match(line)) and bool(_ARTICLE_BULLET_RE.sub("", line).strip())


def _is_heading_shape(line: str) -> bool:
    """Short, not a bullet, not a quotation, not ending like a sentence or a list lead-in."""
    if not line or len(line) > MAX_HEADING_CHARS or is_bullet(line):
        return False
    if line[0] in "\"'\u201c(" or line.endswith(ELLIPSES):
        return False
    if line.endswith("?"):
        return True
    if line[-1] in ".!:;,\"'\u201d)":
        return False
    return len(line.split()) <= 12


def _list_run_lines(lines: Sequence[str]) -> set[int]:
    """Indexes of short lines that form a list after a 'including:' style lead-in.

    Prose articles write lists as bare lines ("Sitting improperly") that look like headings;
    two or more in a row straight after a line ending in ':' are list items, not headings.
    """
    items: set[int] = set()
    i = 0
    while i < len(lines):
        if lines[i].endswith(":") and not is_bullet(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j] == "":
                j += 1
            run: list[int] = []  # line indices
            while j < len(lines) and not is_bullet(lines[j]):
                if lines[j] == "":
                    # Sentence-like items may continue after a blank line; a bare short line after
                    # a blank is more likely the next heading, so the run stops there.
                    k = j + 1
                    while k < len(lines) and lines[k] == "":
                        k += 1
                    if k < len(lines) and run and _is_list_sentence(lines[k]) and _is_list_sentence(lines[run[-1]]):
                        j = k
                        continue
                    break
                if len(lines[j]) > 200 or lines[j].endswith(":"):
                    break
                if run and lines[j].endswith(".") != lines[run[0]].endswith("."):
                    break  # items of one list share a shape; a change means the list ended
                run.append(j)
                j += 1
            if len(run) >= 2:
                items.update(run)
            i = j
        else:
            i += 1
    return items


def _is_list_sentence(line: str) -> bool:
    return 0 < len(line) <= 200 and line.endswith(".") and not is_bullet(line)


def _heading_indexes(lines: Sequence[str], list_items: set[int]) -> set[int]:
    headings: set[int] = set()
    for i, line in enumerate(lines):
        if i in list_items or not _is_heading_shape(line):
            continue
        nxt = next((x for x in lines[i + 1 :] if x), "")
        # A heading is followed by something; a lone short line at the end is a fragment.
        if nxt:
            headings.add(i)
    return headings


def _apply_hints(lines: list[str], hints: Sequence[SectionHint]) -> list[str]:
    out = list(lines)
    for hint in hints:
        for i, line in enumerate(out):
            if line.startswith(hint.before):
                out[i:i] = ["", hint.heading, ""]
                break
    return out


def _format_body(lines: Sequence[str], list_items: set[int], offset: int) -> list[str]:
    """Body lines -> display lines: one bullet per line, label bullets joined to their text."""
    out: list[str] = []
    pending_label: str | None = None
    for k, raw in enumerate(lines):
        if not raw:
            continue
        if is_bullet(raw):
            if pending_label is not None:
                out.append(pending_label)
            text = _ARTICLE_BULLET_RE.sub("", raw).strip()
            item = f"{BULLET} {text}"
            pending_label = item if text.endswith(":") else None
            if pending_label is None:
                out.append(item)
            continue
        if (k + offset) in list_items:
            text = raw
            out.append(f"{BULLET} {text}")
            continue
        if pending_label is not None:
            out.append(f"{pending_label} {raw}")
            pending_label = None
            continue
        out.append(raw)
    if pending_label is not None:
        out.append(pending_label)
    return _bullet_orphans(out)


def _bullet_orphans(lines: list[str]) -> list[str]:
    """A plain short line between two bullets lost its bullet in scraping; give it back."""
    out = list(lines)
    for i in range(1, len(out) - 1):
        if (
            not out[i].startswith(BULLET)
            and out[i - 1].startswith(BULLET)
            and out[i + 1].startswith(BULLET)
            and len(out[i]) <= 200
            and not out[i].endswith(":")
        ):
            out[i] = f"{BULLET} {out[i]}"
    return out


def trim_truncation(text: str) -> str:
    """Drop the unfinished sentences a scraper cut off with '...'.

    "Stretch. Then ..." keeps "Stretch."; a sentence with '...' in its middle was spliced from
    two pages and is dropped whole.
    """
    kept_lines = []
    for line in text.split("\n"):
        body = line
        if body.rstrip().endswith(ELLIPSES):
            body = body.rstrip().rstrip(".\u2026").rstrip()
            ends = list(ARTICLE_SENTENCE_END_RE.finditer(body))
            prefix = BULLET + " " if body.startswith(BULLET) else ""
            if ends:
                body = body[: ends[-1].end()]
            elif not (body.endswith(":") or (prefix and len(body) > 2)):
                body = ""  # a list item or label cut short is still a complete item; other text is not
        sentences = ARTICLE_SENTENCE_SPLIT_RE.split(body) if body else []
        body = " ".join(s for s in sentences if " ... " not in s and " \u2026 " not in s)
        if body.strip():
            kept_lines.append(body)
    if kept_lines and kept_lines[-1].endswith(":") and not kept_lines[-1].startswith(BULLET):
        # "...may include:" with the list lost in scraping: drop the dangling lead-in sentence.
        sentences = ARTICLE_SENTENCE_SPLIT_RE.split(kept_lines[-1])
        kept_lines[-1] = " ".join(sentences[:-1])
        if not kept_lines[-1]:
            kept_lines.pop()
    return "\n".join(kept_lines)


def split_article(
    text: str,
    *,
    title: str,
    rules: NoiseRules = NoiseRules(),
    lead_heading: str | None = None,
    hints: Sequence[SectionHint] = (),
) -> list[Section]:
    """Split an article into sections, one per heading, in reading order.

    Text before the first heading is kept under `lead_heading` (or dropped when there is none).
    Headings that repeat the article title, and headings with nothing under them, do not become
    sections: the latter become the `parent` of the section right after them.
    """
    cleaned = [clean_line(line, rules) for line in text.splitlines()]
    lines = [line for line in cleaned if line is not None]
    lines = _apply_hints(lines, hints)
    list_items = _list_run_lines(lines)
    headings = _heading_indexes(lines, list_items)

    sections: list[Section] = []
    current_heading = lead_heading
    start = 0
    pending_parent: str | None = None

    def close(end: int) -> None:
        nonlocal pending_parent
        body = _format_body(lines[start:end], list_items, start)
        if current_heading is None:
            return
        answer = trim_truncation("\n".join(body))
        if not answer:
            # A topic heading with nothing under it ("Underlying Health Conditions") gives context
            # to the section after it; an empty question heading is a scraped dead end.
            if not current_heading.endswith("?") and not _same_text(current_heading, title):
                pending_parent = current_heading
            return
        sections.append(Section(heading=current_heading, lines=answer.split("\n"), parent=pending_parent))
        pending_parent = None

    for i, line in enumerate(lines):
        if i in headings:
            close(i)
            current_heading = line
            start = i + 1
    close(len(lines))
    return sections


def _same_text(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(a.casefold(), b.casefold()) >= 95
