"""The same question in different words, grouped: what `crampbot report` lists as unanswered.

Each question is reduced to its telling words: normalised (case, quotes, contractions), stop words
dropped (question words stay: "why" and "how" ask different things), the rest stemmed and sorted,
so "How do I stop toe cramps?" and "how to stop cramps in my toes" share one key. Keys are then
grouped with rapidfuzz (`ratio` of the sorted stems, which forgives a typo or a word more or less):
the most frequent key leads a group, and each next one joins the first leader it resembles at least
`threshold` (0-100), or leads a group of its own. Leaders never chain: a question joins a group only
by resembling its leader, so a group cannot drift from one subject to another. At 80, "symptoms of
a UTI" and "symptoms of the flu" stay apart.

The cost grows with distinct keys times groups; past `max_distinct` keys (the rarest, asked once
or twice) questions are counted as `ungrouped` instead of compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.text.normalise import normalise
from bot.text.stems import stem
from bot.text.words import STOP_WORDS

SIMILAR = 80  # token_sort_ratio at which two questions' telling words count as the same question
MAX_WORDINGS = 5


@dataclass(frozen=True)
class QuestionGroup:
    question: str  # the wording asked most often
    count: int  # how many times any wording of it was asked
    wordings: tuple[str, ...]  # other wordings, most often asked first (at most MAX_WORDINGS)


@dataclass(frozen=True)
class Grouping:
    groups: tuple[QuestionGroup, ...]  # largest first
    ungrouped: int  # questions past `max_distinct` distinct keys, counted but not compared


def telling_words(question: str) -> str:
    """The key questions are compared by: the stems of the words that are not stop words, sorted."""
    words = normalise(question).split()
    stems = sorted({stem(w) for w in words if w not in STOP_WORDS})
    return " ".join(stems) or " ".join(words)


def group_questions(questions: Iterable[str], *, threshold: float = SIMILAR, max_distinct: int = 5000) -> Grouping:
    """Group questions as asked, one string per time asked."""
    return group_counted(Counter(questions).items(), threshold=threshold, max_distinct=max_distinct)


def group_counted(
    counted: Iterable[tuple[str, int]], *, threshold: float = SIMILAR, max_distinct: int = 5000
) -> Grouping:
    """Group questions given with how often each was asked (as SQL's GROUP BY counts them)."""
    wordings_by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for question, count in counted:
        text = " ".join(question.split())
        if text:
            wordings_by_key[telling_words(text)][text] += count
    keys = sorted(wordings_by_key, key=lambda k: (-sum(wordings_by_key[k].values()), k))
    compared, rest = keys[:max_distinct], keys[max_distinct:]

    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for key in compared:
        found = process.extractOne(key, leaders, scorer=fuzz.ratio, score_cutoff=threshold)
        if found is None:
            leaders.append(key)
            members[key] = [key]
        else:
            members[found[0]].append(key)

    groups = []
    for leader in leaders:
        wordings: Counter[str] = Counter()
        for key in members[leader]:
            wordings.update(wordings_by_key[key])
        ranked = [w for w, _ in sorted(wordings.items(), key=lambda item: (-item[1], item[0]))]
        groups.append(QuestionGroup(ranked[0], sum(wordings.values()), tuple(ranked[1 : 1 + MAX_WORDINGS])))
    groups.sort(key=lambda g: (-g.count, g.question))
    ungrouped = sum(sum(wordings_by_key[k].values()) for k in rest)
    return Grouping(tuple(groups), ungrouped)
