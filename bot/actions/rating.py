"""Thumbs up and down on an answer: offered with catalog and general answers, at most once every few turns.

The buttons (channels/ratings.py) come with the answer itself, never as a message of their own, so
a learner who does not rate simply asks on. A tap is thanked by RatingPolicy; the desk's analytics
pair it with the answer that carried the buttons, and a thumbs down joins the review queue.
"""
from typing import Any, Dict, List

from rasa_sdk import Tracker

from channels.ratings import BUTTONS, is_rating_offer

# The learner's messages there must be since the last offer, the one answered now included.
TURNS_BETWEEN_OFFERS = 3
# Responses that ask back or refer elsewhere rather than answer: nothing to rate.
NOT_ANSWERS = frozenset({"utter_ask_which_program", "utter_program_ambiguous", "utter_refer_to_coach",
                         "utter_program_not_found", "utter_catalog_unavailable"})


def offered_recently(tracker: Tracker) -> bool:
    """Whether the learner was offered a rating within their last few messages."""
    messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            messages += 1
            if messages >= TURNS_BETWEEN_OFFERS:
                return False
        elif event.get("event") == "bot" and is_rating_offer((event.get("data") or {}).get("buttons")):
            return True
    return False


def offer(messages: List[Dict[str, Any]], tracker: Tracker) -> None:
    """Put the rating buttons on the last of this turn's answers, when it is one and has no buttons of its own."""
    if not messages or tracker.active_loop.get("name") or offered_recently(tracker):
        return
    last = messages[-1]
    if last.get("buttons") or last.get("response") in NOT_ANSWERS:
        return
    last["buttons"] = [dict(button) for button in BUTTONS]
