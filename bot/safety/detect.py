"""Red-flag detection: the user's message -> the escalation advice it needs, if any.

Pure and dependent only on its lexicon (bot/safety_lexicon.py) and `bot.text`: whatever the
retriever does, the same message always gets the same escalation. Negation and hypotheticals
never suppress a flag ("no chest pain but...", "what if I faint"), because a missed emergency
costs far more than an unneeded reminder; docs/safety.md explains the whole policy.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.safety.lexicon import (
    LEVELS,
    Chunk,
    Flag,
    Level,
    Lexicon,
    LexiconError,
    LexiconIssue,
    Phrase,
    canonical,
    load_lexicon,
)
from bot.text.normalise import normalise
from bot.text.words import PHRASE_FILLER_WORDS, PHRASE_STOP_WORDS

__all__ = [
    "LEVELS",
    "Escalation",
    "Level",
    "Lexicon",
    "LexiconError",
    "LexiconIssue",
    "Match",
    "check_lexicon",
    "detect",
    "detect_all",
    "load_lexicon",
]


# Ordinary phrases ("red meat") never reach across these: a full stop or comma ends a thought.
_BREAK_RE = re.compile(r"[.!?;,:()\[\]\n\r]+|\s[-\u2013\u2014]+\s")
_BREAK = " qbrkq "
_CACHE_LIMIT = 50_000
_MAX_COMBINATIONS = 512
_RESULT_CACHE_LIMIT = 2048  # the same message is often sent again (retries, FAQs)


@dataclass(frozen=True)
class Escalation:
    """What the reply must add: the winning level, every flag that fired, and the advice."""

    level: Level
    terms: tuple[str, ...]  # names of all flags that fired, most urgent first
    message: str
    matches: tuple[Match, ...] = ()


@dataclass(frozen=True)
class Match:
    """One flag that fired and why: the lexicon phrase, its line, and the user's words."""

    flag: str
    level: Level
    phrase: str
    line: int
    words: tuple[str, ...]
    typos: tuple[tuple[str, str], ...] = ()  # (typed word, red-flag word it was read as)


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """Normalised words and, for each, the number of the sentence-like piece it belongs to."""
    parts = normalise(_BREAK_RE.sub(_BREAK, text)).split(" ")
    if "qbrkq" not in parts:
        return ([w for w in parts if w], [0] * len(parts)) if parts != [""] else ([], [])
    piece_of = itertools.accumulate((p == "qbrkq" for p in parts), initial=0)
    # piece_of has one more item than parts (its initial 0)
    kept = [(w, piece) for w, piece in zip(parts, piece_of, strict=False) if w and w != "qbrkq"]
    return [w for w, _ in kept], [piece for _, piece in kept]


def _one_edit(typed: str, spelling: str) -> bool:
    return abs(len(spelling) - len(typed)) <= 1 and OSA.distance(typed, spelling, score_cutoff=1) <= 1


def _contraction(word: str, lexicon: Lexicon) -> str:
    """The negative contraction `word` is a one-letter typo of, spelled out ("cnat" -> "can not"),
    or "" when it is none: the typed word must be a non-word (not common, not a guard word, not a
    red-flag or ordinary-phrase word) of 4+ letters whose first letter is right."""
    cached = lexicon.contraction_cache.get(word)
    if cached is not None:
        return cached
    found = ""
    if (
        len(word) >= lexicon.fuzzy_min_length
        and word.isalpha()
        and word not in lexicon.common_words
        and word not in lexicon.guard_words
        and word not in lexicon.plain_words
        and canonical(word, lexicon.forms) not in lexicon.vocabulary
    ):
        found = next((s for typed, s in lexicon.contraction_targets.get(word[0], ()) if _one_edit(word, typed)), "")
    if len(lexicon.contraction_cache) > _CACHE_LIMIT:
        lexicon.contraction_cache.clear()
    lexicon.contraction_cache[word] = found
    return found


def _spell_out_contractions(
    words: list[str], pieces: list[int], lexicon: Lexicon
) -> tuple[list[str], list[int], dict[int, tuple[str, str]]]:
    """Words and pieces with mistyped negative contractions spelled out ("cnat" -> "can", "not"),
    and, for each position that came from one, (typed word, reading) for explanations."""
    readings = [_contraction(word, lexicon) if len(word) >= lexicon.fuzzy_min_length else "" for word in words]
    if not any(readings):
        return words, pieces, {}
    out_words: list[str] = []
    out_pieces: list[int] = []
    misspelt: dict[int, tuple[str, str]] = {}
    for word, piece, reading in zip(words, pieces, readings, strict=True):
        for part in reading.split(" ") if reading else [word]:
            if reading:
                misspelt[len(out_words)] = (word, reading)
            out_words.append(part)
            out_pieces.append(piece)
    return out_words, out_pieces, misspelt


