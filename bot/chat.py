"""Bot.ask(): small talk, retrieval and fallback, with the safety layer's advice always appended."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz

from bot.answer_cache import AnswerCache, AnswerCacheStats
from bot.conversation.followup import ConversationCues, FollowUp, read_follow_up
from bot.conversation.state import Conversation, Turn, kept_escalation, remember
from bot.corpus.knowledge import Knowledge, SmallTalk, load_knowledge
from bot.corpus.passages import Passage
from bot.retrieval.data import RetrievalData
from bot.retrieval.retriever import Candidate, Retrieval, Retriever, RetrieverConfig
from bot.retrieval.scope import mentions_child
from bot.retrieval.subject import Subject, framing_stems, join_names, subject_reader, without_unknown
from bot.safety.detect import Escalation, detect
from bot.settings import Settings
from bot.store.redact import may_hold_details
from bot.text.normalise import normalise
from bot.text.stems import stem
from bot.text.summary import summarise
from bot.text.words import QUESTION_WORDS, SMALLTALK_FILLERS, STOP_WORDS

log = logging.getLogger(__name__)

ReplyKind = Literal["answer", "fallback", "smalltalk", "not_covered", "other_topic"]
MAX_SUGGESTIONS = 3
ADDRESSED = frozenset({"you", "your", "yourself", "u", "ur"})  # a message to the bot, not about the topic
MORE_CANDIDATES = 12  # how far down the ranking "tell me more" looks for a passage not shown yet
FITS_ALL_BUT_ONE = 3  # a message with this many telling words fits a passage that has all but one
URGENT_INTENTS = frozenset({"doctor"})  # what "what should I do?" after a red flag may ask for
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
    summary: str = ""  # the answer's first complete sentences, escalation advice apart
    read_as: str | None = None  # the message read with the conversation's topic, when it was
    asked_again: str | None = None  # for "what about X?": the earlier question it asked again
    topic: str | None = None  # the topic this reply keeps for the conversation ("tell me more" does)
    escalation_from_earlier: bool = False  # the escalation comes from an earlier message of the session
    id: str | None = None  # the exchange id the store keeps it under (HTTP API); None when nothing stores it
    previous_id: str | None = None  # the exchange id of the session's previous message (for the store; not public)

    @property
    def context_used(self) -> bool:
        return self.read_as is not None

    @property
    def body(self) -> str:
        """The answer without the escalation message (which leads or closes it)."""
        text = self.answer
        if self.escalation is not None:
            message = self.escalation.message
            if text.startswith(message):
                text = text[len(message) :]
            elif text.endswith(message):
                text = text[: -len(message)]
        return text.strip()

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
                "from_earlier": self.escalation_from_earlier,
            },
            "suggestions": list(self.suggestions),
            "not_covered": list(self.not_covered),
            "summary": self.summary,
            "kind": self.kind,
            "context_used": self.context_used,
            "id": self.id,
        }


def retriever_config(settings: Settings) -> RetrieverConfig:
    """The calibrated retriever defaults, with the threshold from CRAMPBOT_MIN_CONFIDENCE if set
    and the answer cache's size from CRAMPBOT_ANSWER_CACHE."""
    config = replace(RetrieverConfig(), answer_cache=settings.answer_cache)
    return config if settings.min_confidence is None else replace(config, min_confidence=settings.min_confidence)


def text_reply(
    text: str,
    kind: ReplyKind,
    suggestions: tuple[str, ...],
    retrieval: Retrieval | None = None,
    **evidence: Any,
) -> Reply:
    """A reply that is a message of the bot's own (no passage): its summary is itself."""
    confidence = retrieval.confidence if retrieval is not None else 0.0
    return Reply(text, False, confidence, None, None, suggestions, kind, retrieval, summary=text, **evidence)


def with_escalation(text: str, escalation: Escalation | None) -> str:
    return f"{text}\n\n{escalation.message}" if escalation else text


