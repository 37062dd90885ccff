"""Property tests: red flags are found wherever they appear, ordinary text never escalates.

Hypothesis inserts red-flag messages (from knowledge/eval/red_flags.yaml) at random word
boundaries of random leg-cramp or off-topic text, in random casing, and checks that escalation
is present at the expected level (or more urgent: neighbouring words may add a flag, never
remove one). Insertions are separated by punctuation, as sentences are: ordinary phrases
("red meat", "warm bath") deliberately do not reach across a full stop or comma.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.evaluation.safety import RedFlagCase, load_safety_cases
from bot.safety.detect import Lexicon, detect, load_lexicon

ROOT = Path(__file__).resolve().parent.parent
LEXICON = load_lexicon(ROOT / "knowledge" / "red_flags.yaml")
RED, SAFE = load_safety_cases(ROOT / "knowledge" / "eval")
OFF_TOPIC = [
    "What's the weather like in Paris tomorrow?",
    "Tell me a joke about cats.",
    "How do I bake sourdough bread?",
    "Who won the football match last night?",
    "Can you recommend a good red wine for dinner?",
    "What is the capital of Peru?",
    "My printer keeps jamming, any ideas?",
    "How long should I boil an egg?",
    "I'm planning a trip to Spain in the spring.",
    "What time is it in Tokyo?",
    "Is it going to snow this week?",
    "Best way to learn Python quickly?",
    "My cat sleeps all day on the sofa.",
    "How many cups are in a litre?",
    "We painted the kitchen blue last weekend.",
    "I like reading crime novels before bed.",
]
BACKGROUND = SAFE + OFF_TOPIC
SEPARATORS = [". ", ", ", "; ", "! ", "? ", "\n", " - ", "... "]
URGENCY = {"emergency": 0, "doctor": 1}
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recase(text: str, how: int, flips: list[bool]) -> str:
    """Lower, upper, title, or per-letter random casing (what phones and caps lock do)."""
    if how == 0:
        return text.lower()
    if how == 1:
        return text.upper()
    if how == 2:
        return text.title()
    return "".join(c.upper() if flips[i % len(flips)] else c.lower() for i, c in enumerate(text))


casing = st.tuples(st.integers(0, 3), st.lists(st.booleans(), min_size=1, max_size=16))
background = st.lists(st.sampled_from(BACKGROUND), min_size=1, max_size=4).map(" ".join)


def test_the_background_text_never_escalates_on_its_own() -> None:
    assert [t for t in BACKGROUND if detect(t, LEXICON)] == []


@SETTINGS
@given(
    case=st.sampled_from(RED),
    text=background,
    data=st.data(),
    case_style=casing,
    separator=st.sampled_from(SEPARATORS),
    curly=st.booleans(),
)
def test_a_red_flag_inserted_anywhere_escalates_at_its_level(
    case: RedFlagCase, text: str, data: st.DataObject, case_style: tuple[int, list[bool]], separator: str, curly: bool
) -> None:
    words = text.split(" ")
    at = data.draw(st.integers(0, len(words)), label="insert at word")
    inserted = recase(case.text, *case_style)
    if curly:
        inserted = inserted.replace("'", "\u2019")
    message = " ".join(words[:at]) + separator + inserted + separator + " ".join(words[at:])
    escalation = detect(message, LEXICON)
    assert escalation is not None, message
    assert URGENCY[escalation.level] <= URGENCY[case.level], message
    if case.flag:
        assert case.flag in escalation.terms, message


@SETTINGS
@given(case=st.sampled_from(RED), first=st.sampled_from(RED))
def test_two_red_flags_report_both_and_the_more_urgent_level_wins(case: RedFlagCase, first: RedFlagCase) -> None:
    escalation = detect(f"{first.text}. {case.text}", LEXICON)
    assert escalation is not None
    expected = min((first.level, case.level), key=URGENCY.__getitem__)
    assert URGENCY[escalation.level] <= URGENCY[expected]
    for flag in (first.flag, case.flag):
        if flag:
            assert flag in escalation.terms
    assert len(set(escalation.terms)) == len(escalation.terms)
    assert [URGENCY[LEXICON.flags[LEXICON.flag_order[t]].level] for t in escalation.terms] == sorted(
        URGENCY[LEXICON.flags[LEXICON.flag_order[t]].level] for t in escalation.terms
    )


@SETTINGS
@given(
    text=st.sampled_from(SAFE),
    case_style=casing,
    ending=st.sampled_from(["", "?", "!!", "??", ".", " :)", "..."]),
    curly=st.booleans(),
    spaces=st.integers(1, 3),
    greeting=st.sampled_from(["", "hi, ", "Hello! ", "quick question: "]),
)
def test_ordinary_questions_never_escalate_whatever_the_casing_and_punctuation(
    text: str, case_style: tuple[int, list[bool]], ending: str, curly: bool, spaces: int, greeting: str
) -> None:
    message = greeting + recase(text.rstrip("?.!"), *case_style).replace(" ", " " * spaces) + ending
    if curly:
        message = message.replace("'", "\u2019").replace('"', "\u201c")
    assert detect(message, LEXICON) is None, message


@pytest.mark.parametrize("lexicon", [LEXICON])
def test_detection_does_not_depend_on_earlier_messages(lexicon: Lexicon) -> None:
    before = [detect(c.text, lexicon) for c in RED[:20]]
    lexicon.result_cache.clear()
    lexicon.token_cache.clear()
    assert [detect(c.text, lexicon) for c in RED[:20]] == before
