"""The recommendation rules, table-driven: situation → path and reasons."""
import pytest

from bot.actions.recommendation import (
    DEGREE,
    GRAD_CERT,
    MICRO,
    UNDERGRAD_CERT,
    Situation,
    choose_path,
    leans,
    matching_programs,
    needs_education,
    recommend,
    situation_from_slots,
)
from catalog_db import queries


@pytest.fixture
def programs(seeded_session):
    return queries.search_programs(seeded_session)


@pytest.mark.parametrize(
    "situation, path, reason_words",
    [
        (Situation(hours_per_week=3, obligations=("family",), budget_usd=150), MICRO, ["3 hours", "$150"]),
        (Situation(weeks=3, career_change=False), MICRO, ["3 weeks", "growing"]),
        (Situation(career_change=True, hours_per_week=15, needs_aid=True, education="high_school"), UNDERGRAD_CERT,
         ["new field", "15 hours", "financial aid"]),
        (Situation(career_change=True, hours_per_week=12, education="bachelor"), GRAD_CERT, ["new field"]),
        (Situation(career_change=True, education="some_college"), UNDERGRAD_CERT, ["new field"]),
        (Situation(degree_required=True), DEGREE, ["requires a degree"]),
        (Situation(career_change=True, hours_per_week=30, weeks=208, needs_aid=True, education="high_school"), DEGREE,
         ["30 hours", "4 years", "financial aid"]),
        (Situation(hours_per_week=30, weeks=208, budget_usd=200, needs_aid=False), MICRO, ["$200"]),
        (Situation(), MICRO, ["quickest"]),
        (Situation(career_change=True, weeks=4, budget_usd=100), MICRO, ["4 weeks", "$100"]),
    ],
)
def test_path_and_reasons(situation, path, reason_words):
    chosen, reasons = choose_path(situation)
    assert chosen == path
    assert 1 <= len(reasons) <= 3
    for word in reason_words:
        assert any(word in reason for reason in reasons), (word, reasons)


def test_never_a_graduate_certificate_without_a_bachelors():
    for education in (None, "none", "high_school", "some_college"):
        chosen, _ = choose_path(Situation(career_change=True, hours_per_week=20, needs_aid=True, education=education))
        assert chosen == UNDERGRAD_CERT


def test_matches_fit_topic_and_budget(programs):
    advice = recommend(Situation(goal="ai", budget_usd=150, hours_per_week=3), programs)
    assert advice.path == MICRO
    assert [p.name for p in advice.matches] == ["Introduction to Generative AI"]
    assert "accredited" in advice.tradeoffs


def test_budget_excludes_dearer_programs(programs):
    matches = matching_programs(MICRO, Situation(goal="design", budget_usd=200), programs)
    assert [p.name for p in matches] == ["Design for Delight: Innovation Explorer"]


def test_nothing_fits_gives_no_matches(programs):
    assert matching_programs(MICRO, Situation(goal="marine biology"), programs) == ()


def test_education_only_asked_when_a_certificate_is_in_play():
    assert not needs_education(Situation(hours_per_week=3, budget_usd=100))
    assert needs_education(Situation(career_change=True, hours_per_week=15))


def test_slots_with_skipped_answers():
    situation = situation_from_slots({
        "learning_goal": "unknown", "career_change": "change", "time_available": {"hours_per_week": 5, "weeks": None},
        "obligations": ["work"], "budget": "unknown", "education": "bachelor"})
    assert situation == Situation(career_change=True, hours_per_week=5, obligations=("work",), education="bachelor")


def test_a_school_level_alone_leans_nowhere_yet():
    assert not leans(Situation(education="high_school"))
    assert leans(Situation(hours_per_week=3)) and leans(Situation(degree_required=True))
