"""The desk's work in the handoff store, on SQLite and PostgreSQL: search and filters, assignment,
reopening, notes, wrap-up reasons, alerts, saved replies and accounts."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from catalog_db.engine import get_engine, make_session
from handoff_db import desk_access, handoffs, saved_replies
from handoff_db.models import AuditEntry, Handoff
from handoff_db.schema import create_schema

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture
def session(db_url):
    create_schema(get_engine(db_url, create=True))
    with make_session(db_url) as session, session.begin():
        for name in ("dana", "kim"):
            desk_access.create_coach(session, name, PASSWORD)
        yield session


def opened(session, sender, channel="socketio", said="hi", program=None, at=T0):
    handoff = handoffs.open_handoff(session, sender_id=sender, channel=channel, reason="asked for a person",
                                    summary={"program": program, "other_programs": []},
                                    transcript=[("learner", said, at)])
    session.execute(update(Handoff).where(Handoff.id == handoff.id).values(created_at=at))
    return handoffs.handoff_by_id(session, handoff.id)


def found(session, **wanted):
    rows, total = handoffs.search(session, handoffs.Search(**wanted))
    assert total == len(rows)
    return sorted(h.sender_id for h in rows)


def test_search_finds_learner_words_coaches_and_programs_and_filters(session):
    opened(session, "web:a", said="Is there FINANCIAL aid for the CAD course?", program="Introduction to CAD")
    opened(session, "telegram:b", channel="telegram", said="how long is it", program="Introduction to Generative AI",
           at=T0 + timedelta(days=2))
    c = opened(session, "slack:c", channel="slack", said="100% online?", at=T0 + timedelta(days=5))
    handoffs.claim_handoff(session, c.id, "kim")
    handoffs.close_handoff(session, c.id, "kim", "enrolled")
    assert found(session, words="financial") == ["web:a"]
    assert found(session, words="generative") == ["telegram:b"]
    assert found(session, words="KIM") == ["slack:c"]
    assert found(session, words="%") == ["slack:c"]  # a wildcard is a character like any other
    assert found(session, words="_") == []
    assert found(session, channel="telegram") == ["telegram:b"]
    assert found(session, status="active") == ["telegram:b", "web:a"]
    assert found(session, status="closed", coach="kim") == ["slack:c"]
    assert found(session, since=T0 + timedelta(days=1), until=T0 + timedelta(days=3)) == ["telegram:b"]
    assert found(session, words="nothing like this") == []


def test_search_pages_hold_fifty_newest_first(session):
    for n in range(handoffs.PAGE_SIZE + 3):
        opened(session, f"web:{n:03}", at=T0 + timedelta(minutes=n))
    first, total = handoffs.search(session, handoffs.Search())
    second, _ = handoffs.search(session, handoffs.Search(), page=2)
    assert total == handoffs.PAGE_SIZE + 3 and len(first) == handoffs.PAGE_SIZE and len(second) == 3
    assert first[0].sender_id == f"web:{handoffs.PAGE_SIZE + 2:03}" and second[-1].sender_id == "web:000"


def test_assigning_tells_the_learner_the_new_coach_joined_and_is_audited(session):
    handoff = opened(session, "web:a")
    assert handoffs.assign_handoff(session, handoff, "kim", by="dana")
    assert handoffs.handoff_by_id(session, handoff.id).claimed_by == "kim"
    assert handoffs.assign_handoff(session, handoffs.handoff_by_id(session, handoff.id), "kim", by="kim")
    lines = [(m.notice, m.author) for m in handoffs.lines_to_send(session, "web:a")]
    assert lines == [("joined", "kim")]  # once: giving it to the coach who has it changes nothing for the learner
    assert "assign to kim" in [a.action for a in session.query(AuditEntry).filter(AuditEntry.coach == "dana")]


def test_the_learner_spoke_last_until_a_coach_answers(session):
    handoff = opened(session, "web:a")
    assert handoffs.awaiting_answer(session, handoff.id)
    handoffs.add_message(session, handoff.id, "coach", "Hello!", author="dana")
    assert not handoffs.awaiting_answer(session, handoff.id)


def test_reopen_within_a_day_only_and_never_over_a_newer_handoff(session):
    handoff = opened(session, "web:a")
    with pytest.raises(ValueError):
        handoffs.close_handoff(session, handoff.id, "dana", "bored")
    assert handoffs.close_handoff(session, handoff.id, "dana", "answered")
    closed = handoffs.handoff_by_id(session, handoff.id)
    assert closed.outcome == "answered"
    assert "a day" in handoffs.reopen_handoff(session, closed, "kim", now=closed.closed_at + timedelta(days=1, seconds=1))
    assert handoffs.reopen_handoff(session, closed, "kim", now=closed.closed_at + timedelta(hours=23)) is None
    back = handoffs.handoff_by_id(session, handoff.id)
    assert (back.status, back.claimed_by, back.outcome, back.closed_at) == ("claimed", "kim", None, None)
    assert [m.notice for m in handoffs.lines_to_send(session, "web:a")][-1] == "reopened"

    handoffs.close_handoff(session, handoff.id, "kim", "referred")
    newer = opened(session, "web:a")
    assert "newer handoff" in handoffs.reopen_handoff(session, handoffs.handoff_by_id(session, handoff.id), "kim")
    handoffs.cancel_handoff(session, newer.id)  # the learner's own cancel is not a coach's to undo
    assert handoffs.reopen_handoff(session, handoffs.handoff_by_id(session, newer.id), "kim") is not None


def test_notes_are_kept_apart_from_the_transcript_and_never_queued_for_the_learner(session):
    handoff = opened(session, "web:a")
    handoffs.add_note(session, handoff.id, "dana", "Called her mobile; call back Friday")
    assert [n.text for n in handoffs.notes(session, handoff.id)] == ["Called her mobile; call back Friday"]
    assert "Called her mobile" not in [m.text for m in handoffs.messages(session, handoff.id)]
    assert handoffs.lines_to_send(session, "web:a") == []


def test_wrap_up_reasons_are_counted_for_the_closed_in_the_period(session):
    for n, outcome in enumerate(("answered", "answered", "enrolled", "no_response")):
        handoff = opened(session, f"web:{n}")
        handoffs.close_handoff(session, handoff.id, "dana", outcome)
    now = datetime.now(timezone.utc)
    assert handoffs.outcome_counts(session, now - timedelta(hours=1), now + timedelta(hours=1)) == {
        "answered": 2, "enrolled": 1, "referred": 0, "no_response": 1}
    assert sum(handoffs.outcome_counts(session, now - timedelta(days=9), now - timedelta(days=8)).values()) == 0


def test_alerts_are_new_handoffs_and_the_first_line_of_messages_from_ones_own_learners(session):
    mine, other = opened(session, "web:a"), opened(session, "web:b")
    handoffs.claim_handoff(session, mine.id, "dana")
    handoffs.claim_handoff(session, other.id, "kim")
    start = handoffs.alerts(session, "dana", 0, 0)
    handoffs.record_learner_messages(session, mine.id, [("Are you there?\nMy card number is 4111", T0)])
    handoffs.record_learner_messages(session, other.id, [("Not dana's learner", T0)])
    newer = opened(session, "web:c")
    found = handoffs.alerts(session, "dana", start.last_handoff_id, start.last_message_id)
    assert [h.id for h in found.new_handoffs] == [newer.id]
    assert found.learner_writes == [(mine.id, "Are you there?")]
    assert handoffs.alerts(session, "dana", found.last_handoff_id, found.last_message_id).learner_writes == []


def test_saved_replies_expand_from_their_shortcut_and_every_change_is_audited(session):
    saved_replies.save(session, "/Fees", "Fees and aid", "Most micro-credentials cost $10 to $99.", by="dana")
    with pytest.raises(ValueError, match="already taken"):
        saved_replies.save(session, "fees", "Again", "x", by="dana")
    with pytest.raises(ValueError):
        saved_replies.save(session, "no spaces", "Title", "x", by="dana")
    assert saved_replies.expand(session, " /FEES ") == "Most micro-credentials cost $10 to $99."
    assert saved_replies.expand(session, "/fees please") == "/fees please"
    assert saved_replies.expand(session, "/unknown") == "/unknown"
    reply = saved_replies.by_shortcut(session, "fees")
    saved_replies.save(session, "fees", "Fees", "Changed.", by="kim", reply_id=reply.id)
    saved_replies.remove(session, reply.id, by="kim")
    assert saved_replies.saved_replies(session) == []
    assert [a.action for a in session.query(AuditEntry).order_by(AuditEntry.id) if "saved reply" in a.action] == [
        "saved reply added: /fees", "saved reply changed: /fees", "saved reply deleted: /fees"]


def test_accounts_link_temporary_password_deactivation_and_admin(session):
    token = desk_access.issue_password_link(session, "kim", by="dana")
    assert desk_access.password_hash(session, "kim") is not None
    assert not desk_access.password_matches(desk_access.password_hash(session, "kim"), PASSWORD)  # old one is gone
    assert desk_access.use_password_link(session, token, "a brand new password") == "kim"
    with pytest.raises(LookupError):
        desk_access.use_password_link(session, token, "used twice password")
    temporary = desk_access.set_temporary_password(session, "kim", by="dana")
    assert desk_access.coach(session, "kim").must_change_password
    assert desk_access.password_matches(desk_access.password_hash(session, "kim"), temporary)
    cookie = desk_access.start_session(session, "kim")
    assert desk_access.signed_in(session, cookie).must_change_password
    desk_access.set_active(session, "kim", False, by="dana")
    assert desk_access.signed_in(session, cookie) is None and desk_access.password_hash(session, "kim") is None
    assert "kim" not in desk_access.coach_names(session)
    desk_access.set_admin(session, "dana", True, by="dana")
    assert desk_access.is_admin(session, "dana")
    with pytest.raises(LookupError):
        desk_access.set_admin(session, "nobody", True, by="dana")
    audited = [(a.coach, a.action) for a in session.query(AuditEntry).order_by(AuditEntry.id) if ":" in a.action]
    assert audited == [("dana", "set-password link issued: kim"), ("dana", "temporary password set: kim"),
                       ("dana", "deactivated: kim"), ("dana", "admin granted: dana")]


def test_e_mail_goes_to_active_coaches_on_duty_with_an_address(session):
    desk_access.set_details(session, "dana", "Dana", "dana@example.edu", by="dana")
    desk_access.set_details(session, "kim", "Kim", "kim@example.edu", by="dana")
    desk_access.set_on_duty(session, "dana", True)
    assert handoffs.coaches_on_duty_emails(session) == ["dana@example.edu"]
    desk_access.set_on_duty(session, "kim", True)
    desk_access.set_active(session, "kim", False, by="dana")
    assert handoffs.coaches_on_duty_emails(session) == ["dana@example.edu"]
