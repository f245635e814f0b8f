"""The "which path suits me?" conversation: the decision form's validation and the recommendation."""
import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import presenting
from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.intents import is_faq
from bot.actions.recommendation import (
    Situation,
    choose_path,
    needs_education,
    recommend,
    situation_from_slots,
    with_article,
)
from bot.actions.situation import UNKNOWN, is_skip, is_stop, read_answer, read_situation
from catalog_db import queries

logger = logging.getLogger(__name__)

FORM_SLOTS = ("learning_goal", "career_change", "time_available", "obligations", "budget", "education")
# A confident message of one of these kinds, or a general question, that answers nothing leaves
# the form: the learner gets their question answered (or the form stops) and can pick the
# questions up later.
LEAVING_INTENTS = frozenset(
    {"ask_program", "list_programs", "compare_programs", "contact_info", "human_handoff",
     "out_of_scope", "bot_challenge", "goodbye", "stop", "non_english"})
LEAVING_CONFIDENCE = 0.75


def merge(old: Any, new: Any) -> Any:
    """Answers about time or money may come in parts ("5 hours a week", later "within a month")."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{key: value for key, value in new.items() if value is not None}}
    return new


# Chat questions often come without a question mark ("is aid available for certificates").
QUESTION = re.compile(
    r"\?|^\s*(?:what|how|which|who|whom|why|when|where|is|are|am|can|could|do|does|did|will|would|should|"
    r"tell me|explain|compare|list|show me)\b", re.IGNORECASE)


def leaves_form(tracker: Tracker, text: str, topics: List[str], found: Dict[str, Any]) -> bool:
    """A stop word, or a confident question that does not answer the question asked.

    `found` is what `read_situation` read in the message. The classifier may take an answer for a
    question ("I have two kids and work full time" reads a lot like the FAQ about time), so a
    statement about the learner's time, family, money or schooling stays in the form whatever
    the intent. A subject alone does not count: questions about programs name subjects too.
    """
    if is_stop(text):
        return True
    intent = tracker.latest_message.get("intent", {})
    leaving = intent.get("name") in LEAVING_INTENTS or is_faq(intent.get("name"))
    confident = leaving and intent.get("confidence", 0) >= LEAVING_CONFIDENCE
    if not confident:
        return False
    asks = bool(QUESTION.search(text))
    if not asks and any(slot != "learning_goal" for slot in found):
        return False
    # A confident question ("how much is the AI course") leaves even if it mentions a subject.
    return asks or read_answer(tracker.get_slot("requested_slot"), text, topics) is None


def catalog_topics() -> List[str]:
    """The catalog's topics, or none when it is down: the form keeps working without them."""
    try:
        with catalog_session() as session:
            return queries.known_topics(session)
    except CatalogUnavailable:
        return []


class ValidateDecisionForm(FormValidationAction):
    """Reads every answer the learner gives, in any order and several at once."""

    def name(self) -> str:
        return "validate_decision_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # The parsers both read and check each answer, so reading is the whole validation;
        # the SDK's per-slot validate_ step would only drop the re-ask marker.
        events = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        situation = situation_from_slots(tracker.slots)
        return [slot for slot in domain_slots if slot != "education" or needs_education(situation)]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot("requested_slot")
        topics = catalog_topics()
        found = read_situation(text, topics)
        if requested and leaves_form(tracker, text, topics, found):
            return []  # nothing validated: the form is rejected and the rules take over
        if requested and requested not in found:
            answer = UNKNOWN if is_skip(text) else read_answer(requested, text, topics)
            if answer is not None:
                found[requested] = answer
            elif found:
                pass  # the learner told us something else (a correction); ask this question again
            elif tracker.get_slot("decision_reasked") == requested:
                found[requested] = UNKNOWN  # asked twice already: move on rather than loop
            else:
                dispatcher.utter_message(response=f"utter_reask_{requested}")
                return [SlotSet("decision_reasked", requested)]
        if not requested and not any(tracker.get_slot(slot) for slot in FORM_SLOTS):
            self._introduce(dispatcher, tracker, found)
        return [SlotSet(slot, merge(tracker.get_slot(slot), value)) for slot, value in found.items()]

    @staticmethod
    def _introduce(dispatcher: CollectingDispatcher, tracker: Tracker, found: Dict[str, Any]) -> None:
        """Open the form: say where things lean when the first message already told us something."""
        if found:
            path, _ = choose_path(situation_from_slots({**tracker.slots, **found}))
            dispatcher.utter_message(response="utter_decision_early_lean", path=with_article(path))
        else:
            dispatcher.utter_message(response="utter_decision_intro")


def describe_situation(situation: Situation) -> str:
    parts = []
    if situation.goal:
        parts.append(f"the subject \"{situation.goal}\"")
    if situation.budget_usd is not None:
        parts.append(f"a budget of {presenting.money(situation.budget_usd)}")
    if situation.preferred_format:
        parts.append(f"{presenting.FORMAT_WORDS[situation.preferred_format]} study")
    return ", ".join(parts) or "what you told me"


class ActionRecommendPath(Action):
    """Recommends a path with reasons and trade-offs, lists fitting programs and offers a coach."""

    def name(self) -> str:
        return "action_recommend_path"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        situation = situation_from_slots(tracker.slots)
        programs: Optional[List[Any]] = None
        try:
            with catalog_session() as session:
                programs = queries.search_programs(session)
        except CatalogUnavailable:
            pass
        advice = recommend(situation, programs or [])
        dispatcher.utter_message(
            response="utter_recommendation",
            path=with_article(advice.path),
            reasons="; ".join(advice.reasons),
            tradeoffs=advice.tradeoffs,
        )
        if programs is None:
            dispatcher.utter_message(response="utter_catalog_unavailable")
        elif advice.matches:
            lines = presenting.program_list(advice.matches)
            dispatcher.utter_message(response="utter_recommendation_programs", lines=lines)
        else:
            dispatcher.utter_message(
                response="utter_recommendation_no_programs", path=with_article(advice.path), criteria=describe_situation(situation)
            )
        dispatcher.utter_message(response="utter_offer_coach")
        return [SlotSet("decision_reasked", None)]
