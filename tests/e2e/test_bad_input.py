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


def test_a_run_of_empty_messages_gets_a_rephrase_then_a_coach_offer_and_pages_nobody(stack):
    sender = f"garbage-{uuid.uuid4().hex[:8]}"
    assert "not sure I understood" in stack.reply(sender, "")
    offer = stack.reply(sender, "   ")
    assert "admissions coach?" in offer  # offered, not opened
    assert "passed our whole conversation" not in offer
    # Nobody was paged: the next question gets the assistant's answer, not silence.
    assert "$10" in stack.reply(sender, "how much is Introduction to Generative AI?")
