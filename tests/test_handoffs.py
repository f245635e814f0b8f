"""The handoff store, on SQLite and (when reachable) PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from catalog_db.engine import get_engine, make_session
from handoff_db import desk_access, handoffs
from handoff_db.models import Handoff, HandoffMessage
from handoff_db.schema import create_schema

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(db_url):
    create_schema(get_engine(db_url, create=True))
    with make_session(db_url) as session, session.begin():
        yield session


def start(session, sender="learner-1"):
    return handoffs.open_handoff(
        session, sender_id=sender, channel="socketio", reason="asked for a person",
        summary={"program of interest": "Introduction to Generative AI"},
        transcript=[("learner", "hi", T0), ("bot", "Hello!", T0 + timedelta(seconds=1))],
    )


def test_open_stores_the_transcript_and_is_idempotent(session):
    first = start(session)
    assert start(session).id == first.id
    assert [(m.role, m.text) for m in handoffs.messages(session, first.id)] == [("learner", "hi"), ("bot", "Hello!")]
    assert handoffs.active_handoff(session, "learner-1").summary == {"program of interest": "Introduction to Generative AI"}


def test_coach_replies_and_a_close_wait_to_be_sent_in_order_across_the_learners_handoffs(session):
    first = start(session)
    reply = handoffs.add_message(session, first.id, "coach", "Hi, I'm Dana", author="dana")
    handoffs.add_message(session, first.id, "learner", "thanks")
    assert handoffs.close_handoff(session, first.id, "dana", "answered")
    second = start(session)
    later = handoffs.add_message(session, second.id, "coach", "Back again?", author="dana")
    lines = handoffs.lines_to_send(session, "learner-1")
    assert [(m.role, m.text) for m in lines] == [("coach", "Hi, I'm Dana"), ("system", "dana closed the conversation (answered)."),
                                                 ("coach", "Back again?")]
    assert [m.delivery for m in lines] == [handoffs.WAITING] * 3
    handoffs.mark_delivered(session, [reply.id])
    assert handoffs.next_to_send(session, "learner-1").role == "system"
    assert [m.delivery for m in handoffs.messages(session, first.id)] == [None, None, handoffs.SENT, None,
                                                                         handoffs.WAITING]
    assert [m.id for m in handoffs.lines_to_send(session, "learner-1")][-1] == later.id


def test_closing_an_ended_handoff_does_nothing(session):
    handoff = start(session)
    assert handoffs.close_handoff(session, handoff.id, "dana", "answered")
    assert not handoffs.close_handoff(session, handoff.id, "dana", "answered")
    newer = start(session)
    assert not handoffs.close_handoff(session, handoff.id, "kim", "answered")
    assert handoffs.active_handoff(session, "learner-1").id == newer.id
    assert [m.text for m in handoffs.lines_to_send(session, "learner-1")] == ["dana closed the conversation (answered)."]


def test_a_refused_line_is_due_again_after_a_growing_wait_and_a_failed_one_is_retried_with_the_next_reply(session):
    handoff = start(session, "telegram:9")
    session.execute(update(Handoff).where(Handoff.id == handoff.id).values(channel="telegram"))
    reply = handoffs.add_message(session, handoff.id, "coach", "Hello", author="dana")
    assert handoffs.due_deliveries(session, ["telegram"], now=T0) == [("telegram:9", "telegram")]
    assert handoffs.due_deliveries(session, ["slack"], now=T0) == []
    for attempt, wait in ((1, 1), (2, 2), (3, 4), (8, 60)):
        handoffs.record_failed_attempt(session, reply.id, give_up=False, now=T0)
        session.execute(update(HandoffMessage).where(HandoffMessage.id == reply.id).values(delivery_attempts=attempt))
        assert handoffs.due_deliveries(session, ["telegram"], now=T0 + timedelta(seconds=wait - 0.5)) == []
        assert handoffs.due_deliveries(session, ["telegram"], now=T0 + timedelta(seconds=wait)) != []
    handoffs.record_failed_attempt(session, reply.id, give_up=True, now=T0)
    assert handoffs.next_to_send(session, "telegram:9") is None
    assert handoffs.messages(session, handoff.id)[-1].delivery == handoffs.FAILED
    assert handoffs.retry_failed(session, "telegram:9") == 1
    again = handoffs.next_to_send(session, "telegram:9")
    assert (again.id, again.delivery, again.delivery_attempts) == (reply.id, handoffs.WAITING, 0)


def test_lines_that_are_never_sent_are_stored_as_sent(session):
    handoff = start(session)
    handoffs.cancel_handoff(session, handoff.id)
    assert handoffs.lines_to_send(session, "learner-1") == []
    assert handoffs.messages(session, handoff.id)[-1].delivery is None


def test_claim_close_and_audit(session):
    handoff = start(session)
    handoffs.claim_handoff(session, handoff.id, "dana")
    assert handoffs.active_handoff(session, "learner-1").claimed_by == "dana"
    handoffs.close_handoff(session, handoff.id, "dana", "answered")
    assert handoffs.active_handoff(session, "learner-1") is None
    assert handoffs.latest_handoff(session, "learner-1").status == "closed"
    assert start(session).id != handoff.id  # a new request opens a new handoff


def test_cancel_and_contact(session):
    handoff = start(session)
    handoffs.set_contact(session, handoff.id, "ann@example.org")
    handoffs.cancel_handoff(session, handoff.id)
    latest = handoffs.latest_handoff(session, "learner-1")
    assert (latest.status, latest.contact) == ("cancelled", "ann@example.org")


def test_queue_longest_waiting_first_with_last_learner_message(session):
    first, second = start(session, "a"), start(session, "b")
    handoffs.add_message(session, second.id, "learner", "still there?")
    assert [(h.id, h.last_learner_message) for h in handoffs.queue(session)] == [(first.id, "hi"), (second.id, "still there?")]


def test_purge_only_old_finished_handoffs(session):
    old, recent, active = start(session, "a"), start(session, "b"), start(session, "c")
    handoffs.close_handoff(session, old.id, "dana", "answered")
    handoffs.close_handoff(session, recent.id, "dana", "answered")
    assert handoffs.purge_closed(session, 30, now=datetime.now(timezone.utc) + timedelta(days=31)) == 2
    assert handoffs.purge_closed(session, 30) == 0
    assert handoffs.active_handoff(session, "c").id == active.id and handoffs.messages(session, old.id) == []


def test_coach_passwords(session):
    desk_access.create_coach(session, "dana", "correct horse battery")
    stored = desk_access.password_hash(session, "dana")
    assert desk_access.password_matches(stored, "correct horse battery")
    assert not desk_access.password_matches(stored, "wrong password!")
    assert not desk_access.password_matches(desk_access.password_hash(session, "nobody"), "correct horse battery")
    assert not desk_access.password_matches(stored, "x" * 5000)
    with pytest.raises(ValueError):
        desk_access.create_coach(session, "short", "abc")


def test_learner_messages_are_recorded_once_however_often_relayed(session):
    handoff = handoffs.open_handoff(session, sender_id="rest:me", channel="rest", reason="asked", summary={},
                                    transcript=[])
    sent = [("first", datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)),
            ("second", datetime(2026, 11, 1, 9, 0, 5, tzinfo=timezone.utc))]
    assert handoffs.record_learner_messages(session, handoff.id, sent[:1]) == 1
    assert handoffs.record_learner_messages(session, handoff.id, sent) == 1
    assert [m.text for m in handoffs.messages(session, handoff.id)] == ["first", "second"]
