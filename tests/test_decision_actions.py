"""The decision form's validation, its questions and the recommendation, with real trackers and catalog.

The form reads what the reader understood (the frame), as the pipeline gives it: `frame_for`
builds one the way bot/understanding/reader.py does for these messages.
"""
from typing import Optional

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.decision_actions import (
    ATTEMPTS_SLOT,
    FORM_SLOTS,
    ActionAskBudget,
    ActionExplainQuestion,
    ActionRecommendPath,
    ValidateDecisionForm,
)
from bot.understanding import clauses, situation
from bot.understanding.frame import Frame
from tests.actions_support import responses, run, tracker_for

DOMAIN = {"forms": {"decision_form": {"required_slots": list(FORM_SLOTS)}}, "slots": {s: {} for s in FORM_SLOTS}}


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)


def frame_for(text: str, intent: str, slots: dict, goal: Optional[str] = None,
              off_topic: Optional[float] = None) -> Frame:
    """The frame as the reader makes it; the classifier's off-topic probability is high when it chose off-topic."""
    found = situation.answers(text, slots.get("requested_slot"))
    if goal:
        found["learning_goal"] = goal
    off_topic = off_topic if off_topic is not None else (0.95 if intent == "out_of_scope" else 0.0)
    return Frame(text=text, intent=intent, classified=intent, confidence=0.95, out_of_scope=off_topic,
                 situation=found, asks=clauses.is_put_as_a_question(text))


def validate(text, slots=None, intent="inform_situation", goal=None, off_topic=None):
    slots = slots or {}
    tracker = tracker_for(text, intent=intent, slots=slots)
    tracker.latest_message["frame"] = frame_for(text, intent, slots, goal, off_topic).as_dict()
    return run(ValidateDecisionForm(), tracker, DOMAIN)


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_one_message_answers_everything_needed():
    messages, events = validate(
        "I work full time, have two kids, only a few weeks and about $150, want an AI skill for my job",
        intent="ask_recommendation", goal="ai")
    values = slot_values(events)
    assert values["learning_goal"] == "ai" and values["budget"]["usd"] == 150
    assert values["requested_slot"] is None  # nothing left to ask: education is not needed for a micro-credential
    assert responses(messages) == ["utter_decision_early_lean"] and messages[0]["path"] == "a micro-credential"


def test_fresh_start_without_details_introduces_and_asks_the_first_question():
    messages, events = validate("help me choose", intent="ask_recommendation")
    assert responses(messages) == ["utter_decision_intro"]
    assert slot_values(events)["requested_slot"] == "learning_goal"


def test_answer_to_the_question_asked():
    _, events = validate("a few hours a week at most", slots={"requested_slot": "time_available", "learning_goal": "ai"})
    assert slot_values(events)["time_available"] == {"hours_per_week": 3.0, "weeks": None}


def test_answers_that_fit_nothing_are_counted_then_taken_as_skip():
    slots = {"requested_slot": "budget", "learning_goal": "ai"}
    messages, events = validate("purple", slots=slots)
    assert messages == [] and SlotSet(ATTEMPTS_SLOT, {"budget": 1}) in events
    _, events = validate("purple", slots={**slots, ATTEMPTS_SLOT: {"budget": 1}})
    assert SlotSet(ATTEMPTS_SLOT, {"budget": 2}) in events and "budget" not in slot_values(events)
    _, events = validate("purple", slots={**slots, ATTEMPTS_SLOT: {"budget": 2}})
    assert slot_values(events)["budget"] == "unknown"


def test_a_question_is_put_as_the_attempts_call_for_and_never_a_third_time_the_same():
    def asked(attempts):
        messages, _ = run(ActionAskBudget(), tracker_for("purple", slots={ATTEMPTS_SLOT: attempts}))
        return responses(messages)
    assert asked({}) == ["utter_ask_budget"]
    assert asked({"budget": 1}) == ["utter_reask_budget"]
    assert asked({"budget": 2}) == ["utter_options_budget"]


def test_skip_is_accepted():
    _, events = validate("I don't know", slots={"requested_slot": "career_change"})
    assert slot_values(events)["career_change"] == "unknown"


