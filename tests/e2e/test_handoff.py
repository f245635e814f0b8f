"""A learner on the website's socket.io channel is handed to a coach on the live desk, and back."""
import json
import re

from tests.e2e.people import Learner


async def test_handoff_round_trip(stack, coach):
    learner = Learner(stack.url)
    await learner.connect()
    await learner.say("/greet")  # as the widget opens every conversation
    await learner.hear(r"welcome")
    await learner.say("how much is the gen AI course?")
    await learner.hear(r"\$10")
    await learner.say("I want to talk to a human")
    await learner.hear(r"coach")

    queue = json.loads(coach.get("/queue.json"))
    mine = [row for row in queue if row["channel"] == "website" and row["last_message"] == "I want to talk to a human"]
    assert mine, queue
    handoff_path = mine[-1]["url"].removeprefix("/desk")
    page = coach.get(handoff_path)
    assert "how much is the gen AI course?" in page and "Introduction to Generative AI" in page  # transcript, summary
    transcript = page.split('id="transcript"', 1)[1].split("</ol>", 1)[0]
    assert "<b>Assistant</b>" in transcript and "$10" in transcript  # both sides
    assert "/greet" not in transcript and " UTC" not in transcript and re.search(r"\d\d:\d\d E[SD]T", transcript)
    summary = page.split('id="summary-title"', 1)[1].split("</dl>", 1)[0]
    assert re.search(r"Program in focus</dt><dd>Introduction to Generative AI", summary), summary

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

    coach.close(handoff_path)
    await learner.hear(r"back with me")
    await learner.say("how much is Lockout/Tagout Safety Training?")
    await learner.hear(r"\$99")
    await learner.client.disconnect()
