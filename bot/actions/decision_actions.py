"""The "which path suits me?" conversation: the decision form's validation and the recommendation.

The learner's answers come read from the frame (bot/understanding/reader.py reads every message
against the question asked as well as for anything else it tells), so one long message can fill
several answers, and a later one can correct them. A question is asked by its `action_ask_<slot>`:
the first time as it is, after an answer that fit nothing in other words, after a second such
answer as its options on buttons beside "skip" and "talk to a coach"; a third is taken as "skip".
No question is asked a third time.
"""
import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import presenting
from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.recommendation import (
    Situation,
    choose_path,
    leans,
    needs_education,
    recommend,
    situation_from_slots,
    with_article,
)
from bot.understanding.frame import Frame
from bot.understanding.intents import (
    CLARIFY,
    CONTACT_INFO,
    HUMAN_HANDOFF,
    NON_ENGLISH,
    OUT_OF_SCOPE,
    STOP,
    is_question,
)
from bot.understanding.scope import Thresholds
from bot.understanding.situation import UNKNOWN
from catalog_db import queries

logger = logging.getLogger(__name__)

FORM_SLOTS = ("learning_goal", "career_change", "time_available", "obligations", "budget", "education")
ATTEMPTS_SLOT = "decision_attempts"  # per question, how many answers fitted none of its options
# How a question is put after that many answers that fit none of its options; one more is "skip".
ASKING = ("utter_ask_{}", "utter_reask_{}", "utter_options_{}")
# A message that answers nothing asked and is one of these goes to its own rule (bot/data/rules/
# questionnaire.yml): it is answered, and the questions go on where they were.
ASIDES = frozenset({STOP, HUMAN_HANDOFF, CONTACT_INFO, NON_ENGLISH, CLARIFY, "bot_challenge"})


def merge(old: Any, new: Any) -> Any:
    """Answers about time or money may come in parts ("5 hours a week", later "within a month")."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{key: value for key, value in new.items() if value is not None}}
    return new


def is_aside(frame: Frame, requested: str) -> bool:
    """A message that is not an answer: "stop", a request for a person, chatter we decline, a
    question ("is financial aid available for certificates?" mentions aid but asks). A statement
    of the learner's situation is an answer whatever the classifier took it for ("I have two
    kids and work full time"), and so is anything that answers the question asked."""
    if frame.intent in (STOP, HUMAN_HANDOFF):
        return True
    if frame.intent == CLARIFY:
        # "I don't know, why do you need that?" asks why before it answers; "prefer not to say" answers
        return frame.asks or requested not in frame.situation
    if requested in frame.situation:
        return False
    if frame.intent == OUT_OF_SCOPE:
        # "what's the weather?" is an aside; a statement we cannot read, or a question the classifier
        # finds no more off-topic than ours ("uhh both? neither?"), is an answer that fits nothing
        return frame.asks and frame.out_of_scope >= Thresholds.doubt
    return (not frame.situation and frame.intent in ASIDES) or (
        is_question(frame.intent) and (frame.asks or not frame.situation))


class ValidateDecisionForm(FormValidationAction):
    """Takes every answer the frame holds, in any order and several at once."""

    def name(self) -> str:
        return "validate_decision_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Reading is the whole validation (the reader checks every answer it reads); the SDK's
        # per-slot validate_ steps would only drop the re-ask marker.
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
        frame = Frame.of(tracker.latest_message)
        requested: Optional[str] = tracker.get_slot("requested_slot")
        found = dict(frame.situation)
        if requested and is_aside(frame, requested):
            return []  # nothing validated: the form is rejected and the aside's rule answers it
        events: List[EventType] = []
        if requested and requested not in found:
            events += self._unfitting_answer(tracker, requested, found)
        if not requested and not any(tracker.get_slot(slot) for slot in FORM_SLOTS):
            self._introduce(dispatcher, tracker, found)
        return events + [SlotSet(slot, merge(tracker.get_slot(slot), value)) for slot, value in found.items()]

    @staticmethod
    def _unfitting_answer(tracker: Tracker, requested: str, found: Dict[str, Any]) -> List[EventType]:
        """Count it; after as many as there are ways of asking, take it as "skip"."""
        attempts = dict(tracker.get_slot(ATTEMPTS_SLOT) or {})
        attempts[requested] = attempts.get(requested, 0) + 1
        if attempts[requested] >= len(ASKING):
            found[requested] = UNKNOWN
        return [SlotSet(ATTEMPTS_SLOT, attempts)]

    @staticmethod
    def _introduce(dispatcher: CollectingDispatcher, tracker: Tracker, found: Dict[str, Any]) -> None:
        """Open the form: say where things lean when the first message already told us something."""
        situation = situation_from_slots({**tracker.slots, **found})
        if leans(situation):
            path, _ = choose_path(situation)
            dispatcher.utter_message(response="utter_decision_early_lean", path=with_article(path))
        else:
            dispatcher.utter_message(response="utter_decision_intro")


class ActionExplainQuestion(Action):
    """Why the question open is asked; the form then asks it again one step plainer each time it was
    not followed (the options as buttons at the last), so no wording is put a third time."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slot = tracker.get_slot("requested_slot")
        if slot not in FORM_SLOTS:
            dispatcher.utter_message(response="utter_clarify")
            return []
        dispatcher.utter_message(response=f"utter_why_{slot}")
        attempts = dict(tracker.get_slot(ATTEMPTS_SLOT) or {})
        attempts[slot] = min(attempts.get(slot, 0) + 1, len(ASKING) - 1)
        return [SlotSet(ATTEMPTS_SLOT, attempts)]


class AskQuestion(Action, ABC):
    """Asks one question of the decision form, put as its unfitting answers so far call for."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form's slot the question fills (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        attempts = (tracker.get_slot(ATTEMPTS_SLOT) or {}).get(self.slot, 0)
        dispatcher.utter_message(response=ASKING[min(attempts, len(ASKING) - 1)].format(self.slot))
        return []


class ActionAskLearningGoal(AskQuestion):
    slot = "learning_goal"


class ActionAskCareerChange(AskQuestion):
    slot = "career_change"


class ActionAskTimeAvailable(AskQuestion):
    slot = "time_available"


class ActionAskObligations(AskQuestion):
    slot = "obligations"


class ActionAskBudget(AskQuestion):
    slot = "budget"


class ActionAskEducation(AskQuestion):
    slot = "education"


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
    """Recommends a path with reasons and trade-offs and lists fitting programs; a rule then offers a coach."""

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
        return [SlotSet(ATTEMPTS_SLOT, None)]
