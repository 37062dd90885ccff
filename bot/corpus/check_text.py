"""The text-level checks of `crampbot check`: duplicate questions, red-flag words, synonyms, intents.

Each compares knowledge text the way the bot will (through `normalise`), so a finding here is a
real effect on answers: two entries competing for one question, a lexicon word that escalates
ordinary questions, a synonym that can never help.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.corpus import _yaml
from bot.corpus.faq import FaqEntry
from bot.corpus.knowledge import SYNONYM_SECTIONS, read_intents, read_synonyms
from bot.corpus.passages import Passage
from bot.problems import Problem, error, warning
from bot.retrieval.subject import subject_words
from bot.text.normalise import normalise
from bot.text.sentences import first_sentence
from bot.text.stems import stem
from bot.text.words import QUESTION_WORDS, STOP_WORDS

DUPLICATE_RATIO = 92  # rapidfuzz token_sort_ratio on normalised questions
_BLOCK_KEYS = 3  # compare questions sharing one of their 3 rarest words (see similar_pairs)


class Locator:
    """Where a passage's question or alternate phrasing is written, as (file, line)."""

    def __init__(self, root: Path, docs: Mapping[str, _yaml.Located], entries: Sequence[FaqEntry]) -> None:
        self.root = root
        self.docs = docs
        self.entries = {e.id: e for e in entries}
        self._lines: dict[str, list[str]] = {}

    def question(self, passage: Passage) -> tuple[str, int]:
        overrides = self.docs.get("overrides.yaml")
        if overrides is not None and passage.id in _section(overrides, "retitle"):
            return "overrides.yaml", overrides.line("retitle", passage.id)
        if passage.id in self.entries:
            return passage.source, self.entries[passage.id].question_line
        return self._article_line(passage)

    def alternate(self, passage: Passage, index: int) -> tuple[str, int]:
        entry = self.entries.get(passage.id)
        if entry is not None and index < len(entry.alternate_lines):
            return passage.source, entry.alternate_lines[index]
        index -= len(entry.alternates) if entry else 0  # an entry's own alternates come first,
        for file in ("overrides.yaml", "alternates.yaml"):  # then these files', in this order
            doc = self.docs.get(file)
            listed = _section(doc, "alternates").get(passage.id) if doc is not None else None
            if doc is not None and isinstance(listed, list):
                if index < len(listed):
                    return file, doc.line("alternates", passage.id, index)
                index -= len(listed)
        return self.question(passage)

    def _article_line(self, passage: Passage) -> tuple[str, int]:
        rel = f"sources/{passage.source}"
        if rel not in self._lines:
            try:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._lines[rel] = [normalise(line) for line in text.splitlines()]
        wanted = normalise(passage.question)
        for n, line in enumerate(self._lines[rel], start=1):
            if line == wanted:
                return rel, n
        manifest = self.docs.get("sources.yaml")  # a lead_heading or a section hint
        if manifest is not None and manifest.node is not None:
            for n, line in enumerate((self.root / "sources.yaml").read_text(encoding="utf-8").splitlines(), start=1):
                if wanted and wanted in normalise(line):
                    return "sources.yaml", n
        return rel, 1


def locate_passage(root: Path, passage: Passage, docs: Mapping[str, _yaml.Located]) -> tuple[str, int]:
    return Locator(root, docs, ()).question(passage)


def _section(doc: _yaml.Located, key: str) -> Mapping[str, Any]:
    value = doc.data.get(key) if isinstance(doc.data, dict) else None
    return value if isinstance(value, dict) else {}