@pytest.mark.parametrize("text, intent", [
    ("what is a digital badge?", "faq_badge"),
    ("is financial aid available for certificates", "ask_aid"),
    ("how much is Introduction to Generative AI", "ask_cost"),
    ("never mind", "stop"),
    ("what's the weather in Paris", "out_of_scope"),
    ("can I do it in 5 hours a week", "ask_format"),
    ("ugh i dont even know, why do you need that", "clarify"),
])
def test_an_aside_is_left_to_its_own_rule(text, intent):
    _, events = validate(text, slots={"requested_slot": "obligations"}, intent=intent)
    # nothing validated: the form is rejected, the aside's rule answers, then the questions go on
    assert set(slot_values(events)) <= {"requested_slot"}


def test_an_aside_after_a_comma_is_still_an_aside():
    _, events = validate("lol sorry my cat knocked over my coffee, do u know how to get coffee out of carpet",
                         slots={"requested_slot": "career_change"}, intent="out_of_scope")
    assert set(slot_values(events)) <= {"requested_slot"}


def test_a_muddled_answer_declined_only_for_its_words_counts_as_one_that_fits_nothing():
    # "both? neither?" is no field of study, but the classifier did not find it off-topic
    _, events = validate("uhh both? neither? i dont get the question", slots={"requested_slot": "career_change"},
                         intent="out_of_scope", off_topic=0.01)
    assert slot_values(events)[ATTEMPTS_SLOT] == {"career_change": 1}


def test_declining_to_answer_skips_the_question_even_when_taken_for_asking_why():
    _, events = validate("prefer not to say", slots={"requested_slot": "education"}, intent="clarify")
    assert slot_values(events)["education"] == situation.UNKNOWN


@pytest.mark.parametrize("text, slot", [
    ("I have two kids and work full time", "obligations"),
    ("no I don't need aid", "budget"),
    ("I have a bachelor's in biology", "education"),
])
def test_a_situation_statement_stays_even_when_taken_for_a_question(text, slot):
    _, events = validate(text, slots={"requested_slot": "budget", "learning_goal": "ai"}, intent="ask_cost")
    assert slot in slot_values(events)


def test_correction_overwrites_and_merges():
    _, events = validate("actually I can do 10 hours a week",
                         slots={"time_available": {"hours_per_week": 3, "weeks": 4}, "requested_slot": "budget"})
    assert slot_values(events)["time_available"] == {"hours_per_week": 10.0, "weeks": 4}


def test_a_bare_none_answers_the_question_asked():
    _, events = validate("none", slots={"requested_slot": "obligations", "learning_goal": "ai"}, intent="deny")
    values = slot_values(events)
    assert values["obligations"] == [] and "education" not in values


def test_recommendation_lists_fitting_programs_and_leaves_the_coach_offer_to_its_rule():
    slots = {"learning_goal": "critical thinking", "career_change": "grow",
             "time_available": {"hours_per_week": 3, "weeks": None}, "obligations": ["family"],
             "budget": {"usd": 150, "needs_aid": None}, "education": "some_college"}
    messages, events = run(ActionRecommendPath(), tracker_for("some college", slots=slots))
    assert responses(messages) == ["utter_recommendation", "utter_recommendation_programs"]
    assert messages[0]["path"] == "a micro-credential"
    assert "Critical Thinking" in messages[1]["lines"] and "$100" in messages[1]["lines"]
    assert SlotSet(ATTEMPTS_SLOT, None) in events


def test_recommendation_when_nothing_fits():
    slots = {"learning_goal": "marine biology", "career_change": "grow", "time_available": {"hours_per_week": 2},
             "obligations": [], "budget": {"usd": 50}}
    messages, _ = run(ActionRecommendPath(), tracker_for("none", slots=slots))
    assert responses(messages) == ["utter_recommendation", "utter_recommendation_no_programs"]


def test_a_question_not_followed_is_explained_and_then_put_more_plainly():
    messages, events = run(ActionExplainQuestion(), tracker_for("what do you mean", intent="clarify",
                                                                 slots={"requested_slot": "obligations"}))
    assert responses(messages) == ["utter_why_obligations"]
    assert slot_values(events)[ATTEMPTS_SLOT] == {"obligations": 1}
    _, events = run(ActionExplainQuestion(), tracker_for("i still dont get it", intent="clarify", slots={
        "requested_slot": "obligations", ATTEMPTS_SLOT: {"obligations": 1}}))
    assert slot_values(events)[ATTEMPTS_SLOT] == {"obligations": 2}  # next: its options as buttons
    messages, _ = run(ActionExplainQuestion(), tracker_for("what do you mean", intent="clarify"))
    assert responses(messages) == ["utter_clarify"]
