"""Understanding of messages nobody trained on, through the REST channel, judged as bench/understanding.py does.

The sets are held out (tests/heldout, the part of the real off-topic corpus left out of training,
the measured half of another team's phrasings); these tests hold the assistant to the floors of
bench/floors.py (which a model trained on the desk must hold too), the bench prints every number and miss.
"""
import pytest

from bench import floors, heldout


@pytest.fixture(scope="module")
def trained():
    return heldout.trained_texts()


@pytest.fixture(scope="module")
def catalog():
    return heldout.load_catalog()


def held(result: floors.Result) -> None:
    print(result.summary())
    assert result.held, "\n".join(result.forbidden + result.misses)


def test_real_off_topic_messages_are_declined_and_never_page_a_coach_or_quote_a_price(stack, trained):
    held(floors.off_topic(stack, trained))


@pytest.mark.parametrize("name", ["in_domain", "small_talk"])
def test_unseen_phrasings_are_answered_right(stack, trained, catalog, name):
    held(floors.phrasings(stack, trained, catalog, name))


def test_conversations_follow_up_on_what_was_said(stack, catalog):
    """References, follow-ups, the questionnaire and two questions in one message, each turn in its context."""
    held(floors.conversations(stack, catalog))


def test_other_teams_phrasings_are_answered_in_their_family_and_almost_never_refused(stack):
    for result in floors.other_teams(stack):
        held(result)