def check_duplicates(
    root: Path,
    passages: Sequence[Passage],
    entries: Sequence[FaqEntry],
    docs: Mapping[str, _yaml.Located],
    same_question: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Questions (and alternate phrasings) of different passages that are the same or nearly so.

    Two curated entries asking the same thing is an error: which one answers is a coin toss.
    A curated entry copying an article question, or two articles asking the same thing, is a
    warning: the curated entry wins ties, and overlapping articles are common and harmless. Two
    articles' passages stay quiet when one is listed in `same_question` (overrides.yaml) with the
    reason both are kept.
    """
    same_question = same_question or {}
    owner: list[int] = []
    texts: list[str] = []
    alt_index: list[int] = []  # -1 for the question itself
    for i, passage in enumerate(passages):
        for j, phrasing in enumerate((passage.question, *passage.alternates)):
            text = normalise(phrasing)
            if text:
                owner.append(i)
                texts.append(text)
                alt_index.append(j - 1)
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for a, b, score in similar_pairs(texts):
        pa, pb = owner[a], owner[b]
        if pa == pb:
            continue
        key = (min(pa, pb), max(pa, pb))
        if key not in best or score > best[key][0]:
            best[key] = (score, a, b) if pa < pb else (score, b, a)
    locator = Locator(root, docs, entries)
    out = []
    for (pa, pb), (score, ta, tb) in sorted(best.items()):
        first, second = passages[pa], passages[pb]
        where_a = _where(locator, first, alt_index[ta])
        where_b = _where(locator, second, alt_index[tb])
        verb = "duplicates" if texts[ta] == texts[tb] else f"nearly duplicates ({score:.0f}%)"
        if first.curated and second.curated:
            out.append(
                error(
                    *where_b,
                    f"question {_phrasing(second, alt_index[tb])!r} {verb} "
                    f"{_phrasing(first, alt_index[ta])!r} "
                    f"of {first.id} ({where_a[0]}:{where_a[1]}); merge the two entries or make the "
                    "questions distinct",
                )
            )
        elif first.curated or second.curated:
            (cur, c_alt, c_where), (art, a_alt, a_where) = sorted(
                ((first, alt_index[ta], where_a), (second, alt_index[tb], where_b)), key=lambda x: not x[0].curated
            )
            out.append(
                warning(
                    *c_where,
                    f"question {_phrasing(cur, c_alt)!r} {verb} {_phrasing(art, a_alt)!r} of "
                    f"article passage {art.id} ({a_where[0]}:{a_where[1]}); the curated entry wins "
                    "ties; if it replaces that passage, exclude it in overrides.yaml",
                )
            )
        elif first.id not in same_question and second.id not in same_question:
            out.append(
                warning(
                    *where_b,
                    f"{_phrasing(second, alt_index[tb])!r} ({second.id}) {verb} {first.id} "
                    f"({where_a[0]}:{where_a[1]}); retitle or exclude one in overrides.yaml, or list one under "
                    "same_question with the reason both are kept",
                )
            )
    return out


def similar_pairs(texts: Sequence[str], cutoff: float = DUPLICATE_RATIO) -> Iterator[tuple[int, int, float]]:
    """Index pairs (a < b) of texts whose word-order-insensitive similarity is at least `cutoff`.

    Comparing every pair is quadratic (10,000 questions: 50 million pairs). Texts that similar
    share nearly all their words, so each text is compared only with the texts that share one of
    its three rarest words; on sorted words, plain `ratio` equals `token_sort_ratio`.
    """
    words = [t.split() for t in texts]
    keys_of = [set(w) - STOP_WORDS - QUESTION_WORDS or set(w) for w in words]
    frequency = Counter(k for keys in keys_of for k in keys)
    postings: dict[str, list[int]] = defaultdict(list)
    rarest = [sorted(keys, key=lambda k: (frequency[k], k))[:_BLOCK_KEYS] for keys in keys_of]
    for i, keys in enumerate(rarest):
        for key in keys:
            postings[key].append(i)
    ordered = [" ".join(sorted(w)) for w in words]
    for a, keys in enumerate(rarest):
        candidates = sorted({b for key in keys for b in postings[key] if b > a})
        if not candidates:
            continue
        for _, score, b in process.extract(
            ordered[a], {b: ordered[b] for b in candidates}, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            yield a, int(b), float(score)


def _where(locator: Locator, passage: Passage, alt: int) -> tuple[str, int]:
    return locator.question(passage) if alt < 0 else locator.alternate(passage, alt)


def _phrasing(passage: Passage, alt: int) -> str:
    return passage.question if alt < 0 else passage.alternates[alt]


_WORD_RE = re.compile(r"[a-z0-9]+")


def corpus_words(passages: Sequence[Passage]) -> list[list[str]]:
    """Each passage's words (question, alternates, answer), lower-cased, in order.

    A plain word split rather than `normalise`: the checks below look up single content words,
    which contractions do not affect, and this is 20 times faster on 10,000 passages.
    """
    return [_WORD_RE.findall(" ".join((p.question, *p.alternates, p.answer)).casefold()) for p in passages]


def check_synonyms(doc: _yaml.Located | None, corpus: Sequence[Sequence[str]]) -> list[Problem]:
    """The loader's rules (`read_synonyms`), then what needs the passages: synonyms that loop,
    chain onto another lay phrase, or expand to words no passage uses."""
    if doc is None:
        return []
    out = [problem for section in SYNONYM_SECTIONS for problem in read_synonyms(doc, section)[1]]
    rel = "synonyms.yaml"
    flat: dict[str, tuple[list[str], int, str]] = {}
    for section in SYNONYM_SECTIONS:
        mapping = doc.data.get(section) if isinstance(doc.data, dict) else None
        for key, value in mapping.items() if isinstance(mapping, dict) else ():
            phrase = normalise(str(key))
            values = [value] if isinstance(value, str) else value
            words = isinstance(values, list) and all(isinstance(v, str) and normalise(v) for v in values)
            if phrase and values and words:
                flat[phrase] = ([normalise(v) for v in values], doc.line(section, str(key), key=True), str(key))

    graph = {
        k: {o for o in flat if o != k and re.search(rf"\b{re.escape(o)}\b", " ".join(targets))}
        for k, (targets, _, _) in flat.items()
    }
    in_cycle: set[str] = set()
    for cycle in _cycles(graph):
        in_cycle.update(cycle)
        start = min(cycle, key=lambda k: flat[k][1])
        i = cycle.index(start)
        ordered = cycle[i:] + cycle[:i]
        loop = " -> ".join(flat[k][2] for k in (*ordered, start))
        out.append(error(rel, flat[start][1], f"synonyms loop: {loop}; map each lay phrase onto the articles' words"))
    stems = {stem(w) for w in {w for words in corpus for w in words}}
    for phrase, (targets, line, key) in flat.items():
        for target in targets:
            if target in flat and phrase not in in_cycle:
                out.append(
                    warning(
                        rel,
                        line,
                        f"{key!r} maps onto {flat[target][2]!r}, which is itself a lay phrase here "
                        f"and is not expanded again; map onto {' '.join(flat[target][0])!r} instead",
                    )
                )
            missing = [w for w in target.split() if w not in STOP_WORDS and stem(w) not in stems]
            if missing:
                out.append(
                    warning(
                        rel,
                        line,
                        f"{key!r} maps to {', '.join(repr(w) for w in missing)}, which no passage "
                        "uses, so it cannot help find an answer",
                    )
                )
    return out


def check_intents(doc: _yaml.Located | None) -> list[Problem]:
    """The problems of intents.yaml: the loader's own rules (`read_intents`), one definition."""
    return read_intents(doc)[1]


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Each elementary cycle once (as found by depth-first search), as a list of nodes."""
    found: dict[frozenset[str], list[str]] = {}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                found.setdefault(frozenset(cycle), list(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return list(found.values())


def check_curated_openings(entries: Sequence[FaqEntry], not_subject: frozenset[str]) -> list[Problem]:
    """A warning for each curated answer whose first sentence does not name what its question asks about.

    A bare "It can." or "They can." reads as an answer to whatever the user asked: if the bot ever
    shows the entry for a question about something else ("is CBD oil good for cramps?"), it seems
    to endorse that. "Sports drinks can help: ..." cannot be misread.
    """
    problems = []
    for entry in entries:
        subject = subject_words(entry.question, not_subject)
        opening = first_sentence(entry.answer)
        if subject and not {stem(w) for w in subject} & {stem(w) for w in normalise(opening).split()}:
            problems.append(
                warning(
                    entry.file,
                    entry.answer_line,
                    f"the answer's first sentence {opening!r} does not name what the question asks "
                    f"about ({' '.join(dict.fromkeys(subject))}); a bare 'It can.' reads as an "
                    "answer to any question: start like 'Sports drinks can help: ...'",
                )
            )
    return problems
