"""The handoff store, on SQLite and (when reachable) PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest

from catalog_db.engine import get_engine, make_session
from handoff_db import desk_access, handoffs
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


def test_coach_messages_are_delivered_once(session):
    handoff = start(session)
    reply = handoffs.add_message(session, handoff.id, "coach", "Hi, I'm Dana", author="dana")
    handoffs.add_message(session, handoff.id, "learner", "thanks")
    assert [m.id for m in handoffs.undelivered_coach_messages(session, handoff.id)] == [reply.id]
    handoffs.mark_delivered(session, [reply.id])
    assert handoffs.undelivered_coach_messages(session, handoff.id) == []
    assert [m.text for m in handoffs.messages(session, handoff.id, after_id=reply.id)] == ["thanks"]


def test_claim_close_and_audit(session):
    handoff = start(session)
    handoffs.claim_handoff(session, handoff.id, "dana")
    assert handoffs.active_handoff(session, "learner-1").claimed_by == "dana"
    handoffs.close_handoff(session, handoff.id, "dana")
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
    handoffs.close_handoff(session, old.id, "dana")
    handoffs.close_handoff(session, recent.id, "dana")
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