def _lookup(word: str, lexicon: Lexicon) -> tuple[str, frozenset[str], bool]:
    """(canonical form, red-flag forms it stands for, whether that is a typo reading)."""
    cached = lexicon.token_cache.get(word)
    if cached is not None:
        return cached
    canon = canonical(word, lexicon.forms)
    result: tuple[str, frozenset[str], bool] = (canon, frozenset(), False)
    if canon in PHRASE_STOP_WORDS:
        pass  # small words are found through the word list when a `+` chunk needs them
    elif canon in lexicon.vocabulary:
        result = (canon, frozenset({canon}), False)
    elif (
        len(word) >= lexicon.fuzzy_min_length
        and word.isalpha()
        and word not in lexicon.guard_words
        and word not in lexicon.plain_words
        and canon not in lexicon.plain_words
    ):
        limit = 2 if len(word) >= lexicon.fuzzy_long_word else 1
        hits = frozenset(
            target_canon
            for spelling, target_canon in lexicon.fuzzy_targets.get(word[0], ())
            if abs(len(spelling) - len(word)) <= limit and OSA.distance(word, spelling, score_cutoff=limit) <= limit
        )
        if word not in lexicon.common_words:  # "heat" is a word, never "heart" mistyped
            hits |= {
                target_canon
                for spelling, target_canon in lexicon.chunk_targets.get(word[0], ())
                if _one_edit(word, spelling)
            }
        if hits:
            result = (canon, hits, True)
    if len(lexicon.token_cache) > _CACHE_LIMIT:
        lexicon.token_cache.clear()
    lexicon.token_cache[word] = result
    return result


def _chunk_spans(chunk: Chunk, positions: dict[str, list[int]], canons: list[str], gap: int) -> list[tuple[int, int]]:
    """(first, last) word positions where the chunk's words occur in order, `gap` apart at most.

    Small words ("my", "of") are not indexed, so they are looked up in the word list directly.
    """
    if len(chunk) == 1:
        return [(p, p) for word in chunk[0] if word in positions for p in positions[word]]
    per_atom: list[list[int] | None] = []
    for atom in chunk:
        if atom <= PHRASE_STOP_WORDS:
            per_atom.append(None)
            continue
        found = [p for word in atom if word in positions for p in positions[word]]
        if not found:
            return []  # a word of the chunk is missing: the usual, cheap case
        per_atom.append(sorted(found))
    first = per_atom[0]
    if first is None:  # a small first word ("a+minute"): look just before the first indexed word
        k = next((k for k, at in enumerate(per_atom) if at is not None), None)
        if k is None:
            first = [i for i, canon in enumerate(canons) if canon in chunk[0]]
        else:
            reach = k * (1 + gap)
            near = {j for q in per_atom[k] or () for j in range(max(0, q - reach), q)}
            first = sorted(j for j in near if canons[j] in chunk[0])
    spans: list[tuple[int, int]] = []
    for start in first:
        end = start
        for atom, at in zip(chunk[1:], per_atom[1:], strict=True):
            if at is None:
                end = next((j for j in range(end + 1, min(end + 2 + gap, len(canons))) if canons[j] in atom), -1)
                if end < 0:
                    break
                continue
            i = bisect.bisect_right(at, end)
            if i == len(at) or at[i] > end + 1 + gap:
                break
            end = at[i]
        else:
            spans.append((start, end))
    return spans


def _match_phrase(
    phrase: Phrase, positions: dict[str, list[int]], canons: list[str], content_before: list[int], lexicon: Lexicon
) -> tuple[int, ...] | None:
    """Positions of the words that fill every slot of `phrase` close together, or None.

    Distance counts only content words: "redness on the back of my leg" has one word ("back")
    between "redness" and "leg".
    """
    per_slot: list[list[tuple[int, int]]] = []
    for starts in phrase.chunks_by_first:
        spans = [
            s
            for word in starts.keys() & positions.keys()
            for chunk in starts[word]
            for s in _chunk_spans(chunk, positions, canons, lexicon.chunk_gap)
        ]
        if not spans:
            return None
        per_slot.append(spans)
    if len(per_slot) == 1:
        start, end = per_slot[0][0]
        return tuple(range(start, end + 1))
    return _combine(per_slot, content_before, (len(per_slot) - 1) * lexicon.window)


