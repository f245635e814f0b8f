"""`action_fallback`: what a message the reader could not place gets ("could you rephrase?").

Whether a message is understood, declined or unclear is decided once, in the NLU pipeline
(bot/understanding/scope.py); this action only answers the unclear ones. After the second in a
row it offers a coach instead, through `utter_offer_coach_after_misunderstanding`, which rules
follow with the handoff if the learner says yes (bot/data/rules/coach_offer.yml): a run of
messages the assistant cannot place is no reason to call a person in unasked.
"""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.understanding.intents import MISUNDERSTOOD

OFFER_AFTER = 2
COACH_OFFER = "utter_offer_coach_after_misunderstanding"
MISUNDERSTANDING_REPLIES = frozenset({"utter_default", COACH_OFFER})


def misunderstood(parse_data: Dict[str, Any]) -> bool:
    return (parse_data.get("intent") or {}).get("name") == MISUNDERSTOOD


def consecutive_misunderstandings(tracker: Tracker) -> int:
    """How many of the learner's latest messages in a row the assistant did not understand: the
    newest, and before it those that got "please rephrase" or the coach offer."""
    count = 0
    replies: List[str] = []  # the assistant's responses after the user message being looked at
    newest = True
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            replies.append((event.get("metadata") or {}).get("utter_action") or "")
        elif event.get("event") == "user":
            understood = not misunderstood(event.get("parse_data") or {}) or (
                not newest and not MISUNDERSTANDING_REPLIES & set(replies))
            if understood:
                break
            count += 1
            newest, replies = False, []
    return count


class ActionFallback(Action):
    """Asks to rephrase; after the second misunderstanding in a row, offers a coach."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if consecutive_misunderstandings(tracker) >= OFFER_AFTER:
            return [FollowupAction(COACH_OFFER)]
        dispatcher.utter_message(response="utter_default")
        return []
