"""The coach's summary of a handoff, from hand-built conversations: answers in words, negation and
"not sure" kept, the program the learner ended on, the recommendation, and the transcript as seen."""
from typing import Any, Dict, List

import pytest

from bot.actions.handoff_actions import ActionHandoff, summary, transcript
from bot.actions.handoff_summary import (
    build_summary,
    deadline_in_words,
    hours_in_words,
    questionnaire_answers,
)
from bot.understanding.situation import answers
from catalog_db.engine import get_engine, make_session
from handoff_db import handoffs
from handoff_db.schema import create_schema
from tests.actions_support import run, tracker_for

NAMES = {"intro-gen-ai": "Introduction to Generative AI", "lockout-tagout": "Lockout/Tagout Safety Training",
         "cad-fusion": "Introduction to CAD & Fusion 360"}


def names(slugs):
    return {slug: NAMES[slug] for slug in slugs if slug in NAMES}


def answered(*pairs) -> Dict[str, Any]:
    """The slots the questionnaire's own reader fills from each (question, what the learner wrote)."""
    slots: Dict[str, Any] = {}
    for question, text in pairs:
        slots.update(answers(text, question))
    return slots


def user(text: str) -> Dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": 1_790_000_000.0}


def bot(text: str, response: str = "", buttons=None) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": 1_790_000_001.0, "metadata": {"utter_action": response},
            "data": {"buttons": buttons or []}}


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def built(events: List[Dict[str, Any]], slots: Dict[str, Any]) -> Dict[str, Any]:
    return build_summary(events, slots, names)


def test_a_negated_need_for_aid_reads_as_not_needing_it_never_as_needing_it():
    found = dict(questionnaire_answers(answered(("budget", "I don't think I need aid"))))
    assert found["Financial aid"] == "does not need financial aid"
    found = dict(questionnaire_answers(answered(("budget", "about $200 and I'll need financial aid"))))
    assert found == {"Budget": "budget up to $200", "Financial aid": "needs financial aid"}


@pytest.mark.parametrize("question, text", [("budget", "not sure"), ("time_available", "I don't know"),
                                            ("education", "skip"), ("obligations", "rather not say")])
def test_not_sure_or_skipped_reads_as_such_never_as_yes_or_no(question, text):
    found = questionnaire_answers(answered((question, text)))
    assert len(found) == 1 and found[0][1] == "not sure (skipped the question)"


def test_money_and_time_are_in_words_without_raw_numbers():
    slots = answered(("career_change", "I want to switch careers"), ("time_available", "5 hrs a week"),
                     ("obligations", "I work full time and have two kids"), ("budget", "$1500"),
                     ("education", "a bachelor's degree"))
    slots["time_available"]["weeks"] = 4.3  # "within a month", as the reader counts it
    found = dict(questionnaire_answers(slots))
    assert found == {"Field": "wants to move into a new field",
                     "Time": "about 5 hours a week; needs the skill within about 1 month",
                     "Commitments": "family and work commitments", "Budget": "budget up to $1,500",
                     "Education": "a bachelor's degree"}
    assert not any(raw in " ".join(found.values()) for raw in ("5.0", "4.3", "1500.0", "True", "False", "None"))


@pytest.mark.parametrize("value, words", [(0, "no free time to study"), (1, "about 1 hour a week"),
                                          (2.5, "about 2.5 hours a week"), (15.0, "about 15 hours a week")])
def test_hours_in_words(value, words):
    assert hours_in_words(value) == words


@pytest.mark.parametrize("weeks, words", [(2, "within about 2 weeks"), (8.6, "within about 2 months"),
                                          (0.5, "within about 4 days"), (104, "no deadline"), (52, "within about 12 months"),
                                          (6, "within about 6 weeks")])
def test_deadlines_in_words(weeks, words):
    assert deadline_in_words(weeks) == words


def test_the_program_in_focus_is_the_one_the_learner_ended_on_and_the_rest_were_discussed():
    events = [user("tell me about lockout tagout"), slot("program", "lockout-tagout"),
              user("and the gen AI course?"), slot("program", "intro-gen-ai")]
    found = built(events, {"program": "intro-gen-ai"})
    assert found["program"] == "Introduction to Generative AI"
    assert found["other_programs"] == ["Lockout/Tagout Safety Training"]


def test_after_a_list_the_earlier_program_is_no_longer_in_focus():
    events = [user("how much is gen ai?"), slot("program", "intro-gen-ai"),
              user("compare lockout and CAD"), slot("listed_programs", ["lockout-tagout", "cad-fusion"])]
    found = built(events, {"program": "intro-gen-ai", "listed_programs": ["lockout-tagout", "cad-fusion"]})
    assert found["program"] is None
    assert found["other_programs"] == ["Introduction to CAD & Fusion 360", "Lockout/Tagout Safety Training",
                                       "Introduction to Generative AI"]


def test_the_recommendation_and_what_was_asked_are_in_the_learners_and_assistants_words():
    events = [user("/greet"), bot("Hi! Welcome.", "utter_greet", [{"title": "Help me choose", "payload": "/decide"}]),
              user("/decide"), bot("My suggestion: a micro-credential. Here's why: little time.", "utter_recommendation"),
              user("can a coach call me about this?")]
    found = built(events, {})
    assert found["recommendation"] == "My suggestion: a micro-credential. Here's why: little time."
    assert found["asked"] == ["Help me choose", "can a coach call me about this?"]


def test_the_transcript_has_both_sides_and_never_an_intent():
    events = [user("/greet"), bot("Hi! Welcome.", "utter_greet", [{"title": "List micro-credentials", "payload": "/list"}]),
              user("/list"), bot("Here they are.", "utter_list"), user("/human_handoff")]
    lines = [(role, text) for role, text, _ in transcript(tracker_for("/human_handoff", events=events))]
    assert lines == [("bot", "Hi! Welcome."), ("learner", "List micro-credentials"), ("bot", "Here they are.")]


def test_the_handoff_stores_the_summary_and_names_its_programs_for_search(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"
    create_schema(get_engine(url, create=True))
    monkeypatch.setenv("HANDOFF_DB_URL", url)
    monkeypatch.setenv("COACH_HOURS", "Mon-Sun 00:00-24:00")
    slots = {"program": "introduction-to-generative-ai", **answered(("budget", "I don't need a loan"))}
    events = [user("how much is gen AI?"), slot("program", "introduction-to-generative-ai"), user("talk to a person")]
    run(ActionHandoff(), tracker_for("talk to a person", slots=slots, events=events, channel="socketio"))
    stored = summary(tracker_for("talk to a person", slots=slots, events=events))
    with make_session(url) as session:
        handoff = handoffs.queue(session)[0]
        found, _ = handoffs.search(session, handoffs.Search(words="generative"))
    assert handoff.summary == stored and ["Financial aid", "does not need financial aid"] in stored["answers"]
    assert stored["program"] == "Introduction to Generative AI"  # the catalog's name (the shipped seed's)
    assert [h.id for h in found] == [handoff.id]
