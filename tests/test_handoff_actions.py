"""The handoff actions against a real handoff store (a fresh SQLite file per test)."""
import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff_actions import (
    ActionCancelHandoff,
    ActionHandoff,
    ActionRelayToCoach,
    ValidateCallbackForm,
)
from catalog_db.engine import get_engine, make_session
from handoff_db import desk_access, handoffs
from handoff_db.schema import create_schema
from tests.actions_support import responses, run, tracker_for


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The URL of an empty handoff database the actions use through HANDOFF_DB_URL."""
    url = f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"
    create_schema(get_engine(url, create=True))
    monkeypatch.setenv("HANDOFF_DB_URL", url)
    monkeypatch.setenv("COACH_HOURS", "Mon-Sun 00:00-24:00")
    return url


def handoff_for(url):
    """The open handoff of the test's learner, on whichever channel they wrote."""
    with make_session(url) as session:
        queue = handoffs.queue(session)
    return queue[-1] if queue else None


def test_handoff_is_stored_before_the_learner_is_told(store):
    messages, events = run(ActionHandoff(), tracker_for("talk to a human", intent="request_human", channel="socketio"))
    handoff = handoff_for(store)
    assert handoff is not None and handoff.channel == "socketio" and handoff.reason == "asked for a person"
    assert responses(messages) == ["utter_handoff_started"]
    assert {"event": "slot", "name": "handoff_active", "value": True, "timestamp": None} in events


def test_learner_message_goes_to_the_coach_with_a_short_acknowledgement(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="socketio"))
    messages, events = run(ActionRelayToCoach(), tracker_for("can I get financial aid?", channel="socketio"))
    assert responses(messages) == ["utter_sent_to_coach"]
    assert events
    with make_session(store) as session:
        texts = [m.text for m in handoffs.messages(session, handoff_for(store).id)]
    assert texts[-1] == "can I get financial aid?"


def test_on_a_channel_the_desk_pushes_to_the_relay_leaves_coach_replies_to_the_desk(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="telegram"))
    with make_session(store) as session, session.begin():
        handoffs.add_message(session, handoff_for(store).id, "coach", "Hi, I'm Sam.", author="sam")
    messages, _ = run(ActionRelayToCoach(), tracker_for("still there?", channel="telegram"))
    assert responses(messages) == ["utter_sent_to_coach"]  # the reply itself is the desk's to send
    with make_session(store) as session:
        assert [m.text for m in handoffs.lines_to_send(session, "telegram:learner-1")] == ["Hi, I'm Sam."]


def test_rest_learners_get_coach_replies_and_the_close_with_their_next_message(store):
    run(ActionHandoff(), tracker_for("talk to a human"))
    with make_session(store) as session, session.begin():
        handoffs.add_message(session, handoff_for(store).id, "coach", "Hello from a coach", author="sam")
    messages, _ = run(ActionRelayToCoach(), tracker_for("still there?"))
    assert [(m["response"], m.get("text")) for m in messages] == [("utter_coach_message", "Hello from a coach"),
                                                                  ("utter_sent_to_coach", None)]
    with make_session(store) as session, session.begin():
        handoff = handoff_for(store).id
        handoffs.add_message(session, handoff, "coach", "Goodbye!", author="sam")
        handoffs.close_handoff(session, handoff, "sam", "answered")
    messages, events = run(ActionRelayToCoach(), tracker_for("thanks"))
    assert [(m["response"], m.get("text")) for m in messages] == [("utter_coach_message", "Goodbye!"),
                                                                  ("utter_handoff_ended", None)]
    assert {"event": "slot", "name": "handoff_active", "value": False, "timestamp": None} in events
    with make_session(store) as session:
        assert handoffs.lines_to_send(session, "rest:learner-1") == []


def offered(offer: str, answer_intent: str = "affirm"):
    """A learner answering "yes" right after the assistant ended its turn with `offer`."""
    return tracker_for("yes please", intent=answer_intent, events=[
        {"event": "user", "text": "blorp", "input_channel": "rest", "timestamp": 1_700_000_000},
        {"event": "bot", "text": "Would you like a coach?", "metadata": {"utter_action": offer}},
        {"event": "user", "text": "yes please", "input_channel": "rest", "timestamp": 1_700_000_001,
         "parse_data": {"intent": {"name": answer_intent}}},
    ])


