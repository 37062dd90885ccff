"""Markdown -> the plain text the splitter and the chat bubble expect.

Maintainers write new articles and curated answers in Markdown; the splitter was built for
scraped plain text and the widget shows plain text. Only the few marks people actually use are
handled: `#` headings, `-`/`*` lists, `**bold**`/`__bold__`/`*italic*`, `[links](url)`.
"""

from __future__ import annotations

import re

_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_EMPHASIS_RE = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK_RE = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_CODE_RE = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Emphasis and code marks removed, links as 'text (url)'."""
    text = _LINK_RE.sub(r"\1 (\2)", text)
    text = _CODE_RE.sub(r"\1", text)
    return _EMPHASIS_RE.sub(lambda m: m.group(2) or m.group(3), text)


def plain_article(text: str) -> str:
    """A Markdown article as plain lines: headings lose their '#' (and a trailing '.' or ':' that
    would hide them from the splitter), inline marks go; lists stay for the splitter to bullet.

    A leading `# Title` is the article's title (the manifest has it), not a section: it is dropped,
    so the text under it is the lead, kept only under the manifest's `lead_heading`.
    """
    out: list[str] = []
    for line in text.splitlines():
        heading = _HEADING_RE.match(line)
        if heading and line.lstrip().startswith("# ") and not any(x.strip() for x in out):
            continue
        if heading:
            out.extend(["", inline(heading.group(1)).rstrip(".:").strip(), ""])
        else:
            out.append(inline(line))
    return "\n".join(out)
