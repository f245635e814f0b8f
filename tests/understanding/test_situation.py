"""Parsing the learner's answers in the decision conversation."""
import pytest

from bot.understanding.situation import (
    UNKNOWN,
    answers,
    is_skip,
    is_stop,
    parse_budget,
    parse_career_change,
    parse_education,
    parse_hours_per_week,
    parse_needs_aid,
    parse_obligations,
    parse_weeks_available,
    read_answer,
    read_situation,
)


@pytest.mark.parametrize(
    "text, hours",
    [
        ("5 hrs a week", 5), ("10 hours per week", 10), ("a few hours a week at most", 3),
        ("a couple of hours on weekends", 2), ("an hour a day", 5), ("little time", 2),
        ("no time at all", 0), ("2-3 hours", 2), ("lots of time", 15), ("two kids", None),
    ],
)
def test_hours_per_week(text, hours):
    assert parse_hours_per_week(text) == hours


@pytest.mark.parametrize(
    "text, weeks",
    [
        ("only a few weeks", 3), ("within 2 months", 8.6), ("in a year", 52), ("asap", 2),
        ("no rush", 104), ("5 hours a week", None), ("an hour a day", None),
    ],
)
def test_weeks_available(text, weeks):
    found = parse_weeks_available(text)
    assert found is None if weeks is None else found == pytest.approx(weeks)


@pytest.mark.parametrize(
    "text, budget",
    [("around $150", 150), ("$1.5k", 1500), ("under two hundred dollars", 200), ("none", 0),
     ("nothing", 0), ("200", 200), ("about 2k", 2000), ("not sure", None)],
)
def test_budget(text, budget):
    assert parse_budget(text) == budget


@pytest.mark.parametrize(
    "text, aid", [("I'd need financial aid", True), ("no aid needed", False), ("I don't need aid", False),
                  ("$300", None), ("I don't think I need aid", False), ("not sure I'd need a loan", None),
                  ("without any loans", False), ("a scholarship would help", True)],
)
def test_needs_aid(text, aid):
    assert parse_needs_aid(text) is aid


@pytest.mark.parametrize(
    "text, level",
    [("I have a bachelor's in biology", "bachelor"), ("high school", "high_school"), ("some college", "some_college"),
     ("an associate degree", "some_college"), ("master's in education", "graduate"), ("GED", "high_school"),
     ("no degree yet", "none"), ("I like pizza", None)],
)
def test_education(text, level):
    assert parse_education(text) == level


@pytest.mark.parametrize(
    "text, duties",
    [("two small children", ["family"]), ("I work full time and care for my mom", ["family", "work"]),
     ("none", []), ("nope", []), ("I like hiking", None)],
)
def test_obligations(text, duties):
    assert parse_obligations(text) == duties


@pytest.mark.parametrize(
    "text, career",
    [("no, staying in my field", "grow"), ("I want to switch careers", "change"), ("new field", "change"),
     ("get a promotion at my job", "grow"), ("yes", "change"), ("no", "grow"), ("pizza", None),
     ("grow where I am", "grow"), ("stay put", "grow"), ("I want to get promoted", "grow"), ("current employer", "grow"),
     ("a different career", "change"), ("new", "change"), ("growing, i run a bakery", "grow")],
)
def test_career_change(text, career):
    assert parse_career_change(text) == career


def test_skip_and_stop():
    assert is_skip("skip") and is_skip("I don't know") and is_skip("not sure")
    assert is_skip("ugh not sure, it changes every week") and is_skip("hmm idk maybe")
    assert not is_skip("I know AI")
    assert is_stop("never mind") and is_stop("stop") and not is_stop("don't stop believing, I want AI")


def test_one_message_fills_every_answer():
    found = read_situation("I work full time, have two kids, only a few weeks and about $150, want an AI skill for my job")
    assert "learning_goal" not in found  # the subject is the reader's (bot/understanding/reader.py)
    assert found["career_change"] == "grow"
    assert found["time_available"]["weeks"] == 3
    assert found["obligations"] == ["family", "work"]
    assert found["budget"]["usd"] == 150


def test_terse_answers_count_only_for_the_question_asked():
    assert read_answer("budget", "200") == {"usd": 200, "needs_aid": None}
    assert read_answer("obligations", "none") == []
    assert read_answer("education", "none") == "none" and read_answer("budget", "none") == {"usd": 0.0, "needs_aid": None}
    assert read_answer("education", "blue") is None
    assert UNKNOWN == "unknown"


def test_a_job_mentioned_in_passing_leaves_the_family_and_work_question_to_be_asked():
    assert "obligations" not in answers("ai for my job", "learning_goal")
    assert answers("ai for my job", "obligations")["obligations"] == ["work"]
    assert answers("3 kids and a full time job", "time_available")["obligations"] == ["family", "work"]
    assert answers("no kids, just me", "obligations")["obligations"] == []
    assert answers("newborn at home", "obligations")["obligations"] == ["family"]


def test_hours_at_work_are_no_time_to_study_and_a_bound_on_money_is_a_budget():
    assert "time_available" not in answers("i have a toddler and work 50 hrs a week", "obligations")
    assert answers("i can study full time, 4 years is fine", "time_available")["time_available"]["hours_per_week"] >= 15
    assert answers("super tight budget, like under 50", "budget")["budget"]["usd"] == 50
    assert answers("my boss will pay up to 500, dont need aid", "budget")["budget"] == {"usd": 500, "needs_aid": False}
    assert answers("employer pays part, maybe aid for the rest", "budget")["budget"]["needs_aid"] is True
    assert answers("changing careers", "career_change")["career_change"] == "change"


def test_saying_there_is_no_family_answers_the_family_and_work_question():
    told = read_situation("no kids, my partner works too so home stuff is fine")
    assert told["obligations"] == []  # the partner's work is no obligation of the learner's
    assert "obligations" not in read_situation("i want to learn ai for my job")
