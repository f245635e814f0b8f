"""Rasa is killed mid-conversation and supervisord starts it again: every conversation continues where it was.

Conversations live in Rasa's SQL tracker store (TRACKER_DB_URL, a SQLite file here), so a crash
loses neither form progress, nor the program a follow-up refers to, nor an open handoff.
"""
import json
import uuid

from tests.e2e.people import Learner


async def test_conversations_survive_a_killed_rasa(stack, coach):
    tag = uuid.uuid4().hex[:8]
    questionnaire, context = f"restart-form-{tag}", f"restart-context-{tag}"

    assert "learn" in stack.reply(questionnaire, "help me choose").lower()
    assert "grow" in stack.reply(questionnaire, "generative AI").lower()  # the second question: switch or grow
    assert "lockout" in stack.reply(context, "tell me about the lockout tagout training").lower()

    learner = Learner(stack.url)
    await learner.connect()
    await learner.say("I want to talk to a human")
    await learner.hear(r"coach")
    rows = [row for row in json.loads(coach.get("/queue.json"))
            if row["channel"] == "website" and row["last_message"] == "I want to talk to a human"]
    assert rows
    handoff_path = rows[-1]["url"].removeprefix("/desk")
    await learner.client.disconnect()

    stack.rasa.wait_restarted(stack.rasa.kill())

    # The questionnaire goes on with its third question (hours), not from the start.
    reply = stack.reply(questionnaire, "I want to switch to a new field").lower()
    assert "hours" in reply and "what would you like to learn" not in reply
    assert "$99" in stack.reply(context, "how much is it?")
    said = [e["text"] for e in stack.events(context) if e["event"] == "user"]
    assert said == ["tell me about the lockout tagout training", "how much is it?"]  # the history is kept

    # The widget reconnects with its stored session id; the handoff still relays both ways.
    back = Learner(stack.url)
    back.session_id = learner.session_id
    await back.connect()
    await back.say("are you still there?")
    # The assistant only says it passed that on: the coach has the conversation.
    assert [message.get("text") for message in await back.silence()] == ["Sent to your coach."]
    page = coach.get(handoff_path)
    assert "are you still there?" in page
    coach.post(handoff_path + "/reply", csrf=coach.csrf(page), text="Still here after the restart.")
    await back.hear(r"Still here after the restart")
    coach.close(handoff_path)
    await back.hear(r"back with me")
    await back.client.disconnect()
