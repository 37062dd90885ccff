"""Why the bot answered what it did: the evidence of one reply, for maintainers and staff.

Maintainers editing synonyms, phrasings or intent cues need to see their effect on a question;
the planned staff endpoint needs the same facts. One pure function builds them from a Reply, so
`crampbot ask --explain` and a future HTTP route cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from bot.chat import Reply
from bot.retrieval.retriever import RetrieverConfig


def explain(reply: Reply, config: RetrieverConfig, knowledge_version: str) -> dict[str, Any]:
    """The evidence behind a reply: candidates and scores, repairs, synonyms, intents, thresholds."""
    retrieval = reply.retrieval
    out: dict[str, Any] = {
        "kind": reply.kind,
        "knowledge_version": knowledge_version,
        "threshold": config.min_confidence,
        "confidence": round(reply.confidence, 4),
        "safety": None
        if reply.escalation is None
        else {
            "level": reply.escalation.level,
            "terms": list(reply.escalation.terms),
            "from_earlier": reply.escalation_from_earlier,
        },
        "context_used": reply.context_used,
        "read_as": reply.read_as,
    }
    if retrieval is None:  # small talk never reaches the retriever
        return out
    subject = reply.subject
    return out | {
        "subject": None
        if subject is None
        else {
            "covered": subject.covered,
            "phrases": [{"text": p.text, "known": p.known, "unknown_words": list(p.unknown)} for p in subject.phrases],
        },
        "not_covered": list(reply.not_covered),
        "candidates": [
            {"id": c.passage.id, "question": c.passage.question, "score": round(c.score, 4)}
            for c in retrieval.candidates
        ],
        "corrections": dict(retrieval.corrections),
        "synonyms_used": list(retrieval.synonyms_used),
        "intents": list(retrieval.intents),
        "coverage": round(retrieval.coverage, 4),
        "names_the_topic": retrieval.has_anchor,
    }


def _format_subject(subject: dict[str, Any] | None) -> str:
    if subject is None:
        return "not read (the message names neither the topic nor its neighbourhood)"
    if not subject["phrases"]:
        return "nothing in particular (only frame, topic and function words)"
    parts = [
        f"{p['text']!r} "
        + (
            "(the knowledge base knows it)"
            if p["known"]
            else f"(NOT in the knowledge base: {', '.join(p['unknown_words'])})"
        )
        for p in subject["phrases"]
    ]
    return "; ".join(parts)


def format_explanation(evidence: dict[str, Any]) -> str:
    """The evidence as a few plain lines for a terminal."""
    lines = [
        f"Explanation ({evidence['kind']}; knowledge {evidence['knowledge_version'][:12]}):",
        f"  confidence {evidence['confidence']:.3f} against a threshold of {evidence['threshold']:.3f}",
    ]
    if evidence.get("safety"):
        safety = evidence["safety"]
        earlier = ", from an earlier message" if safety.get("from_earlier") else ""
        lines.append(f"  safety: {safety['level']} ({', '.join(safety['terms'])}{earlier})")
    if evidence.get("context_used"):
        lines.append(f"  read with the conversation's topic as: {evidence['read_as']!r}")
    if "candidates" not in evidence:
        return "\n".join(lines)
    if evidence["corrections"]:
        lines.append("  typos repaired: " + ", ".join(f"{k} -> {v}" for k, v in evidence["corrections"].items()))
    if evidence["synonyms_used"]:
        lines.append("  synonyms used: " + ", ".join(evidence["synonyms_used"]))
    lines.append("  asks about: " + _format_subject(evidence.get("subject")))
    lines.append("  asks for: " + (", ".join(evidence["intents"]) or "no particular kind of answer (no intent cue)"))
    lines.append(
        f"  words the articles know: {evidence['coverage']:.0%}; names the topic or its neighbourhood: "
        f"{'yes' if evidence['names_the_topic'] else 'no'}"
    )
    lines.append("  best passages:")
    lines += [f"    {c['score']:.3f}  {c['id']}  ({c['question']})" for c in evidence["candidates"]]
    return "\n".join(lines)
