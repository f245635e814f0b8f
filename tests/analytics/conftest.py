"""A small office's two days of conversations, whose every figure is known, on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from zoneinfo import ZoneInfo

from catalog_db.engine import get_engine, make_session
from catalog_db.migrations import upgrade_schema
from channels.desk.analytics import summary
from handoff_db import handoffs
from handoff_db import schema as handoff_schema
from handoff_db.models import Handoff, HandoffMessage
from tests.analytics.event_log import EventLog, utc

ZONE = ZoneInfo("America/New_York")
DAY_1 = utc(2026, 11, 23, 15, 0)  # 10:00 in New York, Monday 23 November
DAY_2 = utc(2026, 11, 24, 15, 0)
QUESTIONS = [("generative AI", "learning_goal", "generative ai"), ("grow where I am", "career_change", "grow"),
             ("3 hours a week", "time_available", {"hours_per_week": 3}), ("none", "obligations", []),
             ("about $3000", "budget", {"usd": 3000}), ("a bachelor's", "education", "bachelor")]


def questionnaire(log: EventLog, sender: str, answers: int) -> None:
    log.user(sender, "help me choose", "ask_recommendation").action(sender, "decision_form")
    log.loop(sender, "decision_form").bot(sender, "utter_decision_intro").bot(sender, "utter_ask_learning_goal")
    log.slot(sender, "requested_slot", "learning_goal").listen(sender)
    for n, (text, slot, value) in enumerate(QUESTIONS[:answers]):
        # Answers are often unsure guesses of the classifier: the form checks them, so they are no guess.
        log.user(sender, text, "deny" if text == "none" else "inform_situation", confidence=0.45)
        log.action(sender, "decision_form").slot(sender, slot, value)
        if n + 1 < len(QUESTIONS):
            log.slot(sender, "requested_slot", QUESTIONS[n + 1][1]).bot(sender, f"utter_ask_{QUESTIONS[n + 1][1]}")
            log.listen(sender)
    if answers == len(QUESTIONS):
        log.slot(sender, "requested_slot", None).loop(sender, None).action(sender, "action_recommend_path")
        log.bot(sender, "utter_recommendation", path="a graduate certificate")
        log.bot(sender, "utter_recommendation_programs").bot(sender, "utter_offer_coach").listen(sender)


def office_log() -> EventLog:
    log = EventLog(DAY_1)
    log.session("ann", "socketio")
    log.turn("ann", "hi", "greet", "utter_greet", "utter_greet")
    log.turn("ann", "what is a micro-credential?", "ask_overview", "action_answer_question", "utter_faq_what_is_microcredential")

    log.session("ben", "rest")
    log.turn("ben", "how much is the gen AI course?", "ask_cost", "action_answer_question", "utter_program_cost",
             program="introduction-to-generative-ai")
    log.turn("ben", "whats the weather like tomorrow", "out_of_scope", "utter_out_of_scope", "utter_out_of_scope")
    log.turn("ben", "asdf qwer", "nlu_fallback", "action_fallback", "utter_default", confidence=0.3)
    log.turn("ben", "zzz blorp", "nlu_fallback", "action_fallback", "utter_offer_coach_after_misunderstanding",
             confidence=0.2)
    log.turn("ben", "yes", "affirm", "action_handoff", "utter_handoff_started", handoff_active=True)
    log.turn("ben", "hello?", "greet", "action_relay_to_coach", handoff_active=True)

    log.session("cat", "slack")
    questionnaire(log, "cat", 3)

    log.at(DAY_2)
    # An hour later Rasa starts a new session and carries the slots over: still the same handoff.
    log.session("ben", "rest", carried={"handoff_active": True})
    log.turn("ben", "are you there?", "greet", "action_relay_to_coach", handoff_active=True)

    log.session("dan", "telegram")
    log.turn("dan", "can I talk to a human", "human_handoff", "action_handoff", "utter_handoff_after_hours",
             handoff_active=True)
    log.user("dan", "dan@example.org", "inform_situation").action("dan", "callback_form")
    log.slot("dan", "callback_contact", "dan@example.org").loop("dan", None)
    log.action("dan", "action_store_callback_contact").bot("dan", "utter_callback_saved").listen("dan")

    log.session("eve", "socketio")
    log.turn("eve", "is it worth it", "faq_worth_it", "action_answer_question", "utter_faq_worth_it", confidence=0.5)
    questionnaire(log, "eve", 6)
    log.turn("eve", "yes please", "affirm", "action_handoff", "utter_handoff_started", handoff_active=True)

    log.session("ann", "socketio")
    log.turn("ann", "What's the weather like tomorrow?", "out_of_scope", "utter_out_of_scope", "utter_out_of_scope")
    return log


def add_handoffs(url: str) -> None:
    """Four handoffs in the period (first coach replies after 2, 10 and 30 minutes, one unanswered), one after."""
    with make_session(url) as session, session.begin():
        for n, (opened, wait) in enumerate([(DAY_1, 120), (DAY_1 + timedelta(hours=1), 600), (DAY_2, 1800),
                                            (DAY_2 + timedelta(hours=1), None), (DAY_2 + timedelta(days=1), 60)]):
            handoff = handoffs.open_handoff(session, sender_id=f"h{n}", channel="rest", reason="asked for a person",
                                            summary={}, transcript=[])
            session.get(Handoff, handoff.id).created_at = opened
            if wait is not None:
                for later in (wait, wait + 300):  # only the first reply counts
                    session.add(HandoffMessage(handoff_id=handoff.id, role="coach", text="hi", author="dana",
                                               created_at=opened + timedelta(seconds=later)))


@pytest.fixture
def office(db_url):
    """The URL of a database holding the log (as Rasa's events), the handoffs, and the summary built."""
    upgrade_schema(get_engine(db_url, create=True))
    handoff_schema.create_schema(get_engine(db_url, create=True))
    summary.create_schema(get_engine(db_url, create=True))
    office_log().store(get_engine(db_url))
    add_handoffs(db_url)
    summary.update(get_engine(db_url), get_engine(db_url), ZONE)
    return db_url