class Bot:
    """A question-answering bot over one immutable Knowledge value."""

    def __init__(
        self,
        knowledge: Knowledge,
        config: RetrieverConfig | None = None,
        *,
        summary_chars: int = 300,  # the longest summary, unless its first sentence is longer
        max_turns: int = 6,  # turns a conversation remembers
    ) -> None:
        self.knowledge = knowledge
        self.retriever = Retriever.build(RetrievalData.from_knowledge(knowledge), config)
        self.subjects = subject_reader(knowledge, self.retriever)
        self.summary_chars = summary_chars
        self.max_turns = max_turns
        lists = knowledge.conversation
        self.cues = ConversationCues.from_lists(lists["more"], lists["continues"], lists["pointing"], lists["fillers"])
        # What a question asks (causes, is it safe), as opposed to what it is about (leg cramps, magnesium)
        about = framing_stems(knowledge.topic_anchors, knowledge.topic_words, knowledge.related_words) - framing_stems()
        kept = set(lists["topic_intents"])  # "medication", "older": cues that also say what a question is about
        cues = [cue for name, cues in knowledge.intents.items() if name not in kept for cue in cues]
        self._asking_stems = framing_stems(knowledge.frame_sections.get("asking", ()), cues) - about
        self._child_stems = frozenset(stem(w) for w in knowledge.child_words)
        # Words that tell nothing about which passage answers: frame, topic and intent words
        self._not_telling = self.subjects.not_subject
        self._topic_word = knowledge.topic_anchors[0] if knowledge.topic_anchors else "cramps"  # "is it safe?"
        self._stems_of: dict[str, frozenset[str]] = {}  # passage id -> the stems of its texts (filled on use)
        # A message read alone gets the same answer every time from the same knowledge: the starter
        # questions and chips, and the questions most people ask, are answered once per Bot (a reload
        # builds a new Bot, and so a new cache). Follow-ups reuse it too: they are read alone as `read_as`.
        cache_size = self.retriever.config.answer_cache
        self._answers: AnswerCache[Reply] | None = AnswerCache(cache_size) if cache_size > 0 else None
        self._smalltalk: dict[str, list[tuple[list[str], SmallTalk]]] = {}  # by first word, longest first
        patterns = ((normalise(p).split(), talk) for talk in knowledge.messages.smalltalk for p in talk.patterns)
        for words, talk in sorted((item for item in patterns if item[0]), key=lambda item: -len(item[0])):
            self._smalltalk.setdefault(words[0], []).append((words, talk))

    @property
    def answer_cache(self) -> AnswerCacheStats:
        """How the cache of answers to messages read alone has done since this Bot was built."""
        return self._answers.stats if self._answers is not None else AnswerCacheStats(0, 0, 0)

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

    def nearest(self, question: str) -> dict[str, Any] | None:
        """The passage closest to a question, answered or not, with its score (the report names it
        beside each group of unanswered questions)."""
        best = self.retriever.search(question, k=1).best
        if best is None:
            return None
        return {"id": best.passage.id, "question": best.passage.question, "score": round(best.score, 4)}

    def uncovered(self, question: str) -> list[str] | None:
        """What a question names that the articles never mention, as the knowledge in use reads it
        (the report names it beside each group of declined questions); None when it names nothing."""
        return list(self.subjects.read(question).unknown_names()) or None

    def _smalltalk_for(self, words: list[str]) -> SmallTalk | None:
        for pattern, talk in self._smalltalk.get(words[0], ()):
            if words[: len(pattern)] == pattern:
                rest = words[len(pattern) :]
                if all(w in STOP_WORDS or w in SMALLTALK_FILLERS for w in rest):
                    return talk
        return None

    def ask(self, question: str, conversation: Conversation | None = None) -> Reply:
        """Answer one message; with a conversation, read a follow-up with its topic and keep the
        most urgent escalation of the session. The caller remembers the exchange (`remember_reply`)."""
        now = detect(question, self.knowledge.lexicon)
        escalation = kept_escalation(now, conversation.escalation if conversation else None)
        reply = self._respond(question, conversation)
        return self._with_safety(reply, escalation, from_earlier=now is None and escalation is not None)

    def remember_reply(self, conversation: Conversation, question: str, reply: Reply) -> Conversation:
        """The conversation after this exchange, bounded to `max_turns` turns.

        What a follow-up carries on is the topic: the question of the passage shown and what the
        message named that the articles know ("statins", "standing"); for a message about leg
        cramps that nothing answered, or one that raised a red flag, its topic words. Another kind
        of cramp, something not covered, small talk or an off-topic message is no topic. Only
        topic words are kept of an unanswered message, never the message itself."""
        own_flag = reply.escalation is not None and not reply.escalation_from_earlier
        named_cramps = bool(reply.retrieval and reply.retrieval.has_anchor)
        about_cramps = reply.kind in ("fallback", "not_covered") and named_cramps
        passage = reply.passage.id if reply.passage else None
        if reply.topic is not None:  # "tell me more" keeps the topic it was asked about
            read_as = reply.topic
        elif reply.passage is not None:
            named = [w for p in (reply.subject.known if reply.subject else ()) for w in p.words]
            named += self._known_topic_words(reply.read_as or question)
            asked = normalise(reply.passage.question).split()
            read_as = " ".join([reply.passage.question, *(w for w in dict.fromkeys(named) if w not in asked)])
        else:  # what is not covered is no topic to carry on ("tonic water")
            said = reply.read_as or question
            said = without_unknown(said, reply.subject) if reply.subject and reply.subject.unknown else said
            read_as = " ".join(self._topic_words(normalise(said).split()))
        on_topic = reply.matched or (reply.kind in ("fallback", "smalltalk") and own_flag) or about_cramps
        turn = Turn(read_as, passage, reply.kind, on_topic=on_topic, base=reply.asked_again)
        return remember(conversation, turn, reply.escalation, max_turns=self.max_turns)

    def _respond(self, question: str, conversation: Conversation | None) -> Reply:
        words = normalise(question).split()
        talk = self._smalltalk_for(words) if words else None
        if talk is not None:
            return text_reply(talk.reply, "smalltalk", self.knowledge.messages.starter_questions[:MAX_SUGGESTIONS])
        follow = self._follow_up(question, conversation) if conversation else None
        if follow is None or conversation is None:
            return self._single(question)
        return self._in_conversation(question, follow, conversation) or self._single(question)

    def _in_conversation(self, question: str, follow: FollowUp, conversation: Conversation) -> Reply | None:
        """A follow-up read with the conversation's topic, or None when it is better answered alone."""
        if follow.kind == "more":
            return self._next_passage(follow.read_as, conversation)
        alone = self.retriever.search(question, k=0)
        elsewhere = follow.kind == "continues" and bool(alone.stems & self.retriever.lexicon.other_topics)
        if alone.other_topic or elsewhere:  # "what about in my hands?": another kind of cramp, whatever the topic
            return self._declined(self.knowledge.messages.other_topic, alone, None, kind="other_topic")
        if conversation.escalation is not None and self._asks_what_to_do(question, alone, conversation):
            return self._after_red_flag(follow.read_as)
        if follow.kind == "leaves_topic" and not alone.has_anchor:
            return None  # a long message about none of the domain's things stands alone
        in_context = self._single(follow.read_as)
        if (
            (in_context.matched and self._fits(question, in_context))
            or in_context.kind == "not_covered"
            or self._needs_help_first(question, follow, in_context, conversation)
        ):
            return replace(in_context, read_as=follow.read_as, asked_again=follow.base)
        return None

    def _needs_help_first(self, question: str, follow: FollowUp, found: Reply, conversation: Conversation) -> bool:
        """After a red flag, a message pointing back at it ("should I just rest it?" after a swollen,
        hot calf) whose reading with the topic finds the when-to-get-help passage gets that passage,
        although the passage never speaks of what the message names: the leg needs seeing to first.
        Only in the articles' own words, so a message about something else is not answered with it."""
        if conversation.escalation is None or follow.kind != "points_back" or not found.matched:
            return False
        help_first = self._after_red_flag_passage
        if help_first is None or found.passage is None or found.passage.id != help_first.id:
            return False
        vocabulary = self.retriever.index.vocabulary
        return all(forms & vocabulary.keys() for forms in self._telling(normalise(question).split()))

    def _asks_what_to_do(self, question: str, alone: Retrieval, conversation: Conversation) -> bool:
        """After a red flag, "what should I do?" or "is it serious?": nothing of its own to look up,
        asking for nothing else (not "what causes it?"), and the when-to-get-help passage not yet shown."""
        if self._telling(normalise(question).split()) or set(alone.intents) - URGENT_INTENTS:
            return False
        shown = self._after_red_flag_passage
        return shown is None or shown.id not in conversation.shown

    def _fits(self, question: str, reply: Reply) -> bool:
        """Whether a passage found with the conversation's topic answers this message at all: every
        telling word of the message is in the passage ("is it cos I don't drink enough water?" in
        the dehydration passage), so "does magnesium help with anxiety?" is not answered with the
        magnesium passage because the topic was cramps. A message with no telling word of its own
        ("why?", "is it safe?") fits, unless it speaks to the bot ("are you a real person?")."""
        words = normalise(question).split()
        said = self._telling(words)
        if not said:  # "why?", "what's actually going on in the muscle?": nothing of its own, so read with the topic
            return not ADDRESSED & set(words)  # unless it speaks to the bot ("are you a real person?")
        if reply.passage is None:
            return False
        stems = self._passage_stems(reply.passage.id)
        missing = sum(not (forms & stems) for forms in said)
        return missing == 0 or (len(said) >= FITS_ALL_BUT_ONE and missing == 1)

    def _telling(self, words: Sequence[str]) -> list[frozenset[str]]:
        """The telling words of a message, each as the stems that may stand for it in a passage:
        itself, its typo repair and its synonyms' words ("coffee": coffee, caffeine)."""
        expansions: dict[int, set[str]] = {}
        for start, end, (_, expansion) in self.retriever.synonyms.matches(words):
            for i in range(start, end):
                expansions.setdefault(i, set()).update(stem(w) for w in expansion.split())
        said = []
        for i, word in enumerate(words):
            if not word.isalpha() or word in STOP_WORDS or stem(word) in self._not_telling:
                continue
            fixed = self.retriever.correct(word)
            said.append(frozenset({stem(word), *({stem(fixed)} if fixed else ()), *expansions.get(i, ())}))
        return said

    def _passage_stems(self, passage_id: str) -> frozenset[str]:
        found = self._stems_of.get(passage_id)
        if found is None:
            passage = next(p for p in self.knowledge.passages if p.id == passage_id)
            words = normalise(" ".join((passage.question, passage.answer, *passage.alternates))).split()
            found = self._stems_of[passage_id] = frozenset(stem(w) for w in self.retriever.synonyms.expand(words)[0])
        return found

    @cached_property
    def _after_red_flag_passage(self) -> Passage | None:
        """The passage that answers conversation.yaml's `after_red_flag` question, if one does
        (looked up once per Bot: the knowledge never changes under it)."""
        asks = self.knowledge.conversation["after_red_flag"]
        retrieval = self.retriever.search(asks[0]) if asks else None
        return retrieval.best.passage if retrieval is not None and retrieval.matched and retrieval.best else None

    def _after_red_flag(self, read_as: str) -> Reply:
        """The passage on when to get help, or nothing but the escalation advice the caller adds."""
        passage = self._after_red_flag_passage
        if passage is None:
            return text_reply("", "fallback", (), read_as=read_as)
        retrieval = self.retriever.search(passage.question)
        return self._passage_reply(passage, retrieval, retrieval.confidence, read_as=read_as)

    def _follow_up(self, question: str, conversation: Conversation) -> FollowUp | None:
        topic = conversation.topic
        if topic is None or self.subjects.read(question).unknown:
            return None  # nothing to follow, or it names something of its own the articles never mention
        return read_follow_up(
            question, topic, self.cues, self._names_topic, self._topic_words, conversation.base, self._swap_subject
        )

    def _swap_subject(self, question: str, rest: Sequence[str]) -> str:
        """The question without its own subject when the rest names one: "and for magnesium?" after
        "Which potassium-rich foods help?" keeps "foods" (what a name ends with) but not potassium."""
        if not self.subjects.read(" ".join(rest)).phrases:
            return question  # "and at night?", "what about older people?": the same subject, asked again
        drop = {w for phrase in self.subjects.read(question).phrases for w in phrase.words[:-1] or phrase.words}
        return " ".join(w for w in normalise(question).split() if w not in drop)

    def _names_topic(self, words: Sequence[str]) -> bool:
        return bool({stem(w) for w in words} & self.retriever.lexicon.anchors)

    def _known_topic_words(self, message: str) -> list[str]:
        """The message's own topic words that the articles use (words they never use weigh nothing in
        a search): what the user said stays in the topic even when the passage shown words it
        otherwise, or answered something near it."""
        words = normalise(message).split()
        vocabulary = self.retriever.index.vocabulary
        return [w for w in self._topic_words(words) if w != self._topic_word and stem(w) in vocabulary]

    def _topic_words(self, words: Sequence[str]) -> list[str]:
        """The words of a question that carry over to the next one: what it is about (leg cramps,
        magnesium, pregnancy), not what it asked (causes, is it safe)."""
        kept = [
            w for w in words if w not in STOP_WORDS and w not in QUESTION_WORDS and stem(w) not in self._asking_stems
        ]
        return kept if self._names_topic(kept) else [*kept, self._topic_word]

    def _next_passage(self, topic: str, conversation: Conversation) -> Reply:
        """ "Tell me more": the best passage on the topic not shown yet in this conversation; none
        when the topic was something not covered (more about CBD is not more about cramps)."""
        retrieval = self.retriever.search(topic, k=MORE_CANDIDATES)
        if conversation.topic_kind == "not_covered":
            retrieval = replace(retrieval, candidates=())
        floor = self.retriever.config.min_confidence
        shown = [p for p in self.knowledge.passages if p.id in set(conversation.shown)]
        seen = [normalise(p.question) for p in shown]
        fresh = [
            c
            for c in retrieval.candidates
            if c.score >= floor
            and c.passage not in shown
            and not any(fuzz.ratio(normalise(c.passage.question), other) >= NEAR_DUPLICATE for other in seen)
        ]
        if not fresh:
            messages = self.knowledge.messages
            return text_reply(
                messages.no_more, "fallback", self._with_starters(()), retrieval, read_as=topic, topic=topic
            )
        reply = self._passage_reply(fresh[0].passage, retrieval, retrieval.confidence, read_as=topic)
        return replace(reply, topic=topic)

    def _single(self, question: str) -> Reply:
        """`_answer_alone`, from the answer cache when the message was read before. A message with a
        digit or an "@" (a phone number, an email, a date of birth?) is never kept: no unredacted
        text stays in memory past its request, and such messages rarely repeat anyway."""
        if self._answers is None or may_hold_details(question):
            return self._answer_alone(question)
        return self._answers.get(question, self._answer_alone)

    def _answer_alone(self, question: str) -> Reply:
        """One message on its own: not covered, another kind of cramp, a passage, or the fallback.
        A pure function of the message and the knowledge (see `_single`, its cache)."""
        retrieval = self.retriever.search(question)
        subject = self.subjects.read(question) if retrieval.has_anchor else None
        if subject is not None and not subject.covered:
            return self._not_covered(question, retrieval, subject)
        messages = self.knowledge.messages
        if retrieval.other_topic:
            return self._declined(messages.other_topic, retrieval, subject, kind="other_topic")
        best = retrieval.best
        answerable = retrieval.matched or (
            best is not None and retrieval.is_near_miss(self.retriever.config) and self._names_passage(retrieval, best)
        )
        child = mentions_child(normalise(question).split(), self._child_stems)
        if answerable and best is not None:
            reply = self._passage_reply(best.passage, retrieval, retrieval.confidence, subject=subject)
            if child:
                text = f"{messages.children}\n\n{messages.in_general}\n\n{reply.answer}"
                return replace(reply, answer=text, summary=f"{messages.children}\n\n{reply.summary}")
            return reply
        if child:
            return self._declined(messages.children, retrieval, subject, kind="other_topic")
        # The text only at DEBUG: no question text in logs at INFO (privacy; issue 15 adds a real store)
        log.debug("unanswered question (confidence %.3f): %r", retrieval.confidence, question[:200])
        near_miss = retrieval.is_near_miss(self.retriever.config)
        suggestions = self._with_starters(self._suggestions(retrieval) if retrieval.has_anchor else ())
        text = messages.did_you_mean if near_miss else messages.fallback
        return text_reply(text, "fallback", suggestions, retrieval, subject=subject)

    def _names_passage(self, retrieval: Retrieval, best: Candidate) -> bool:
        """A near miss still answers when every telling word of the question names what the best
        passage is about ("what foods have a lot of magnesium" of "Which magnesium-rich foods help
        with leg cramps?"), never when the question says more ("are bananas good for weight loss")."""
        telling = {s for s in retrieval.stems if s.isalpha() and s not in self._not_telling}
        return bool(telling) and telling <= self.retriever.about(best.passage)

    def _passage_reply(
        self,
        passage: Passage,
        retrieval: Retrieval,
        confidence: float,
        *,
        subject: Subject | None = None,
        read_as: str | None = None,
        exclude: str | None = None,
        lead: str = "",
        not_covered: tuple[str, ...] = (),
    ) -> Reply:
        answer = f"{lead}\n\n{passage.answer}" if lead else passage.answer
        summary = summarise(passage.answer, self.summary_chars)
        return Reply(
            answer=answer,
            matched=True,
            confidence=confidence,
            passage=PassageRef(passage.id, passage.question, passage.source, passage.title),
            escalation=None,
            suggestions=self._suggestions(retrieval, exclude=exclude or passage.question),
            kind="answer",
            retrieval=retrieval,
            not_covered=not_covered,
            subject=subject,
            summary=f"{lead}\n\n{summary}" if lead else summary,
            read_as=read_as,
        )

    def _declined(self, text: str, retrieval: Retrieval, subject: Subject | None, kind: ReplyKind) -> Reply:
        """A reply that says what crampbot does not cover, with starter questions to go on with."""
        return text_reply(text, kind, self._with_starters(()), retrieval, subject=subject)

    def _with_safety(self, reply: Reply, escalation: Escalation | None, from_earlier: bool) -> Reply:
        """The escalation advice, always: after a passage; first, and alone with what is not an
        answer, when nothing answered (no apology, no suggestions to browse meanwhile)."""
        if escalation is None:
            return reply
        if reply.matched:
            answer = with_escalation(reply.answer, escalation)
            return replace(reply, answer=answer, escalation=escalation, escalation_from_earlier=from_earlier)
        rest = reply.answer if reply.kind in ("not_covered", "smalltalk") else ""
        answer = f"{escalation.message}\n\n{rest}" if rest else escalation.message
        return replace(
            reply,
            answer=answer,
            summary=rest,
            escalation=escalation,
            escalation_from_earlier=from_earlier,
            suggestions=(),
        )

    def _not_covered(self, question: str, retrieval: Retrieval, subject: Subject) -> Reply:
        """Say what the articles do not cover; answer the rest when the question also asks about
        something they do cover and a passage answers that part on its own."""
        messages = self.knowledge.messages
        names = subject.unknown_names()
        named = join_names(names)
        if subject.partly_answerable:
            rest = self.retriever.search(without_unknown(question, subject))
            best = rest.best
            if rest.matched and best is not None:
                lead = messages.partly_covered.format(subject=named)
                return self._passage_reply(
                    best.passage, rest, rest.confidence, subject=subject, lead=lead, not_covered=names
                )
        text = messages.not_covered.format(subject=named)
        suggestions = self._with_starters(self._suggestions(retrieval))
        return text_reply(text, "not_covered", suggestions, retrieval, subject=subject, not_covered=names)

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
