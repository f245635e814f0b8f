"""Every figure of the overview on the hand-built log of tests/analytics/conftest.py, whose answers are known."""
from datetime import date, timedelta

import pytest

from catalog_db.engine import get_engine, make_session
from channels.desk.analytics import figures, summary
from channels.desk.analytics.models import ConversationSummary, MessageSummary
from handoff_db import schema as handoff_schema
from handoff_db.models import Handoff
from tests.analytics.conftest import DAY_1, DAY_2, ZONE, office_log
from tests.analytics.event_log import EventLog, utc

BOTH_DAYS = figures.Period(date(2026, 11, 23), date(2026, 11, 24))


def overview(session, period):
    return figures.overview(session, period, ZONE, figures.digest(session, period))


@pytest.fixture
def session(office):
    with make_session(office) as session:
        yield session


def test_conversations_messages_and_channels(session):
    found = overview(session, BOTH_DAYS)
    # ann twice (a new session the next day), ben once (his second session waited for the coach), cat, dan, eve
    assert found.conversations == 6
    assert found.by_channel == {"website": 3, "API": 1, "Slack": 1, "Telegram": 1}
    assert found.learner_messages == 2 + 7 + 4 + 2 + 9 + 1


def test_containment_handoff_rate_and_reasons(session):
    found = overview(session, BOTH_DAYS)
    assert found.handoffs == 3
    assert found.containment == pytest.approx(0.5) and found.handoff_rate == pytest.approx(0.5)
    assert found.reasons == {"asked for a person": 1, "after misunderstandings": 1, "after a recommendation": 1}
    assert (found.after_hours, found.after_hours_callbacks) == (1, 1)


def test_what_the_assistant_missed(session):
    found = overview(session, BOTH_DAYS)
    # Two weather questions declined; "asdf qwer" and "zzz blorp" not understood; "is it worth it" answered on a
    # 0.5 guess. Unsure answers inside the questionnaire and messages relayed to a coach are none of these.
    assert (found.off_topic, found.misunderstood, found.low_confidence) == (2, 2, 1)
    assert (found.other_language, found.failed) == (0, 0)


def test_questionnaire_and_funnel(session):
    found = overview(session, BOTH_DAYS)
    assert (found.questionnaire_started, found.questionnaire_completed) == (2, 1)
    assert found.paths == {"graduate certificate": 1}
    funnel = figures.questionnaire_funnel(figures.digest(session, BOTH_DAYS))
    # cat answered the goal questions and her time, eve every question and got a recommendation.
    assert funnel.rows == [("started", 2), ("goal", 2), ("time", 2), ("family and work", 1), ("budget", 1),
                           ("education", 1), ("recommendation", 1)]


def test_coach_waits(session):
    found = overview(session, BOTH_DAYS)
    assert sorted(found.waits) == [120, 600, 1800]  # the handoff on the 25th is outside the period
    assert found.wait_median == 600 and found.wait_p90 == 1800
    assert found.unanswered_handoffs == 1


def test_per_day_series(session):
    per_day = figures.conversations_per_day(figures.digest(session, BOTH_DAYS), BOTH_DAYS)
    assert per_day.header == ("day", "API", "Slack", "Telegram", "website")
    assert per_day.rows == [("2026-11-23", 1, 1, 0, 1), ("2026-11-24", 0, 0, 1, 2)]
    rates = figures.rates_per_day(figures.digest(session, BOTH_DAYS), BOTH_DAYS)
    assert rates.rows == [("2026-11-23", 3, 66.7, 33.3), ("2026-11-24", 3, 33.3, 66.7)]
    only_first = figures.Period(date(2026, 11, 23), date(2026, 11, 23))
    assert overview(session, only_first).conversations == 3


def test_top_topics_and_programs(session):
    assert figures.top_faq_topics(session, BOTH_DAYS).rows == [("what is microcredential", 1), ("worth it", 1)]
    assert figures.top_programs(session, BOTH_DAYS, None).rows == [("introduction-to-generative-ai", 1)]


def test_an_empty_period_has_no_rates(session):
    found = overview(session, figures.Period(date(2026, 1, 1), date(2026, 1, 7)))
    assert found.conversations == 0 and found.containment is None and found.wait_median is None


def test_the_summary_is_the_same_however_it_is_read(office, tmp_path):
    """Once in one go, or a few events at a time while Rasa writes, batches ending mid-turn: the same rows."""
    def rows(url):
        with make_session(url) as session:
            conversations = sorted(
                tuple(getattr(c, k) for k in ("id", "learner_messages", "off_topic", "misunderstood", "low_confidence",
                                              "handoff_reason", "questionnaire_slots", "recommended_path", "channel"))
                for c in session.query(ConversationSummary))
            messages = sorted((m.id, m.conversation_id, m.outcome, m.faq_topic, m.program, m.text_key)
                              for m in session.query(MessageSummary))
            return conversations, messages
    url = f"sqlite:///{tmp_path / 'stepwise.sqlite3'}"
    summary.create_schema(get_engine(url, create=True))
    log = office_log()
    pending = log.rows
    for start in range(0, len(pending), 11):
        EventLog(log.clock, rows=pending[start:start + 11]).store(get_engine(url))
        summary.update(get_engine(url), get_engine(url), ZONE, batch=5)
    assert rows(url) == rows(office)


