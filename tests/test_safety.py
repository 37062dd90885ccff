"""The safety layer: levels, word forms, proximity, typos, guard words, negation and wording."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.safety.detect import LEVELS, Escalation, Lexicon, LexiconError, check_lexicon, detect, detect_all, load_lexicon
from bot.safety.lexicon import load_ordinary_phrases

ROOT = Path(__file__).resolve().parent.parent
LEXICON_PATH = ROOT / "knowledge" / "red_flags.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(LEXICON_PATH)


def level_of(text: str, lexicon: Lexicon) -> str | None:
    escalation = detect(text, lexicon)
    return escalation.level if escalation else None


def test_the_levels_are_emergency_then_doctor() -> None:
    assert LEVELS == ("emergency", "doctor")


@pytest.mark.parametrize(
    "text",
    [
        "I have chest pain",
        "I'm short of breath",
        "I fainted last night",
        "I had a seizure",
        "I'm coughing up blood",
        "my foot turned blue",
        "I can't walk",
        "I lost bladder control",
        "sudden swelling in my whole leg",
    ],
)
def test_emergency_flags_escalate_at_the_emergency_level(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my calf is swollen",
        "my calf is red",
        "my calf feels warm",
        "my toes are numb",
        "pins and needles",
        "my legs feel weak",
        "severe pain in my calf",
        "the cramp won't go away",
        "I have a fever",
        "my urine is dark brown",
        "pregnant with a severe headache",
        "could it be a blood clot",
    ],
)
def test_doctor_flags_escalate_at_the_doctor_level(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "doctor"


def test_the_issue_example_escalates_to_emergency_and_reports_all_terms(lexicon: Lexicon) -> None:
    escalation = detect("my calf is swollen and hot and now I'm short of breath", lexicon)
    assert isinstance(escalation, Escalation)
    assert escalation.level == "emergency"
    assert escalation.terms == ("shortness of breath", "swelling", "warmth")
    assert escalation.message == lexicon.messages["emergency"]


def test_emergency_wins_and_terms_list_the_most_urgent_first_without_duplicates(lexicon: Lexicon) -> None:
    escalation = detect("numb calf, swollen calf, swelling again, and chest pain, chest pain", lexicon)
    assert escalation is not None and escalation.level == "emergency"
    assert escalation.terms[0] == "chest pain"
    assert len(escalation.terms) == len(set(escalation.terms))
    assert {"numbness or tingling", "swelling"} <= set(escalation.terms)


@pytest.mark.parametrize("text", ["swell", "swells", "swelled", "swelling", "swollen"])
def test_word_forms_of_swell_all_match(text: str, lexicon: Lexicon) -> None:
    assert detect(f"my ankle {text}", lexicon) is not None


@pytest.mark.parametrize("text", ["faint", "fainted", "fainting", "feeling faint"])
def test_word_forms_of_faint_all_match(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "emergency"


@pytest.mark.parametrize(
    "text", ["can't walk", "cant walk", "cannot walk", "can not walk", "can\u2019t walk", "CAN'T WALK!"]
)
def test_contractions_curly_quotes_and_capitals_do_not_matter(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "emergency"


@pytest.mark.parametrize("text", ["short of breath", "breath is short", "my breath is so short", "shortness of breath"])
def test_multi_word_flags_match_in_either_order_with_words_between(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "emergency"


def test_words_of_a_phrase_far_apart_do_not_match(lexicon: Lexicon) -> None:
    text = "my chest is fine, I stretched my arms and my back and my neck and then had a cramp with some pain"
    assert detect(text, lexicon) is None


def test_words_joined_by_plus_must_come_in_order_and_close(lexicon: Lexicon) -> None:
    assert detect("I can't even walk", lexicon) is not None
    assert detect("I can't sleep so I walk around", lexicon) is None
    assert detect("I can walk but not run", lexicon) is None


@pytest.mark.parametrize(
    ("text", "typo"),
    [
        ("chest pian", "pian"),
        ("my calf is swolen", "swolen"),
        ("numbnes in my foot", "numbnes"),
        ("short of breth", "breth"),
        ("I had a siezure", "siezure"),
        ("excrutiating pain", "excrutiating"),
    ],
)
def test_typos_of_red_flag_words_are_tolerated_and_reported(text: str, typo: str, lexicon: Lexicon) -> None:
    escalation = detect(text, lexicon)
    assert escalation is not None
    assert typo in {typed for match in escalation.matches for typed, _ in match.typos}


@pytest.mark.parametrize(
    ("text", "typo", "flag"),
    [
        ("chest pian", "pian", "chest pain"),
        ("chets pain", "chets", "chest pain"),
        ("shortnes of breath", "shortnes", "shortness of breath"),
        ("cnat breathe", "cnat", "shortness of breath"),
        ("cannto breathe", "cannto", "shortness of breath"),
        ("pased out", "pased", "fainting"),
        ("I cant wlak", "wlak", "unable to walk or move the leg"),
        ("coudlnt move my leg", "coudlnt", "unable to walk or move the leg"),
        ("heart atack", "atack", "chest pain"),
        ("my dad blakced out", "blakced", "fainting"),
    ],
)
def test_one_letter_typos_in_the_words_of_multi_word_emergency_flags_are_read(
    text: str, typo: str, flag: str, lexicon: Lexicon
) -> None:
    escalation = detect(text, lexicon)
    assert escalation is not None and escalation.level == "emergency" and flag in escalation.terms
    assert typo in {typed for match in escalation.matches for typed, _ in match.typos}


def test_a_mistyped_contraction_is_reported_with_its_reading(lexicon: Lexicon) -> None:
    (match,) = detect_all("cnat breathe", lexicon)
    assert match.words == ("can", "not", "breathe")
    assert match.typos == (("cnat", "can not"),)


@pytest.mark.parametrize(
    "text",
    [
        "I can't find my purse",  # purse ~ pulse
        "I kneeled over to stretch",  # kneeled ~ keeled: a guard word
        "a heat attack",  # heat ~ heart
        "I can't walt for summer",  # walt ~ walk
        "I cant stnad these cramps",  # a mistyped ordinary phrase is still ordinary
        "the cramp does not step me sleeping",  # step ~ stop
    ],
)
def test_real_words_one_letter_from_a_word_of_a_multi_word_flag_are_not_typos(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


def test_typos_in_words_of_plus_chunks_need_a_non_word_and_one_edit(lexicon: Lexicon) -> None:
    assert "purse" in lexicon.common_words  # so "can't find my purse" is never "can't find my pulse"
    assert level_of("I passed out", lexicon) == "emergency"
    assert level_of("I pasesd out", lexicon) == "emergency"  # a swap: one edit
    assert detect("I pasesdd out", lexicon) is None  # two edits in a chunk word: never
    assert detect("I passed otu", lexicon) is None  # three letters: spelled right


@pytest.mark.parametrize(
    "text",
    [
        "I like to paint",
        "a saint of a nurse",
        "the number of cramps",
        "I read about cramps",
        "I went to bed",
        "someone stole my bike",
        "leisure time",
        "I eat blueberries",
        "cramps every week",
        "what food helps",
        "I could stretch more",
        "tonic water",
        "I painted the fence",
        "sports drinks",
    ],
)
def test_look_alike_words_do_not_raise_false_alarms(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


@pytest.mark.parametrize("word", ["paint", "number", "week", "stole", "tonic", "sport", "fewer", "couch"])
def test_guard_words_are_in_the_lexicon(word: str, lexicon: Lexicon) -> None:
    assert word in lexicon.guard_words


def test_guard_words_never_shadow_a_red_flag_word(lexicon: Lexicon) -> None:
    problems = [p for p in check_lexicon(lexicon, ordinary=[]) if "guard word" in p.message]
    assert problems == []


def test_short_words_need_exact_spelling(lexicon: Lexicon) -> None:
    assert detect("my calf is rad", lexicon) is None  # 3 letters: no typo reading of "red"


@pytest.mark.parametrize(
    "text",
    [
        "pain",
        "cramp",
        "my calf feels tight",
        "sore calf",
        "warm bath",
        "heating pad",
        "red meat",
        "cold compress",
        "I'm pregnant",
        "walking helps",
        "cold weather",
        "keep your legs warm",
        "hot water bottle on my calf",
        "dark chocolate",
        "blood pressure pills",
        "I can't stand it",
        "faint ache",
        "I can't sleep",
    ],
)
def test_ordinary_leg_cramp_words_do_not_escalate(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


@pytest.mark.parametrize(
    "text",
    [
        "I get cramps when it's hot",
        "cramps in warm weather",
        "a warm bath helps",
        "hot summer nights",
        "it's warm in my bedroom",
        "my legs cramp when it's hot",
        "my legs cramp when I'm too hot in bed",
        "when it's warm my legs cramp",
        "my calves cramp more in the hot summer",
        "my legs get cramps when the house is hot",
        "it's warm in my bedroom and my legs cramp",
        "I warm my feet with a hot water bottle",
        "going to Spain in August, it'll be really hot, and my legs cramp at night",
        "it will be hot next week and my legs always cramp then",
    ],
)
def test_hot_weather_a_warm_room_or_warming_the_legs_is_not_warmth(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


@pytest.mark.parametrize(
    "text",
    [
        "my calf is warm to the touch",
        "my leg feels hot and swollen",
        "the back of my leg is hot",
        "warmth in my calf",
        "there's a lump on my calf and it's hot to the touch",
        "my legs cramp when it's hot, and now my calf is hot and tender",
        "it's hot outside but my left calf feels much hotter than the right",
        "I can feel heat coming from my calf",
    ],
)
def test_a_warm_or_hot_leg_raises_warmth_whatever_the_weather(text: str, lexicon: Lexicon) -> None:
    escalation = detect(text, lexicon)
    assert escalation is not None and "warmth" in escalation.terms


def test_an_ordinary_phrase_only_hides_its_own_words(lexicon: Lexicon) -> None:
    assert detect("I ate red meat and now my calf is red", lexicon) is not None
    assert detect("cold compress helped but my foot went cold and pale", lexicon) is not None


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain but my calf cramps",
        "I don't have chest pain",
        "I'm not short of breath",
        "never fainted",
        "without any swelling",
    ],
)
def test_negation_does_not_suppress_escalation(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is not None


@pytest.mark.parametrize(
    "text",
    [
        "what if I get chest pain",
        "could cramps make me faint?",
        "should I worry if my calf swells",
        "what happens if I can't walk after a cramp",
    ],
)
def test_hypotheticals_do_not_suppress_escalation(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is not None


@pytest.mark.parametrize(
    "text",
    [
        "the cramp was agonising for a minute",
        "excruciating cramp woke me up but it went in 30 seconds",
        "it hurts like hell while it lasts",
        "worst pain ever for a few seconds then gone",
        "unbearable pain while it lasts",
        "agonizing charley horse but all gone in a couple of minutes",
        "severe pain until it passes, then I'm fine",
    ],
)
def test_strong_words_for_a_brief_passing_cramp_do_not_raise_severe_pain(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


@pytest.mark.parametrize(
    "text",
    [
        "severe pain in my calf that won't go away",
        "agonising leg pain that hasn't eased for hours",
        "the pain has lasted all day",
        "severe leg pain after a fall",
        "the cramp was agonising for a minute but my calf is still in severe pain",
        "excruciating for a few seconds at first, now constant",
        "agonising pain that comes back every few minutes",
        "excruciating pain in my calf for 20 minutes",
        "severe pain in my calf, it started a minute ago",
    ],
)
def test_severe_pain_that_persists_or_has_another_cause_still_escalates(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "doctor"


@pytest.mark.parametrize(
    "text",
    [
        "I passed out for a few seconds, then it was gone",
        "crushing chest pain for a minute, then it went away",
        "agonising cramp for a minute and I couldn't breathe",
    ],
)
def test_words_for_a_passing_cramp_never_silence_an_emergency(text: str, lexicon: Lexicon) -> None:
    assert level_of(text, lexicon) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "My cramps go away in a minute. Tonight I have severe pain in my calf.",
        "The cramp was agonising for a minute, then gone. Now severe pain in my calf",
        "worst pain ever for a few seconds then gone\nexcruciating pain in my calf at night",
    ],
)
def test_a_passing_cramp_only_silences_severe_pain_in_its_own_sentence(text: str, lexicon: Lexicon) -> None:
    escalation = detect(text, lexicon)
    assert escalation is not None and "severe pain" in escalation.terms


def test_only_the_suppressed_flag_is_silenced_by_a_passing_cramp(lexicon: Lexicon) -> None:
    escalation = detect("agonising cramp for a minute, my calf is swollen", lexicon)
    assert escalation is not None and escalation.terms == ("swelling",)


def test_the_emergency_message_names_emergency_numbers(lexicon: Lexicon) -> None:
    message = lexicon.messages["emergency"]
    assert "emergency number" in message
    assert all(number in message for number in ("911", "112", "999"))


def test_the_doctor_message_points_to_a_healthcare_professional(lexicon: Lexicon) -> None:
    message = lexicon.messages["doctor"]
    assert "healthcare professional" in message
    assert "emergency number" in message


def test_every_flag_has_a_reason_and_phrases(lexicon: Lexicon) -> None:
    assert {f.level for f in lexicon.flags} == set(LEVELS)
    for flag in lexicon.flags:
        assert len(flag.reason) > 20, flag.name
        assert flag.phrases, flag.name


def test_detect_all_explains_which_phrase_and_words_fired(lexicon: Lexicon) -> None:
    (match,) = detect_all("my chest hurts", lexicon)
    assert match.flag == "chest pain" and match.level == "emergency"
    assert match.words == ("chest", "hurts")
    assert LEXICON_PATH.read_text().splitlines()[match.line - 1].strip().startswith("- chest")


def test_empty_and_punctuation_only_messages_do_not_escalate(lexicon: Lexicon) -> None:
    for text in ("", "   ", "?!", "..."):
        assert detect(text, lexicon) is None


def test_repeated_messages_are_answered_from_the_cache(lexicon: Lexicon) -> None:
    """How fast detection is lives in bench/safety_detect.py; here only that repeats hit the cache."""
    text = "my calf is swollen and red and I have chest pain"
    lexicon.result_cache.clear()
    first = detect(text, lexicon)
    assert text in lexicon.result_cache
    assert detect(text, lexicon) == first and len(lexicon.result_cache) == 1


def test_the_shipped_lexicon_passes_its_checks() -> None:
    ordinary = load_ordinary_phrases(LEXICON_PATH.parent / "eval" / "ordinary_words.yaml")
    assert ordinary, "the ordinary-phrases list ships with the knowledge"
    assert check_lexicon(load_lexicon(LEXICON_PATH), ordinary) == []


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "red_flags.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


VALID = """\
    levels:
      emergency:
        message: Call your local emergency number (such as 911, 112 or 999).
        flags:
          - name: chest pain
            reason: Article 000, When should I go to the ER?
            phrases: [chest pain]
      doctor:
        message: See a healthcare professional soon.
        flags:
          - name: swelling
            reason: Article 000, When to worry about leg cramps.
            phrases: [swell]
