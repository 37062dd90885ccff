"""Bot.ask(): small talk, retrieval and fallback, with the safety layer's advice always appended."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz

from bot.corpus.knowledge import Knowledge, SmallTalk, load_knowledge
from bot.retrieval.data import RetrievalData
from bot.retrieval.retriever import Retrieval, Retriever, RetrieverConfig
from bot.retrieval.subject import Subject, join_names, subject_reader, without_unknown
from bot.safety.detect import Escalation, detect
from bot.settings import Settings
from bot.text.normalise import normalise
from bot.text.words import SMALLTALK_FILLERS, STOP_WORDS

log = logging.getLogger(__name__)

ReplyKind = Literal["answer", "fallback", "smalltalk", "not_covered"]
MAX_SUGGESTIONS = 3
NEAR_DUPLICATE = 90  # rapidfuzz ratio at which two questions count as the same question


@dataclass(frozen=True)
class PassageRef:
    id: str
    question: str
    source: str
    title: str


@dataclass(frozen=True)
class Reply:
    answer: str  # the full text to show, escalation message included
    matched: bool
    confidence: float
    passage: PassageRef | None
    escalation: Escalation | None
    suggestions: tuple[str, ...]
    kind: ReplyKind
    retrieval: Retrieval | None = None  # evidence for a staff view; not part of the public reply
    not_covered: tuple[str, ...] = ()  # what the question named that the articles never mention
    subject: Subject | None = None  # evidence for a staff view: what the question asks about

    def to_dict(self) -> dict[str, Any]:
        """The public reply, exactly as the HTTP API and `crampbot ask --json` return it."""
        return {
            "answer": self.answer,
            "matched": self.matched,
            "confidence": round(self.confidence, 4),
            "passage": None
            if self.passage is None
            else {
                "id": self.passage.id,
                "question": self.passage.question,
                "source": self.passage.source,
                "title": self.passage.title,
            },
            "escalation": None
            if self.escalation is None
            else {
                "level": self.escalation.level,
                "terms": list(self.escalation.terms),
                "message": self.escalation.message,
            },
            "suggestions": list(self.suggestions),
            "not_covered": list(self.not_covered),
        }


def retriever_config(settings: Settings) -> RetrieverConfig:
    """The calibrated retriever defaults, with the threshold from CRAMPBOT_MIN_CONFIDENCE if set."""
    config = RetrieverConfig()
    return config if settings.min_confidence is None else replace(config, min_confidence=settings.min_confidence)


def with_escalation(text: str, escalation: Escalation | None) -> str:
    return f"{text}\n\n{escalation.message}" if escalation else text


class Bot:
    """A question-answering bot over one immutable Knowledge value."""

    def __init__(self, knowledge: Knowledge, config: RetrieverConfig | None = None) -> None:
        self.knowledge = knowledge
        self.retriever = Retriever.build(RetrievalData.from_knowledge(knowledge), config)
        self.subjects = subject_reader(knowledge, self.retriever)
        self._smalltalk = sorted(
            ((normalise(p).split(), talk) for talk in knowledge.messages.smalltalk for p in talk.patterns),
            key=lambda item: -len(item[0]),
        )

    @classmethod
    def from_knowledge(cls, path: str | Path | None = None, config: RetrieverConfig | None = None) -> Bot:
        """Load `knowledge/` (the bundled folder when `path` is None) and index it."""
        return cls(load_knowledge(Path(path) if path is not None else None), config)

    @classmethod
    def from_settings(cls, settings: Settings) -> Bot:
        """The bot a server or CLI run serves: its knowledge folder and confidence threshold."""
        return cls.from_knowledge(settings.knowledge, retriever_config(settings))

    @property
    def version(self) -> str:
        return self.knowledge.version

    def _smalltalk_for(self, words: list[str]) -> SmallTalk | None:
        for pattern, talk in self._smalltalk:
            if words[: len(pattern)] == pattern:
                rest = words[len(pattern) :]
                if all(w in STOP_WORDS or w in SMALLTALK_FILLERS for w in rest):
                    return talk
        return None

    def ask(self, question: str) -> Reply:
        escalation = detect(question, self.knowledge.lexicon)
        words = normalise(question).split()
        talk = self._smalltalk_for(words) if words else None
        if talk is not None:
            return Reply(
                answer=with_escalation(talk.reply, escalation),
                matched=False,
                confidence=0.0,
                passage=None,
                escalation=escalation,
                suggestions=self.knowledge.messages.starter_questions[:MAX_SUGGESTIONS],
                kind="smalltalk",
            )
        retrieval = self.retriever.search(question)
        subject = self.subjects.read(question) if retrieval.has_anchor else None
        if subject is not None and not subject.covered:
            return self._not_covered(question, retrieval, subject, escalation)
        best = retrieval.best
        if retrieval.matched and best is not None:
            passage = best.passage
            others = self._suggestions(retrieval, exclude=passage.question)
            return Reply(
                answer=with_escalation(passage.answer, escalation),
                matched=True,
                confidence=retrieval.confidence,
                passage=PassageRef(passage.id, passage.question, passage.source, passage.title),
                escalation=escalation,
                suggestions=others,
                kind="answer",
                retrieval=retrieval,
                subject=subject,
            )
        # The text only at DEBUG: no question text in logs at INFO (privacy; issue 15 adds a real store)
        log.debug("unanswered question (confidence %.3f): %r", retrieval.confidence, question[:200])
        messages = self.knowledge.messages
        near_miss = retrieval.is_near_miss(self.retriever.config)
        suggestions = self._with_starters(self._suggestions(retrieval) if retrieval.has_anchor else ())
        text = messages.did_you_mean if near_miss else messages.fallback
        return Reply(
            answer=with_escalation(text, escalation),
            matched=False,
            confidence=retrieval.confidence,
            passage=None,
            escalation=escalation,
            suggestions=suggestions,
            kind="fallback",
            retrieval=retrieval,
            subject=subject,
        )

    def _not_covered(
        self, question: str, retrieval: Retrieval, subject: Subject, escalation: Escalation | None
    ) -> Reply:
        """Say what the articles do not cover; answer the rest when the question also asks about
        something they do cover and a passage answers that part on its own."""
        messages = self.knowledge.messages
        names = subject.unknown_names()
        named = join_names(names)
        if subject.partly_answerable:
            rest = self.retriever.search(without_unknown(question, subject))
            best = rest.best
            if rest.matched and best is not None:
                passage = best.passage
                text = f"{messages.partly_covered.format(subject=named)}\n\n{passage.answer}"
                return Reply(
                    answer=with_escalation(text, escalation),
                    matched=True,
                    confidence=rest.confidence,
                    passage=PassageRef(passage.id, passage.question, passage.source, passage.title),
                    escalation=escalation,
                    suggestions=self._suggestions(rest, exclude=passage.question),
                    kind="answer",
                    retrieval=rest,
                    not_covered=names,
                    subject=subject,
                )
        suggestions = self._with_starters(self._suggestions(retrieval))
        return Reply(
            answer=with_escalation(messages.not_covered.format(subject=named), escalation),
            matched=False,
            confidence=retrieval.confidence,
            passage=None,
            escalation=escalation,
            suggestions=suggestions,
            kind="not_covered",
            retrieval=retrieval,
            not_covered=names,
            subject=subject,
        )

    def _with_starters(self, suggestions: tuple[str, ...]) -> tuple[str, ...]:
        """The suggestions, topped up with starter questions to MAX_SUGGESTIONS."""
        extra = [q for q in self.knowledge.messages.starter_questions if q not in suggestions]
        return (*suggestions, *extra)[:MAX_SUGGESTIONS]

    def _suggestions(self, retrieval: Retrieval, exclude: str | None = None) -> tuple[str, ...]:
        floor = self.retriever.config.suggestion_min_score
        seen = [normalise(exclude)] if exclude else []
        out: list[str] = []
        for candidate in retrieval.candidates:
            key = normalise(candidate.passage.question)
            if candidate.score < floor or any(fuzz.ratio(key, other) >= NEAR_DUPLICATE for other in seen):
                continue  # the same question asked by another article adds nothing
            seen.append(key)
            out.append(candidate.passage.question)
            if len(out) == MAX_SUGGESTIONS:
                break
        return tuple(out)
