"""Conversations: follow-ups read with the topic, new questions alone, escalation kept for the session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.chat import Bot, Reply
from bot.conversation.followup import ConversationCues, read_follow_up
from bot.conversation.state import Conversation
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError

CUES = ConversationCues.from_lists(
    more=["tell me more", "what else can i try"],
    continues=["and", "what about"],
    pointing=["it", "that", "they", "them"],
    fillers=["ok", "please"],
)


def names_topic(words: Sequence[str]) -> bool:
    return any(w.startswith("cramp") for w in words)


def topic_words(words: Sequence[str]) -> list[str]:
    return [w for w in words if w in {"leg", "cramps", "night", "magnesium"}]


def read(message: str, topic: str = "what causes leg cramps at night") -> tuple[str, str] | None:
    follow = read_follow_up(message, topic, CUES, names_topic, topic_words)
    return (follow.kind, follow.read_as) if follow else None


@pytest.fixture()
def talk(bot: Bot) -> Callable[..., list[Reply]]:
    """Ask the messages in one conversation; the replies in order."""

    def run(*messages: str) -> list[Reply]:
        conversation, replies = Conversation(), []
        for message in messages:
            reply = bot.ask(message, conversation)
            conversation = bot.remember_reply(conversation, message, reply)
            replies.append(reply)
        return replies

    return run


# --- reading a follow-up (pure) ------------------------------------------------------------------


def test_an_own_question_after_and_keeps_its_question_and_takes_the_topic() -> None:
    assert read("and how do I prevent them?") == ("continues", "leg cramps night. how do i prevent them?")


def test_what_about_asks_the_last_question_again_about_something_else() -> None:
    assert read("what about in pregnancy?") == ("continues", "what causes leg cramps at night in pregnancy")


def test_a_short_question_without_the_topic_is_read_with_it() -> None:
    assert read("why?") == ("short", "leg cramps night. why?")


def test_a_question_that_names_the_topic_stands_alone() -> None:
    assert read("can statins cause cramps in older people?") is None


def test_tell_me_more_with_fillers_asks_for_more_on_the_topic() -> None:
    assert read("ok tell me more please") == ("more", "what causes leg cramps at night")


def test_thanks_and_other_fillers_do_not_make_a_follow_up_long() -> None:
    cues = ConversationCues.from_lists(more=[], continues=[], pointing=["it"], fillers=["thank", "you", "ok"])
    message = "ok thank you. anything I can do before bed to stop it?"
    follow = read_follow_up(message, "what causes leg cramps at night", cues, names_topic, topic_words)
    assert follow is not None and follow.kind == "points_back"


def test_what_about_after_what_about_asks_the_first_question_again() -> None:
    follow = read_follow_up("and older people?", "x in pregnancy", CUES, names_topic, topic_words, base="x")
    assert follow is not None and follow.read_as == "x older people"


# --- the bot in a conversation -------------------------------------------------------------------


def test_a_follow_up_is_answered_with_the_conversations_topic(talk: Callable[..., list[Reply]]) -> None:
    first, follow = talk("What causes leg cramps at night?", "and how do I prevent them?")
    assert first.matched and not first.context_used
    assert follow.matched and follow.context_used and follow.passage is not None
    assert "prevent" in follow.passage.question.lower()


def test_what_about_another_thing_asks_about_it_instead_of_the_last_one(talk: Callable[..., list[Reply]]) -> None:
    first, follow = talk("Which foods are rich in potassium?", "and for magnesium?")
    assert first.passage is not None and "potassium" in first.passage.id
    assert follow.context_used and follow.passage is not None and "magnesium" in follow.passage.id


def test_what_the_user_said_stays_in_the_topic(talk: Callable[..., list[Reply]]) -> None:
    _, follow = talk("Do women get leg cramps more often than men?", "why is that?")
    assert follow.read_as is not None and "women" in follow.read_as


def test_the_same_follow_up_without_a_conversation_is_not_answered(bot: Bot) -> None:
    reply = bot.ask("and how do I prevent them?")
    assert not reply.context_used


def test_tell_me_more_gives_a_passage_not_shown_yet(talk: Callable[..., list[Reply]]) -> None:
    first, more, again = talk("How can I prevent leg cramps?", "tell me more", "what else can I try?")
    shown = [r.passage.id for r in (first, more, again) if r.passage is not None]
    assert len(shown) == 3 and len(set(shown)) == 3


def test_a_complete_new_question_is_answered_on_its_own(bot: Bot, talk: Callable[..., list[Reply]]) -> None:
    _, new = talk("Does magnesium help with leg cramps?", "Can being pregnant cause leg cramps?")
    alone = bot.ask("Can being pregnant cause leg cramps?")
    assert not new.context_used
    assert new.passage == alone.passage


def test_an_off_topic_message_stays_off_topic_in_a_conversation(talk: Callable[..., list[Reply]]) -> None:
    _, off = talk("What causes leg cramps at night?", "What's the weather going to be like this weekend?")
    assert not off.matched


def test_a_message_to_the_bot_is_not_read_with_the_topic(talk: Callable[..., list[Reply]]) -> None:
    _, off = talk("What causes leg cramps at night?", "are you a real person")
    assert not off.matched


def test_escalation_is_kept_for_the_rest_of_the_conversation(talk: Callable[..., list[Reply]]) -> None:
    flag, follow, thanks = talk("my leg is red and warm to the touch", "what should I do?", "thanks")
    assert flag.escalation is not None and not flag.escalation_from_earlier
    for reply in (follow, thanks):
        assert reply.escalation is not None and reply.escalation.level == flag.escalation.level
        assert reply.escalation_from_earlier and reply.escalation.message in reply.answer
        assert reply.to_dict()["escalation"]["from_earlier"] is True


def test_what_should_i_do_after_a_red_flag_gets_when_to_get_help_and_the_escalation(
    bot: Bot, talk: Callable[..., list[Reply]]
) -> None:
    _, follow = talk("my calf is swollen and hot", "what should I do?")
    assert follow.escalation is not None and follow.answer.endswith(follow.escalation.message)
    expected = bot.ask(bot.knowledge.conversation["after_red_flag"][0]).passage
    assert follow.passage is not None and follow.passage == expected


def test_a_new_red_flag_in_a_follow_up_raises_the_level(talk: Callable[..., list[Reply]]) -> None:
    first, second = talk("my leg is red and warm to the touch", "now I have chest pain too")
    assert first.escalation is not None and first.escalation.level == "doctor"
    assert second.escalation is not None and second.escalation.level == "emergency"
    assert not second.escalation_from_earlier


def test_an_emergency_with_no_passage_leads_with_what_to_do(bot: Bot) -> None:
    reply = bot.ask("I have chest pain")
    assert reply.escalation is not None and reply.answer.startswith(reply.escalation.message)
    assert "Sorry" not in reply.answer and "suggested" not in reply.answer
    assert reply.suggestions == ()


def test_an_answer_with_a_red_flag_keeps_the_passage_first(bot: Bot) -> None:
    reply = bot.ask("How do I stop a leg cramp? My calf is also swollen and red")
    assert reply.matched and reply.escalation is not None
    assert reply.answer.endswith(reply.escalation.message) and reply.body in reply.answer


def test_remembered_conversations_are_bounded(bot: Bot) -> None:
    conversation = Conversation()
    for question in ["What causes leg cramps at night?"] * 20:
        conversation = bot.remember_reply(conversation, question, bot.ask(question, conversation))
    assert len(conversation.turns) == bot.max_turns


def test_a_new_flag_after_a_more_urgent_one_is_named_too(talk: Callable[..., list[Reply]]) -> None:
    _, later = talk("I have chest pain", "my calf is swollen and red")
    assert later.escalation is not None and later.escalation.level == "emergency"
    assert "chest pain" in later.escalation.terms and len(later.escalation.terms) > 1
    assert not later.escalation_from_earlier


def test_another_kind_of_cramp_is_declined_whatever_the_topic(talk: Callable[..., list[Reply]]) -> None:
    _, hands = talk("What causes leg cramps at night?", "what about in my hands?")
    assert hands.kind == "other_topic" and not hands.context_used


def test_a_declined_message_is_no_topic_for_the_next(talk: Callable[..., list[Reply]]) -> None:
    _, more = talk("is CBD oil good for cramps?", "tell me more")
    assert not more.matched


def test_a_new_question_after_and_is_answered_on_its_own(bot: Bot, talk: Callable[..., list[Reply]]) -> None:
    _, new = talk("is quinine safe for leg cramps?", "and what are nocturnal leg cramps?")
    assert not new.context_used and new.passage == bot.ask("what are nocturnal leg cramps?").passage


def test_after_a_red_flag_a_question_of_its_own_is_not_sent_to_the_er_passage(
    bot: Bot, talk: Callable[..., list[Reply]]
) -> None:
    _, _, again = talk("my calf is swollen and red", "what should I do?", "how do I prevent leg cramps?")
    er = bot.ask(bot.knowledge.conversation["after_red_flag"][0]).passage
    assert again.passage is not None and again.passage != er and again.escalation is not None


def test_a_follow_up_framed_with_general_words_is_read_with_the_topic(talk: Callable[..., list[Reply]]) -> None:
    _, follow = talk("do older people get more leg cramps?", "why does age bring them on?")
    assert follow.matched and follow.context_used and follow.passage is not None
    assert "age" in follow.passage.id


def test_after_a_red_flag_a_follow_up_about_the_leg_gets_when_to_get_help(
    bot: Bot, talk: Callable[..., list[Reply]]
) -> None:
    """ "should I just rest it?" after a swollen, hot calf: the leg needs seeing to first."""
    _, follow = talk("my calf has been swollen and hot since yesterday", "should I just rest it?")
    er = bot.ask(bot.knowledge.conversation["after_red_flag"][0]).passage
    assert follow.context_used and follow.passage == er and follow.escalation is not None


def test_without_a_red_flag_the_same_follow_up_is_not_sent_to_the_er_passage(
    bot: Bot, talk: Callable[..., list[Reply]]
) -> None:
    _, follow = talk("my calves cramp most nights", "should I just rest it?")
    er = bot.ask(bot.knowledge.conversation["after_red_flag"][0]).passage
    assert follow.passage != er and follow.escalation is None


def test_tell_me_more_never_shows_the_same_question_twice(talk: Callable[..., list[Reply]]) -> None:
    replies = talk("What causes leg cramps at night?", "tell me more", "tell me more", "tell me more", "tell me more")
    questions = [r.passage.question.casefold().rstrip("?") for r in replies if r.passage is not None]
    assert len(questions) == len(set(questions))


# --- conversation.yaml ---------------------------------------------------------------------------


def test_topic_intents_must_name_intents_of_intents_yaml(knowledge_copy: Path) -> None:
    path = knowledge_copy / "conversation.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - whom\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="topic_intents names 'whom'"):
        load_knowledge(knowledge_copy)
