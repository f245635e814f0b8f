"""Pure parts of the handoff: contacts, transcript, cancelling."""
import pytest

from bot.actions.handoff_actions import parse_contact, transcript, wants_to_cancel
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


def test_cancel_words():
    assert wants_to_cancel("cancel") and wants_to_cancel("please cancel the handoff")
    assert not wants_to_cancel("how much does it cost")
