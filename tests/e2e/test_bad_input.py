"""Hostile, empty, huge and foreign messages get a sensible reply and break nothing."""
import uuid

import pytest

HOSTILE = [
    "",
    "   ",
    "x" * 10_000,
    "🎓🤔💸",
    "1 OR 1=1; DROP TABLE programs; --",
    "<script>alert('hi')</script> how much is the <b>CAD</b> course",
    "¿Cuánto cuesta el curso de inteligencia artificial?",
    "这个课程多少钱",
    "{\"message\": null}",
]


@pytest.mark.parametrize("message", HOSTILE, ids=lambda m: repr(m[:20]))
def test_bad_input_gets_a_reply_and_the_next_question_works(stack, message):
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, message)
    text = "\n".join(r.get("text", "") for r in replies)
    if message.strip():
        assert text.strip(), "a non-empty message deserves an answer"
    assert "<script" not in text and "<b>" not in text
    assert len(text) < 3000
    assert "$10" in stack.reply(sender, "how much is Introduction to Generative AI?")


def test_program_facts_are_never_invented(stack):
    sender = f"facts-{uuid.uuid4().hex[:8]}"
    reply = stack.reply(sender, "how much does the Master of Science in Physics cost?")
    assert "$" not in reply and "coach" in reply.lower()


def test_a_run_of_garbage_in_one_conversation_hands_off_once_and_then_stays_with_the_coach(stack):
    sender = f"garbage-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "")
    handed = stack.reply(sender, "   ")
    assert "coach" in handed.lower()
    assert "not sure I understood" not in handed  # no core fallback undoing the handoff
    # The handoff holds: what follows goes to the coach, quietly.
    assert stack.say(sender, "😀😀😀") == []
