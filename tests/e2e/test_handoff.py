"""A learner on the website's socket.io channel is handed to a coach on the live desk, and back."""
import json

from tests.e2e.people import Learner


async def test_handoff_round_trip(stack, coach):
    learner = Learner(stack.url)
    await learner.connect()
    await learner.say("how much is the gen AI course?")
    await learner.hear(r"\$10")
    await learner.say("I want to talk to a human")
    await learner.hear(r"coach")

    queue = json.loads(coach.get("/queue.json"))
    mine = [row for row in queue if row["channel"] == "socketio" and row["last_message"] == "I want to talk to a human"]
    assert mine, queue
    handoff_path = mine[-1]["url"].removeprefix("/desk")
    page = coach.get(handoff_path)
    assert "how much is the gen AI course?" in page and "Introduction to Generative AI" in page  # transcript, summary

    coach.post(handoff_path + "/claim", csrf=coach.csrf(page))
    coach.post(handoff_path + "/reply", csrf=coach.csrf(page), text="Hi! I'm a coach. How can I help?")
    assert "How can I help?" in await learner.hear(r"How can I help")

    await learner.say("Can I get financial aid?")
    assert await learner.silence() == []  # the assistant stays quiet while the coach has the conversation
    assert "Can I get financial aid?" in coach.get(handoff_path)

    stack.web.stop()  # the desk restarts mid-handoff: nothing is lost
    stack.web.start()
    coach.sign_in()
    page = coach.get(handoff_path)
    assert "Can I get financial aid?" in page and "How can I help?" in page

    coach.post(handoff_path + "/close", csrf=coach.csrf(page))
    await learner.hear(r"back with me")
    await learner.say("how much is Lockout/Tagout Safety Training?")
    await learner.hear(r"\$99")
    await learner.client.disconnect()
