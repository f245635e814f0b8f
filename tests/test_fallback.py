"""The answer to messages the reader could not place: rephrase, then a coach offered (never paged)."""
from rasa_sdk.events import FollowupAction

from bot.actions.fallback import ActionFallback, consecutive_misunderstandings
from tests.actions_support import responses, run, tracker_for


def user(intent):
    return {"event": "user", "text": "blorp", "input_channel": "rest", "timestamp": 1_700_000_000,
            "parse_data": {"intent": {"name": intent}}}


def bot(response):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


def misunderstood_tracker(*events):
    tracker = tracker_for("blorp", intent="nlu_fallback", events=list(events))
    tracker.latest_message = events[-1]["parse_data"]
    return tracker


def test_the_first_misunderstanding_asks_to_rephrase():
    messages, events = run(ActionFallback(), misunderstood_tracker(user("nlu_fallback")))
    assert responses(messages) == ["utter_default"] and events == []


def test_the_second_in_a_row_offers_a_coach_through_the_offer_response_rules_follow():
    messages, events = run(ActionFallback(), misunderstood_tracker(
        user("nlu_fallback"), bot("utter_default"), user("nlu_fallback")))
    assert messages == [] and events == [FollowupAction("utter_offer_coach_after_misunderstanding")]


def test_only_the_latest_run_counts():
    tracker = misunderstood_tracker(user("nlu_fallback"), bot("utter_default"), user("greet"), bot("utter_greet"),
                                    user("nlu_fallback"), bot("utter_default"), user("nlu_fallback"))
    assert consecutive_misunderstandings(tracker) == 2
    # an earlier message that was answered after all breaks the run
    answered = misunderstood_tracker(user("nlu_fallback"), bot("utter_program_cost"), user("nlu_fallback"))
    assert consecutive_misunderstandings(answered) == 1
    assert consecutive_misunderstandings(misunderstood_tracker(user("greet"))) == 0
