"""Learners' ratings of answers on a hand-built log: satisfaction per day, topic and program, and the review."""
from datetime import date, timedelta

import pytest

from catalog_db.engine import get_engine, make_session
from channels import ratings
from channels.desk.analytics import figures, review, summary, tracker_events
from channels.desk.analytics.summary import REVIEWED
from handoff_db import schema as handoff_schema
from tests.analytics.conftest import DAY_1, DAY_2, ZONE
from tests.analytics.event_log import EventLog

BOTH_DAYS = figures.Period(date(2026, 11, 23), date(2026, 11, 24))
COST = "how much is the gen AI course?"
WORTH = "are micro-credentials worth it"


def rated_log() -> EventLog:
    log = EventLog(DAY_1)
    # ann: a general answer with the buttons, rated down.
    log.session("ann", "socketio")
    log.user("ann", WORTH, "faq_worth_it").action("ann", "action_answer_question")
    log.bot("ann", "utter_faq_worth_it", "For many learners, yes.", buttons=ratings.BUTTONS).listen("ann")
    log.rate("ann", "down")
    # ben: a catalog answer rated up; a second answer offered, never rated.
    log.session("ben", "rest")
    log.user("ben", COST, "ask_cost").action("ben", "action_answer_question")
    log.bot("ben", "utter_program_cost", "It costs $10.", buttons=ratings.BUTTONS)
    log.slot("ben", "program", "introduction-to-generative-ai").listen("ben")
    log.rate("ben", "up")
    log.turn("ben", "and how long is it?", "ask_duration", "action_answer_question", "utter_program_duration")
    # cat: a catalog answer rated down the next day, in a new session, after changing her mind (up, then down).
    log.session("cat", "telegram")
    log.user("cat", COST, "ask_cost").action("cat", "action_answer_question")
    log.bot("cat", "utter_program_cost", "It costs $10.")
    log.bot("cat", "utter_answered_one_question", "I answered one of your questions.", buttons=ratings.BUTTONS)
    log.slot("cat", "program", "introduction-to-generative-ai").listen("cat")
    log.rate("cat", "up")
    log.at(DAY_2).session("cat", "telegram")
    log.rate("cat", "down")
    return log


@pytest.fixture
def rated(db_url):
    handoff_schema.create_schema(get_engine(db_url, create=True))
    summary.create_schema(get_engine(db_url))
    rated_log().store(get_engine(db_url))
    summary.update(get_engine(db_url), get_engine(db_url), ZONE)
    return db_url


def overview(session):
    return figures.overview(session, BOTH_DAYS, ZONE, figures.digest(session, BOTH_DAYS))


def test_ratings_are_counted_per_day_topic_and_program_on_the_day_they_were_given(rated):
    with make_session(rated) as session:
        found = overview(session)
        assert (found.helpful, found.unhelpful) == (1, 2) and found.satisfaction == pytest.approx(1 / 3)
        # A tap is a rating, not a message: ann 1, ben 2, cat 1.
        assert found.learner_messages == 4
        assert figures.satisfaction_per_day(session, BOTH_DAYS).rows == [
            ("2026-11-23", 50.0, 1, 1), ("2026-11-24", 0.0, 0, 1)]
        assert figures.satisfaction_by_topic(session, BOTH_DAYS).rows == [("worth it", 0.0, 0, 1)]
        assert figures.satisfaction_by_program(session, BOTH_DAYS, None).rows == [
            ("introduction-to-generative-ai", 50.0, 1, 1)]
        only_second = figures.Period(date(2026, 11, 24), date(2026, 11, 24))
        assert figures.satisfaction_per_day(session, only_second).rows == [("2026-11-24", 0.0, 0, 1)]


def test_a_thumbs_down_joins_the_review_with_its_answer(rated):
    with make_session(rated) as session:
        total, found = review.queue(session, BOTH_DAYS.start, BOTH_DAYS.end, REVIEWED)
        only_unhelpful = review.queue(session, BOTH_DAYS.start, BOTH_DAYS.end, [review.UNHELPFUL])[1]
        on_telegram = review.queue(session, BOTH_DAYS.start, BOTH_DAYS.end, REVIEWED, channels=["telegram"])[1]
    # ann's and cat's questions (rated down); ben's rated up is not there.
    assert total == 2 and {g.key for g in found} == {review.text_key(WORTH), review.text_key(COST)}
    assert all(g.outcomes == {review.UNHELPFUL: 1} for g in found)
    assert [g.key for g in only_unhelpful] == [g.key for g in found]
    assert [g.key for g in on_telegram] == [review.text_key(COST)]
    with get_engine(rated).connect() as connection:
        answers = {g.key: tracker_events.answer(connection, g.newest_id, g.answer_event_id) for g in found}
    assert answers == {review.text_key(WORTH): "For many learners, yes.",
                       review.text_key(COST): "It costs $10.\n\nI answered one of your questions."}


def test_a_thumbs_down_is_labelled_like_any_missed_message(rated):
    with make_session(rated) as session, session.begin():
        review.label(session, review.text_key(WORTH), "dismissed", None, "dana", (DAY_2 + timedelta(days=1)).timestamp())
    with make_session(rated) as session:
        assert [g.key for g in review.queue(session, BOTH_DAYS.start, BOTH_DAYS.end, REVIEWED)[1]] == [
            review.text_key(COST)]


def test_ratings_read_stepwise_are_the_same(rated, tmp_path):
    """A tap folded in a later batch than its answer, or than an earlier tap, still rates that answer."""
    url = f"sqlite:///{tmp_path / 'stepwise.sqlite3'}"
    handoff_schema.create_schema(get_engine(url, create=True))
    summary.create_schema(get_engine(url))
    log = rated_log()
    for start in range(0, len(log.rows), 3):
        EventLog(log.clock, rows=log.rows[start:start + 3]).store(get_engine(url))
        summary.update(get_engine(url), get_engine(url), ZONE, batch=2)

    def found(at):
        with make_session(at) as session:
            return (overview(session).helpful, overview(session).unhelpful,
                    figures.satisfaction_per_day(session, BOTH_DAYS).rows)
    assert found(url) == found(rated)


def test_the_retention_purge_deletes_old_ratings(rated):
    now = DAY_1.timestamp() + 90 * 86400 + 43200  # the first day is past retention, the second is not
    with make_session(rated) as session, session.begin():
        summary.purge(session, get_engine(rated), 90, now)
    with make_session(rated) as session:
        assert (overview(session).helpful, overview(session).unhelpful) == (0, 0)
