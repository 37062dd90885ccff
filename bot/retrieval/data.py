"""Everything the retriever is built from, as one value: adding a word list touches this file,
the loader that reads it and the code that uses it, not every caller in between."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.corpus.knowledge import Knowledge
from bot.corpus.passages import Passage
from bot.retrieval.intents import IntentCues
from bot.retrieval.synonyms import Synonyms


@dataclass(frozen=True)
class RetrievalData:
    passages: Sequence[Passage]
    synonyms: Synonyms = field(default_factory=lambda: Synonyms.from_mapping({}))
    intents: IntentCues = field(default_factory=lambda: IntentCues.from_mapping({}))
    topic_anchors: Sequence[str] = ()  # domain.yaml: words that name the topic
    related_words: Sequence[str] = ()  # its neighbourhood (calf, magnesium, doctor...)
    other_topics: Sequence[str] = ()  # other kinds of cramp (period, stomach...)
    topic_words: Sequence[str] = ()  # words every question shares; damped when ranking
    common_words: frozenset[str] = frozenset()  # common English: never "corrected"
    source_quality: Mapping[str, float] = field(default_factory=dict)  # source -> 0..1

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge) -> RetrievalData:
        return cls(
            passages=knowledge.passages,
            synonyms=Synonyms.from_mapping({**knowledge.synonyms, **knowledge.related_synonyms}),
            intents=IntentCues.from_mapping(knowledge.intents),
            topic_anchors=knowledge.topic_anchors,
            related_words=knowledge.related_words,
            other_topics=knowledge.other_topics,
            topic_words=knowledge.topic_words,
            common_words=knowledge.common_words,
            source_quality=knowledge.source_quality,
        )
