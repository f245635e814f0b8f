"""The decision form's validation and the recommendation action, with real trackers and catalog."""
import pytest
from rasa_sdk.events import SlotSet

from bot.actions.decision_actions import FORM_SLOTS, ActionRecommendPath, ValidateDecisionForm
from tests.actions_support import responses, run, tracker_for

DOMAIN = {"forms": {"decision_form": {"required_slots": list(FORM_SLOTS)}}, "slots": {s: {} for s in FORM_SLOTS}}


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)


def validate(text, slots=None, intent="inform_situation", confidence=0.9):
    return run(ValidateDecisionForm(), tracker_for(text, intent=intent, confidence=confidence, slots=slots or {}), DOMAIN)


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_one_message_answers_everything_needed():
    messages, events = validate(
        "I work full time, have two kids, only a few weeks and about $150, want an AI skill for my job",
        intent="ask_recommendation")
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


def test_unclear_answer_is_asked_again_once_then_skipped():
    slots = {"requested_slot": "budget", "learning_goal": "ai"}
    messages, events = validate("purple", slots=slots)
    assert responses(messages) == ["utter_reask_budget"]
    assert SlotSet("decision_reasked", "budget") in events
    messages, events = validate("purple", slots={**slots, "decision_reasked": "budget"})
    assert slot_values(events)["budget"] == "unknown" and responses(messages) == []


def test_skip_is_accepted():
    _, events = validate("I don't know", slots={"requested_slot": "career_change"})
    assert slot_values(events)["career_change"] == "unknown"


def test_a_question_leaves_the_form():
    _, events = validate("what is a digital badge?", slots={"requested_slot": "obligations"}, intent="faq_badge", confidence=0.95)
    assert not [e for e in events if e["event"] == "slot" and e["name"] != "requested_slot"]


@pytest.mark.parametrize("text, slot", [
    ("I have two kids and work full time", "obligations"),
    ("no I don't need aid", "budget"),
    ("I have a bachelor's in biology", "education"),
])
def test_a_situation_statement_stays_even_when_taken_for_a_question(text, slot):
    _, events = validate(text, slots={"requested_slot": "budget", "learning_goal": "ai"}, intent="faq_compare_cost", confidence=0.95)
    assert slot in slot_values(events)


@pytest.mark.parametrize("text, slot, intent", [
    ("is financial aid available for certificates", "obligations", "faq_financial_aid"),
    ("can I do it in 5 hours a week", "obligations", "faq_compare_time"),
    ("how much is Introduction to Generative AI", "learning_goal", "ask_program"),
])
def test_a_question_without_a_question_mark_still_leaves(text, slot, intent):
    _, events = validate(text, slots={"requested_slot": slot}, intent=intent, confidence=0.95)
    assert not [e for e in events if e["event"] == "slot" and e["name"] != "requested_slot"]


def test_stop_leaves_the_form():
    _, events = validate("never mind", slots={"requested_slot": "budget"}, intent="stop")
    assert not [e for e in events if e["event"] == "slot" and e["name"] != "requested_slot"]


def test_correction_overwrites_and_merges():
    _, events = validate("actually I can do 10 hours a week",
                         slots={"time_available": {"hours_per_week": 3, "weeks": 4}, "requested_slot": "budget"})
    assert slot_values(events)["time_available"] == {"hours_per_week": 10.0, "weeks": 4}


def test_recommendation_lists_fitting_programs_and_offers_a_coach():
    slots = {"learning_goal": "critical thinking", "career_change": "grow",
             "time_available": {"hours_per_week": 3, "weeks": None}, "obligations": ["family"],
             "budget": {"usd": 150, "needs_aid": None}, "education": "some_college"}
    messages, _ = run(ActionRecommendPath(), tracker_for("some college", slots=slots))
    assert responses(messages) == ["utter_recommendation", "utter_recommendation_programs", "utter_offer_coach"]
    assert messages[0]["path"] == "a micro-credential"
    assert "Critical Thinking" in messages[1]["lines"] and "$100" in messages[1]["lines"]


def test_recommendation_when_nothing_fits():
    slots = {"learning_goal": "marine biology", "career_change": "grow", "time_available": {"hours_per_week": 2},
             "obligations": [], "budget": {"usd": 50}}
    messages, _ = run(ActionRecommendPath(), tracker_for("none", slots=slots))
    assert responses(messages) == ["utter_recommendation", "utter_recommendation_no_programs", "utter_offer_coach"]


def test_a_bare_none_answers_the_question_asked():
    _, events = validate("none", slots={"requested_slot": "obligations", "learning_goal": "ai"}, intent="deny")
    values = slot_values(events)
    assert values["obligations"] == [] and "education" not in values


def test_never_mind_is_not_taken_for_a_subject():
    _, events = validate("never mind", slots={"requested_slot": "learning_goal"}, intent="stop", confidence=0.5)
    assert "learning_goal" not in slot_values(events)