def _combine(per_slot: list[list[tuple[int, int]]], content_before: list[int], allowed: int) -> tuple[int, ...] | None:
    """One span per slot, no two overlapping, with at most `allowed` content words between them.

    Starts from the slot with the fewest spans and only tries spans of the other slots that are
    near it, so long messages full of "leg" and "cramp" stay cheap.
    """
    per_slot = sorted(per_slot, key=len)
    if len(per_slot) == 2:
        return _combine_two(per_slot[0], sorted(per_slot[1]), content_before, allowed)
    reach = allowed + 8 * len(per_slot)  # chunks are short; anything further cannot fit
    for anchor in per_slot[0]:
        here = content_before[anchor[0]]
        near = [[s for s in spans if abs(content_before[s[0]] - here) <= reach] for spans in per_slot[1:]]
        if not all(near):
            continue
        for rest in itertools.islice(itertools.product(*near), _MAX_COMBINATIONS):
            ordered = sorted((anchor, *rest))
            if any(a[1] >= b[0] for a, b in itertools.pairwise(ordered)):
                continue  # two slots may not share a word
            if sum(content_before[b[0]] - content_before[a[1] + 1] for a, b in itertools.pairwise(ordered)) <= allowed:
                return tuple(p for s, e in ordered for p in range(s, e + 1))
    return None


def _combine_two(
    first: list[tuple[int, int]], second: list[tuple[int, int]], content_before: list[int], allowed: int
) -> tuple[int, ...] | None:
    """`_combine` for two slots: for each span of `first`, only the nearest spans of `second` matter."""
    starts = [s for s, _ in second]
    for a_start, a_end in first:
        after = bisect.bisect_right(starts, a_end)
        if after < len(second) and content_before[second[after][0]] - content_before[a_end + 1] <= allowed:
            b_start, b_end = second[after]
            return (*range(a_start, a_end + 1), *range(b_start, b_end + 1))
        for b_start, b_end in reversed(second[: bisect.bisect_left(starts, a_start)]):
            if b_end < a_start:
                if content_before[a_start] - content_before[b_end + 1] <= allowed:
                    return (*range(b_start, b_end + 1), *range(a_start, a_end + 1))
                if content_before[a_start] - content_before[b_start] > allowed + 8:
                    break
    return None


def _masked(
    infos: list[tuple[str, frozenset[str], bool]], pieces: list[int], starts: list[int], lexicon: Lexicon
) -> set[int]:
    """Positions used by ordinary phrases ("red meat"), which must not count towards a flag.

    A word read as a typo counts as the word it stands for here too: "I can't stnad this" is the
    ordinary "can't stand this", not "can't stand" (unable to walk).
    """
    masked: set[int] = set()
    for i in starts:
        firsts = {infos[i][0], *infos[i][1]}
        for mask_index in sorted({m for word in firsts for m in lexicon.mask_starts.get(word, ())}):
            mask, end, used = lexicon.masks[mask_index], i, [i]
            for atom in mask[1:]:
                end = next(
                    (
                        j
                        for j in range(end + 1, min(end + 2 + lexicon.chunk_gap, len(infos)))
                        if (infos[j][0] in atom or not atom.isdisjoint(infos[j][1])) and pieces[j] == pieces[i]
                    ),
                    -1,
                )
                if end < 0:
                    break
                used.append(end)
            else:
                masked.update(used)
    return masked


def _passing_pieces(
    flag: Flag, canons: list[str], pieces: list[int], content_before: list[int], lexicon: Lexicon
) -> set[int]:
    """The sentence parts in which the message says `flag` passed (one of its `when` phrases), or
    none when anything anywhere in the message keeps it (an `unless` phrase). Both are read
    spelled right, ordinary phrases included: "excruciating for a minute. Still hurts" keeps it."""
    everywhere: dict[str, list[int]] = {}
    by_piece: dict[int, dict[str, list[int]]] = {}
    for i, canon in enumerate(canons):
        everywhere.setdefault(canon, []).append(i)
        by_piece.setdefault(pieces[i], {}).setdefault(canon, []).append(i)

    def says(phrases: tuple[Phrase, ...], positions: dict[str, list[int]]) -> bool:
        return any(
            all(not need.isdisjoint(positions) for need in p.needs)  # cheap: every slot has a word here
            and _match_phrase(p, positions, canons, content_before, lexicon) is not None
            for p in phrases
        )

    if says(flag.suppressed_unless, everywhere):
        return set()
    return {piece for piece, positions in by_piece.items() if says(flag.suppressed_when, positions)}


def _match(
    phrase: Phrase,
    used: tuple[int, ...],
    words: list[str],
    infos: list[tuple[str, frozenset[str], bool]],
    misspelt: dict[int, tuple[str, str]],
) -> Match:
    """The Match for `phrase` filled by the words at `used`, with the typos read on the way."""
    typos = [misspelt.get(p) or (words[p], "/".join(sorted(infos[p][1]))) for p in used if infos[p][2] or p in misspelt]
    words_used = tuple(words[p] for p in used)
    return Match(phrase.flag, phrase.level, phrase.source, phrase.line, words_used, tuple(dict.fromkeys(typos)))