@pytest.mark.parametrize("offer, reason", [
    ("utter_offer_coach_after_misunderstanding", "accepted a coach after misunderstandings"),
    ("utter_offer_coach", "accepted a coach after a recommendation"),
])
def test_an_accepted_offer_is_the_handoff_reason(store, offer, reason):
    run(ActionHandoff(), offered(offer))
    assert handoff_for(store).reason == reason


def test_cancel_at_the_callback_question_withdraws_the_handoff(store):
    run(ActionHandoff(), tracker_for("talk to a human"))
    form = ValidateCallbackForm()
    assert asyncio.run(form.extract_callback_contact(
        CollectingDispatcher(), tracker_for("never mind", intent="stop", slots={"requested_slot": "callback_contact"}),
        {})) == {}
    messages, events = run(ActionCancelHandoff(), tracker_for("never mind", intent="stop"))
    assert responses(messages) == ["utter_handoff_cancelled"]
    assert handoff_for(store) is None
    with make_session(store) as session:
        assert handoffs.latest_handoff(session, "rest:learner-1").status == "cancelled"
    assert {"event": "slot", "name": "handoff_active", "value": False, "timestamp": None} in events


def test_the_handoff_names_the_channel_of_the_conversation_id_not_of_the_claim(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="slack", sender="rest:U1"))
    assert handoff_for(store).channel == "rest"


def test_messages_a_failed_relay_left_behind_reach_the_desk_with_the_next_one(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="socketio"))
    opened = handoff_for(store).created_at.timestamp()
    said = [{"event": "user", "text": text, "input_channel": "socketio", "timestamp": opened + offset}
            for offset, text in ((1, "are you there?"), (2, "/message_too_long"), (3, "hello?"))]
    run(ActionRelayToCoach(), tracker_for("hello?", channel="socketio", events=said))  # the first relay failed
    run(ActionRelayToCoach(), tracker_for("hello?", channel="socketio", events=said))  # run twice: stored once
    with make_session(store) as session:
        texts = [m.text for m in handoffs.messages(session, handoff_for(store).id) if m.role == "learner"]
    assert texts == ["talk to a human", "are you there?", "hello?"]


def said(text: str, response: str = None) -> list:
    """A learner message and, when `response` is given, the assistant's answer to it (Rasa's events)."""
    events = [{"event": "user", "text": text, "timestamp": 1.0}]
    if response:
        events.append({"event": "bot", "text": "…", "metadata": {"utter_action": response}, "timestamp": 1.0})
    return events


def test_only_every_few_learner_messages_to_a_coach_are_acknowledged(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="socketio"))
    history = said("talk to a human", "utter_handoff_started")
    heard = []
    for text in ("one", "two", "three", "four", "five"):
        history += said(text)
        messages, _ = run(ActionRelayToCoach(), tracker_for(text, channel="socketio", events=history))
        heard.append(responses(messages))
        if messages:
            history += said("", "utter_sent_to_coach")[1:]
    assert heard == [["utter_sent_to_coach"], [], [], ["utter_sent_to_coach"], []]


def test_a_message_right_after_the_coach_spoke_needs_no_acknowledgement(store):
    run(ActionHandoff(), tracker_for("talk to a human", channel="socketio"))
    history = said("talk to a human", "utter_handoff_started") + said("one", "utter_sent_to_coach")
    history += [{"event": "bot", "text": "Sam (admissions coach): Hello", "metadata": {"utter_action": "utter_coach_message"}}]
    messages, _ = run(ActionRelayToCoach(), tracker_for("hi Sam", channel="socketio", events=history + said("hi Sam")))
    assert messages == []


def test_rest_learners_hear_that_a_coach_joined_by_the_coachs_display_name(store):
    run(ActionHandoff(), tracker_for("talk to a human"))
    with make_session(store) as session, session.begin():
        desk_access.create_coach(session, "sam", "a long enough password", display_name="Sam Rivera")
        handoffs.claim_handoff(session, handoff_for(store).id, "sam")
        handoffs.add_message(session, handoff_for(store).id, "coach", "Hello!", author="sam")
    messages, _ = run(ActionRelayToCoach(), tracker_for("hi"))
    assert [(m["response"], m["coach"]) for m in messages[:2]] == [("utter_coach_joined", "Sam Rivera"),
                                                                   ("utter_coach_message", "Sam Rivera")]