def test_a_new_or_emptied_tracker_store_is_read_afresh(tmp_path):
    desk = get_engine(f"sqlite:///{tmp_path / 'desk.sqlite3'}", create=True)
    summary.create_schema(desk)
    first = get_engine(f"sqlite:///{tmp_path / 'first.sqlite3'}", create=True)
    office_log().store(first)
    summary.update(desk, first, ZONE)
    other = get_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}", create=True)
    EventLog(utc(2026, 11, 30, 15)).session("zoe", "rest").turn("zoe", "hi", "greet", "utter_greet", "utter_greet") \
        .store(other)
    summary.update(desk, other, ZONE)
    with make_session(str(desk.url)) as session:
        assert [c.sender_id for c in session.query(ConversationSummary)] == ["zoe"]


def test_retention_purge_deletes_old_events_and_their_summary(office):
    now = utc(2026, 11, 24, 12, 0).timestamp() + 90 * 86400  # 90 days after the night between the two days
    with make_session(office) as session, session.begin():
        removed, conversations = summary.purge(session, get_engine(office), 90, now)
    assert conversations == 3 and removed > 0  # the first day's ann, ben and cat
    with make_session(office) as session:
        found = overview(session, BOTH_DAYS)
    assert found.conversations == 3
    from channels.desk.analytics import tracker_events
    with get_engine(office).connect() as connection:
        assert connection.execute(tracker_events.events.select().where(
            tracker_events.events.c.timestamp < now - 90 * 86400)).first() is None


def test_replies_slack_or_telegram_never_took_count_as_a_technical_problem(tmp_path):
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    handoff_schema.create_schema(get_engine(url, create=True))
    summary.create_schema(get_engine(url))
    log = EventLog(utc(2026, 11, 23, 15)).session("telegram:7", "telegram")
    log.turn("telegram:7", "hi", "greet", "utter_greet", "utter_greet")
    log.turn("telegram:7", "how much is it", "ask_program", "action_answer_program", "utter_program_cost")
    log.undelivered("telegram:7", 2).store(get_engine(url))
    summary.update(get_engine(url), get_engine(url), ZONE)
    with make_session(url) as session:
        found = overview(session, BOTH_DAYS)
    assert (found.learner_messages, found.failed) == (2, 1)


def test_the_funnel_names_its_steps_and_only_narrows(tmp_path):
    """Learners who skip a question, answer a later one first, or give everything in one message."""
    url = f"sqlite:///{tmp_path / 'funnel.sqlite3'}"
    summary.create_schema(get_engine(url, create=True))
    log = EventLog(utc(2026, 11, 23, 15))

    def start(sender):
        log.session(sender, "socketio")
        log.user(sender, "help me choose", "ask_recommendation").action(sender, "decision_form")
        log.loop(sender, "decision_form").bot(sender, "utter_ask_learning_goal").listen(sender)

    def answer(sender, slot, value):
        log.user(sender, "…", "inform_situation").action(sender, "decision_form").slot(sender, slot, value)
        log.listen(sender)

    start("only-started")
    start("goal-and-budget")  # a budget given with the goal: the furthest step counts, not how many
    answer("goal-and-budget", "learning_goal", "data")
    answer("goal-and-budget", "budget", {"usd": 500})
    start("skipped-goal")  # "not sure" to the goal, then the time
    answer("skipped-goal", "time_available", {"hours_per_week": 5})
    log.session("all-at-once", "rest")  # everything in one message: a recommendation without the form
    log.turn("all-at-once", "I want data, 5 h a week, $500, a bachelor's", "inform_situation", "action_recommend_path",
             "utter_recommendation")
    log.store(get_engine(url))
    summary.update(get_engine(url), get_engine(url), ZONE)
    with make_session(url) as session:
        funnel = figures.questionnaire_funnel(figures.digest(session, figures.Period(date(2026, 11, 23),
                                                                                      date(2026, 11, 23))))
    assert [step for step, _ in funnel.rows] == ["started", "goal", "time", "family and work", "budget", "education",
                                                 "recommendation"]
    assert [count for _, count in funnel.rows] == [4, 3, 3, 2, 2, 1, 1]
    counts = [count for _, count in funnel.rows]
    assert all(later <= earlier for earlier, later in zip(counts, counts[1:]))


def test_the_funnel_steps_are_the_questionnaire_s_questions():
    assert {slot for _, slots in figures.FUNNEL_STEPS for slot in slots} == set(summary.QUESTIONNAIRE_SLOTS)


def test_per_coach_figures(office):
    with make_session(office) as session, session.begin():
        first, second, third, unanswered, _ = session.query(Handoff).order_by(Handoff.id).all()
        first.claimed_by = second.claimed_by = "dana"
        third.claimed_by = unanswered.claimed_by = "sam"
        first.status, first.outcome, first.closed_at = "closed", "enrolled", DAY_1 + timedelta(hours=2)
        third.status, third.outcome, third.closed_at = "closed", "answered", DAY_2 + timedelta(hours=2)
    with make_session(office) as session:
        found = {one.coach: one for one in figures.per_coach(session, BOTH_DAYS, ZONE)}
    assert sorted(found) == ["dana", "sam"]
    # dana's first replies came after 2 and 10 minutes, sam's after 30 (the other is not answered yet).
    assert (found["dana"].taken, found["dana"].first_reply_median) == (2, 360)
    assert (found["sam"].taken, found["sam"].first_reply_median) == (2, 1800)
    assert found["dana"].outcomes["enrolled"] == 1 and sum(found["dana"].outcomes.values()) == 1
    assert found["sam"].outcomes["answered"] == 1 and sum(found["sam"].outcomes.values()) == 1
