"""Pure parts of the handoff: contacts, transcript, repeated misunderstandings."""
import pytest

from bot.actions.handoff_actions import consecutive_fallbacks, parse_contact, transcript, wants_to_cancel
from tests.actions_support import tracker_for


@pytest.mark.parametrize(
    "text, contact",
    [("you can mail me at Ann.Lee+wv@Example.org", "ann.lee+wv@example.org"), ("(304) 555-0100", "(304) 555-0100"),
     ("+1 304 555 0100 please", "+1 304 555 0100"), ("call me maybe", None), ("12345", None), ("ann@", None)],
)
def test_parse_contact(text, contact):
    assert parse_contact(text) == contact


def test_transcript_keeps_learner_and_bot_lines_in_order():
    tracker = tracker_for("hi", events=[
        {"event": "user", "text": "hi", "timestamp": 1_700_000_000},
        {"event": "bot", "text": "Hello!", "timestamp": 1_700_000_001},
        {"event": "slot", "name": "program", "value": "x", "timestamp": 1_700_000_002},
        {"event": "user", "text": "talk to a human", "timestamp": 1_700_000_003},
    ])
    lines = transcript(tracker)
    assert [(role, text) for role, text, _ in lines] == [
        ("learner", "hi"), ("bot", "Hello!"), ("learner", "talk to a human")]
    assert lines[0][2].year == 2023


def test_consecutive_fallbacks_counts_only_the_latest_run():
    def user(intent):
        return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}
    def bot(response):
        return {"event": "bot", "text": "x", "metadata": {"utter_action": response}}
    tracker = tracker_for("x", events=[user("nlu_fallback"), bot("utter_default"), user("greet"), bot("utter_greet"),
                                       user("nlu_fallback"), bot("utter_default"), user("nlu_fallback")])
    assert consecutive_fallbacks(tracker) == 2
    # An earlier unsure message that still got an answer (a program named in it) was understood.
    answered = tracker_for("x", events=[user("nlu_fallback"), bot("utter_program_cost"), user("nlu_fallback")])
    assert consecutive_fallbacks(answered) == 1
    assert consecutive_fallbacks(tracker_for("x", events=[user("greet")])) == 0


def test_cancel_words():
    assert wants_to_cancel("cancel") and wants_to_cancel("please cancel the handoff")
    assert not wants_to_cancel("how much does it cost")
