"""Slack end to end: signed events into the running Rasa, answers out through a fake of Slack's Web API."""
import time
import uuid

from channels.slack import slack_conversation
from tests.chat_fakes import slack_message, slack_signature
from tests.e2e.chat_support import handoff_ids, new_handoff, user_messages


class Learner:
    """A Slack user with a direct message and a channel of their own, so tests never share a conversation."""

    def __init__(self, stack, slack_api):
        tag = uuid.uuid4().hex[:10].upper()
        self.user, self.dm, self.channel = f"U{tag}", f"D{tag}", f"C{tag}"
        self.webhook = f"{stack.url}/webhooks/slack/webhook"
        self.api = slack_api
        self.conversation = slack_conversation("T1", self.user, self.dm, None)  # slack_message's team

    def event(self, text, *, mention=False, thread_ts=None):
        """A message in the learner's DM, or with `mention` in their channel, as Slack's event."""
        return slack_message(text, user=self.user, channel=self.channel if mention else self.dm,
                             ts=f"{time.time():.6f}", thread_ts=thread_ts, mention=mention,
                             event_id=f"Ev{uuid.uuid4().hex}")

    def say(self, text, *, mention=False, thread_ts=None, **options):
        """Deliver a message as Slack would; returns (status, seconds Slack waited, the event's ts)."""
        event = self.event(text, mention=mention, thread_ts=thread_ts)
        started = time.monotonic()
        status, _ = self.api.deliver(self.webhook, event, **options)
        return status, time.monotonic() - started, event["event"]["ts"]

    def posted(self, pattern, channel=None, timeout=30):
        """The assistant's first post containing `pattern` in this learner's DM (or `channel`)."""
        where = channel or self.dm
        return self.api.wait_for("chat.postMessage", lambda call: call.params["channel"] == where
                                 and pattern in (call.params.get("text") or ""), timeout=timeout)

    def posts(self, channel=None):
        return self.api.calls_to("chat.postMessage", lambda call: call.params["channel"] == (channel or self.dm))


def test_a_signed_question_is_acknowledged_at_once_and_answered_in_the_direct_message(stack, slack_api):
    learner = Learner(stack, slack_api)
    status, waited, _ = learner.say("how much is the gen AI course?")
    assert status == 200 and waited < 3  # Slack retries anything slower
    answer = learner.posted("$10")
    assert "thread_ts" not in answer.params
    assert user_messages(stack, learner.conversation) == ["how much is the gen AI course?"]


def test_a_mention_in_a_channel_is_answered_in_its_thread(stack, slack_api):
    learner = Learner(stack, slack_api)
    status, _, ts = learner.say("how much is the gen AI course?", mention=True)
    assert status == 200
    answer = learner.posted("$10", channel=learner.channel)
    assert answer.params["thread_ts"] == ts
    assert learner.posts() == []  # nothing strayed into the direct message


def test_forged_and_replayed_requests_get_401_and_never_reach_the_assistant(stack, slack_api):
    learner = Learner(stack, slack_api)
    now = int(time.time())
    forged = slack_signature("guessed-secret", str(now), b'{"type": "event_callback"}')
    assert learner.say("forged: how much is the gen AI course?", signature=forged)[0] == 401
    assert learner.say("unsigned: how much is the gen AI course?", signature="")[0] == 401
    # Correctly signed, but six minutes old: a captured request played again.
    assert learner.say("replayed: how much is the gen AI course?", timestamp=now - 360)[0] == 401
    time.sleep(2)
    assert learner.posts() == []
    assert user_messages(stack, learner.conversation) == []


def test_slacks_retries_of_an_event_are_not_answered_twice(stack, slack_api):
    learner = Learner(stack, slack_api)
    event = learner.event("how much is the gen AI course?")
    assert slack_api.deliver(learner.webhook, event)[0] == 200
    for number, reason in (("1", "http_timeout"), ("2", "http_error")):
        status, _ = slack_api.deliver(learner.webhook, event,
                                      headers={"X-Slack-Retry-Num": number, "X-Slack-Retry-Reason": reason})
        assert status == 200
    learner.posted("$10")
    time.sleep(3)  # time enough for a second answer, were one coming
    assert user_messages(stack, learner.conversation) == ["how much is the gen AI course?"]
    assert len([call for call in learner.posts() if "$10" in call.params["text"]]) == 1


def test_buttons_become_blocks_and_a_click_carries_on_the_conversation(stack, slack_api):
    learner = Learner(stack, slack_api)
    learner.say("hello")
    greeting = learner.posted("Credential Advisor")
    section, actions = greeting.params["blocks"]
    assert section["type"] == "section" and "Credential Advisor" in section["text"]["text"]
    buttons = {element["text"]["text"]: element["value"] for element in actions["elements"]}
    assert buttons["Help me choose"] == "help me choose a path"

    click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": learner.user}, "channel": {"id": learner.dm},
             "message": {"ts": "1.000001", "text": greeting.params["text"]},
             "actions": [{"type": "button", "action_id": "a", "value": buttons["Help me choose"]}]}
    assert slack_api.click(learner.webhook, click)[0] == 200
    learner.posted("What would you like to learn")


def test_a_handoff_from_a_slack_thread_reaches_the_desk_and_the_coach_replies_in_the_thread(stack, slack_api,
                                                                                            coach):
    learner = Learner(stack, slack_api)
    known = handoff_ids(coach)
    _, _, thread = learner.say("how much is the gen AI course?", mention=True)
    learner.posted("$10", channel=learner.channel)
    learner.say("I want to talk to a human", mention=True, thread_ts=thread)
    learner.posted("coach", channel=learner.channel)

    path = new_handoff(coach, "slack", known)
    page = coach.get(path)
    assert "Slack" in page and "how much is the gen AI course?" in page
    coach.post(path + "/claim", csrf=coach.csrf(page))
    coach.post(path + "/reply", csrf=coach.csrf(page), text="Hi, I'm a coach on Slack. How can I help?")
    reply = learner.posted("I'm a coach on Slack", channel=learner.channel)
    assert reply.params["thread_ts"] == thread  # the thread the learner asked in, not a new message

    coach.close(path)
    assert learner.posted("back with me", channel=learner.channel).params["thread_ts"] == thread


def test_an_answer_carries_rating_buttons_and_a_click_is_a_rating(stack, slack_api):
    learner = Learner(stack, slack_api)
    learner.say("how much is the gen AI course?")
    answer = learner.posted("$10")
    _, actions = answer.params["blocks"]
    buttons = {element["text"]["text"]: element["value"] for element in actions["elements"]}
    assert set(buttons) == {"👍 Helpful", "👎 Not helpful"}
    click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": learner.user}, "channel": {"id": learner.dm},
             "message": {"ts": "1.000001", "text": answer.params["text"]},
             "actions": [{"type": "button", "action_id": "a", "value": buttons["👍 Helpful"]}]}
    assert slack_api.click(learner.webhook, click)[0] == 200
    learner.posted("Thanks for letting us know")
    rating = [event for event in stack.tracker_events(learner.conversation) if event["event"] == "user"][-1]
    assert rating["parse_data"]["intent"]["name"] == "rate_answer"
    assert [(e["entity"], e["value"]) for e in rating["parse_data"]["entities"]] == [("rating", "up")]