def detect_all(text: str, lexicon: Lexicon) -> tuple[Match, ...]:
    """Every flag that fires in `text` (one Match each, lexicon order): the basis of `detect`."""
    cached = lexicon.result_cache.get(text)
    if cached is not None:
        return cached
    words, pieces, misspelt = _spell_out_contractions(*_tokens(text), lexicon)
    cache = lexicon.token_cache
    infos = [cache.get(word) or _lookup(word, lexicon) for word in words]
    hit_positions = [i for i, info in enumerate(infos) if info[1]]
    mask_starts = [
        i
        for i, info in enumerate(infos)
        if info[0] in lexicon.mask_starts or (info[2] and any(hit in lexicon.mask_starts for hit in info[1]))
    ]
    masked = _masked(infos, pieces, mask_starts, lexicon) if mask_starts else set()
    positions: dict[str, list[int]] = {}
    for i in hit_positions:
        if i not in masked:
            for hit in infos[i][1]:
                positions.setdefault(hit, []).append(i)
    candidates = sorted({p for word in positions for p in lexicon.anchors.get(word, ())})
    content_before = list(itertools.accumulate((w not in PHRASE_FILLER_WORDS for w in words), initial=0))
    canons = [info[0] for info in infos]
    matches: dict[str, Match] = {}
    for index in candidates:
        phrase = lexicon.phrases[index]
        if phrase.flag in matches or any(need.isdisjoint(positions) for need in lexicon.needs[index]):
            continue
        used_positions = _match_phrase(phrase, positions, canons, content_before, lexicon)
        if used_positions is not None:
            matches[phrase.flag] = _match(phrase, used_positions, words, infos, misspelt)
    for name in [n for n in matches if lexicon.flags[lexicon.flag_order[n]].suppressed_when]:
        # A suppressed flag ("agonising for a minute, then gone") still fires on its words in
        # any other sentence part: "My cramps go in a minute. Tonight: severe pain."
        flag = lexicon.flags[lexicon.flag_order[name]]
        passing = _passing_pieces(flag, canons, pieces, content_before, lexicon)
        if not passing:
            continue
        outside = {w: kept for w, ps in positions.items() if (kept := [p for p in ps if pieces[p] not in passing])}
        del matches[name]
        for phrase in flag.phrases:
            used_positions = _match_phrase(phrase, outside, canons, content_before, lexicon)
            if used_positions is not None:
                matches[name] = _match(phrase, used_positions, words, infos, misspelt)
                break
    result = tuple(sorted(matches.values(), key=lambda m: lexicon.flag_order[m.flag]))
    if len(lexicon.result_cache) > _RESULT_CACHE_LIMIT:
        lexicon.result_cache.clear()
    lexicon.result_cache[text] = result
    return result


def detect(text: str, lexicon: Lexicon) -> Escalation | None:
    """The escalation `text` needs, or None. `emergency` wins; `terms` lists every flag that fired."""
    matches = detect_all(text, lexicon)
    if not matches:
        return None
    level = next(level for level in LEVELS if any(m.level == level for m in matches))
    terms = tuple(dict.fromkeys(m.flag for lv in LEVELS for m in matches if m.level == lv))
    return Escalation(level=level, terms=terms, message=lexicon.messages[level], matches=matches)


def check_lexicon(lexicon: Lexicon, ordinary: Iterable[str] = ()) -> list[LexiconIssue]:
    """Problems a maintainer should fix in the lexicon file (empty list: all good).

    A lexicon that loads can still be wrong: an ordinary leg-cramp phrase that raises a flag, a
    guard word that is itself a red-flag word, a phrase written twice. `crampbot check` reads the
    ordinary phrases from knowledge/eval/ordinary_words.yaml and passes them in.
    """
    problems: list[LexiconIssue] = []
    for text in ordinary:
        for match in detect_all(text, lexicon):
            problems.append(
                LexiconIssue(
                    match.line,
                    f"ordinary phrase {text!r} raises flag {match.flag!r} through phrase {match.phrase!r}",
                )
            )
    for word in sorted(lexicon.guard_words):
        if canonical(word, lexicon.forms) in lexicon.vocabulary:
            problems.append(
                LexiconIssue(0, f"guard word {word!r} is itself a red-flag word; remove it from guard_words")
            )
    seen: dict[tuple[object, ...], Phrase] = {}
    for phrase in lexicon.phrases:
        key = tuple(sorted(map(repr, phrase.slots)))
        if key in seen:
            problems.append(
                LexiconIssue(
                    phrase.line, f"phrase {phrase.source!r} repeats {seen[key].source!r} (line {seen[key].line})"
                )
            )
        seen.setdefault(key, phrase)
    return problems