"""


def test_a_minimal_lexicon_loads(tmp_path: Path) -> None:
    lexicon = load_lexicon(write(tmp_path, VALID))
    assert level_of("pain in my chest", lexicon) == "emergency"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("phrases: [chest pain]", "phrase: [chest pain]", ":7: unknown flag key 'phrase'"),
        ("phrases: [swell]", "phrases: [$LIMB swell]", ":13: unknown group '$LIMB'"),
        ("(such as 911, 112 or 999)", "(ask someone)", ":3: the emergency message must name"),
        ("reason: Article 000, When to worry about leg cramps.", "reason: ''", "reason of 'swelling' must be"),
        ("phrases: [swell]", "phrases: [the]", ":13: phrase 'the' has no words"),
        ("  doctor:", "  doktor:", "unknown level 'doktor'"),
        ("phrases: [chest pain]", "phrases: [chest pain\n", "not valid YAML"),
    ],
)
def test_bad_lexicon_data_raises_a_clear_error_naming_file_and_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = write(tmp_path, VALID.replace(old, new))
    with pytest.raises(LexiconError, match=re.escape(expected)) as info:
        load_lexicon(path)
    assert str(info.value).startswith(str(path))
    assert isinstance(info.value, ValueError)


SUPPRESSED = """\
            phrases: [swell]
            suppressed:
              when: [for+a+minute|then+gone]
              unless: [still|for+hours]
"""


def test_a_suppressed_flag_is_silent_when_a_when_phrase_and_no_unless_phrase_is_said(tmp_path: Path) -> None:
    lexicon = load_lexicon(write(tmp_path, VALID.replace("            phrases: [swell]\n", SUPPRESSED)))
    assert level_of("my ankle swelled for a minute", lexicon) is None
    assert level_of("my ankle swelled up", lexicon) == "doctor"
    assert level_of("my ankle swelled for a minute and is still big", lexicon) == "doctor"
    assert level_of("my knee was fine for a minute. Then my ankle swelled", lexicon) == "doctor"
    assert level_of("my ankle swelled then gone. Chest pain for a minute", lexicon) == "emergency"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("unless: [still|for+hours]", "", "suppressed of 'swelling' needs a non-empty 'unless' list"),
        ("when: [for+a+minute|then+gone]", "when: []", "needs a non-empty 'when' list"),
        ("unless: [still|for+hours]", "unless: [still]\n              if: [gone]", "unknown key 'if' in suppressed"),
        ("unless: [still|for+hours]", "unless: [$SOON+hours]", "unknown group '$SOON'"),
        ("suppressed:", "suppressed: []\n            unused:", "suppressed of 'swelling' must be a mapping"),
    ],
)
def test_a_bad_suppressed_section_is_an_error_naming_its_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = write(tmp_path, VALID.replace("            phrases: [swell]\n", SUPPRESSED.replace(old, new)))
    with pytest.raises(LexiconError, match=re.escape(expected)) as info:
        load_lexicon(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: ", str(info.value))


def test_an_emergency_flag_can_never_be_suppressed(tmp_path: Path) -> None:
    body = VALID.replace("            phrases: [chest pain]\n", SUPPRESSED.replace("[swell]", "[chest pain]"))
    with pytest.raises(LexiconError, match="'chest pain': an emergency flag is never suppressed"):
        load_lexicon(write(tmp_path, body))


def test_common_words_beside_the_lexicon_are_never_read_as_typos_of_chunk_words(tmp_path: Path) -> None:
    body = VALID.replace("phrases: [chest pain]", "phrases: [chest pain, heart+attack]")
    path = write(tmp_path, body)
    assert level_of("heat attack", load_lexicon(path)) == "emergency"  # no common_words: a typo
    (tmp_path / "words.txt").write_text("# common English\nheat\n", encoding="utf-8")
    path.write_text("common_words: words.txt\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    lexicon = load_lexicon(path)
    assert lexicon.common_words == {"heat"}
    assert level_of("heat attack", lexicon) is None
    assert level_of("hart attack", lexicon) == "emergency"


def test_a_missing_common_words_file_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    path.write_text("common_words: nope.txt\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(LexiconError, match=re.escape(":1: cannot read the common_words file 'nope.txt'")):
        load_lexicon(path)


def test_a_missing_lexicon_file_raises_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(tmp_path / "nope.yaml")


def test_check_lexicon_reports_an_ordinary_phrase_that_raises_a_flag(tmp_path: Path) -> None:
    problems = check_lexicon(load_lexicon(write(tmp_path, VALID)), ordinary=["my chest is sore", "pain in my chest"])
    assert len(problems) == 1
    assert "'pain in my chest' raises flag 'chest pain'" in problems[0].message
    assert problems[0].line > 0


def test_check_lexicon_reports_repeated_phrases_and_a_broken_lexicon_does_not_load(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("phrases: [chest pain]", "phrases: [chest pain, pain in my chest]"))
    assert any("repeats 'chest pain'" in p.message for p in check_lexicon(load_lexicon(path)))
    broken = write(tmp_path, VALID.replace("  doctor:", "  doktor:"))
    with pytest.raises(LexiconError, match="unknown level"):
        load_lexicon(broken)
