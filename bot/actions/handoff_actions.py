"""Handing a conversation to a human admissions coach, relaying messages, and taking it back.

The handoff is stored before the learner is told anything, so a crash can never promise a coach
who does not have the conversation. While a handoff is open, `HandoffPolicy` routes every learner
message to `action_relay_to_coach` and the assistant stays quiet. On the website, Slack and
Telegram the coach desk delivers coach replies and the close itself, through Rasa's API
(channels/desk/delivery.py); on REST, which cannot be pushed to, they come with the learner's next
message, here.
"""
import logging
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.coaching_hours import describe_reopening
from bot.actions.program_actions import answer_if_about_a_program
from bot.actions.recommendation import situation_from_slots
from bot.actions.settings import settings
from bot.actions.situation import is_stop
from catalog_db import queries
from catalog_db.engine import get_engine
from channels.conversation_ids import can_push, channel_of, for_log
from channels.limits import TOO_LONG_MESSAGE
from handoff_db import handoffs
from handoff_db.schema import ensure_schema

logger = logging.getLogger(__name__)

def handoff_session() -> Session:
    """A session on the handoff database (HANDOFF_DB_URL, else the catalog's); its tables are
    created on first use, so the action server needs neither the desk nor `make catalog` first."""
    configured = settings()
    engine = get_engine(configured.handoff_db_url, create=configured.own_handoff_db)
    ensure_schema(engine)
    return Session(engine, future=True)


def transcript(tracker: Tracker) -> List[Tuple[str, str, datetime]]:
    """Every learner and assistant message so far, with its time."""
    lines = []
    for event in tracker.events:
        role = {"user": "learner", "bot": "bot"}.get(event.get("event"))
        if role and event.get("text"):
            at = datetime.fromtimestamp(event.get("timestamp") or 0, tz=timezone.utc)
            lines.append((role, event["text"], at))
    return lines


def is_pull_only(tracker: Tracker) -> bool:
    """Whether coach replies wait for the learner's next message: REST, and conversation IDs without a
    channel's namespace (`rasa shell`, test stories). The channel is read from the ID the server set,
    never from a request's claim."""
    return not can_push(channel_of(tracker.sender_id))


def summary(tracker: Tracker) -> Dict[str, Any]:
    """What the assistant learned, for the coach: program of interest and the decision answers."""
    found: Dict[str, Any] = {}
    slug = tracker.get_slot("program")
    if slug:
        try:
            with catalog_session() as session:
                program = queries.program_by_slug(session, slug)
            found["program of interest"] = program.name if program else slug
        except CatalogUnavailable:  # the slug still says which program
            found["program of interest"] = slug
    situation = situation_from_slots(tracker.slots)
    for label, value in (
        ("wants to learn", situation.goal),
        ("changing field", situation.career_change),
        ("hours a week", situation.hours_per_week),
        ("needs the skill within (weeks)", situation.weeks),
        ("commitments", ", ".join(situation.obligations) or None),
        ("budget (USD)", situation.budget_usd),
        ("needs financial aid", situation.needs_aid),
        ("education", situation.education),
    ):
        if value is not None:
            found[label] = value
    return found


# Why a learner reached a coach, by the offer they accepted (CoachOfferPolicy); else they asked.
OFFER_REASONS = {
    "utter_offer_coach": "accepted a coach after a recommendation",
    "utter_offer_coach_after_misunderstanding": "accepted a coach after misunderstandings",
}


def last_offer(tracker: Tracker) -> Optional[str]:
    """The response the assistant ended its previous turn with, if it was a coach offer."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            name = (event.get("metadata") or {}).get("utter_action")
            return name if name in OFFER_REASONS else None
    return None


def handoff_reason(tracker: Tracker) -> str:
    if tracker.latest_message.get("intent", {}).get("name") == "affirm":
        return OFFER_REASONS.get(last_offer(tracker) or "", "asked for a person")
    return "asked for a person"


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Stores the handoff with the whole transcript, then tells the learner what happens next."""
    try:
        with handoff_session() as session, session.begin():
            handoffs.open_handoff(
                session,
                sender_id=tracker.sender_id,
                channel=channel_of(tracker.sender_id) or "unknown",
                reason=handoff_reason(tracker),
                summary=summary(tracker),
                transcript=transcript(tracker),
            )
    except SQLAlchemyError as error:
        logger.error("could not store a handoff for %s: %s", for_log(tracker.sender_id), error.__class__.__name__)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    hours = settings().coaching_hours
    now = datetime.now(timezone.utc)
    is_open, reopens = hours.status(now)
    events: List[EventType] = [SlotSet("handoff_active", True)]
    if is_open:
        dispatcher.utter_message(response="utter_handoff_started", minutes=settings().typical_wait_minutes)
    else:
        dispatcher.utter_message(response="utter_handoff_after_hours", reopens=describe_reopening(reopens, now))
        events.append(FollowupAction("callback_form"))
    return events


class ActionHandoff(Action):
    """Hands the conversation to a coach when the learner asks or accepts the offer."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return hand_off(dispatcher, tracker)


def relay_pending_coach_messages(dispatcher: CollectingDispatcher, session: Session, sender_id: str) -> None:
    """On a channel that cannot be pushed to: the coach replies not shown yet, in order, with this turn."""
    pending = handoffs.lines_to_send(session, sender_id)
    for message in pending:
        if message.role == "coach":
            dispatcher.utter_message(response="utter_coach_message", coach=message.author or "Coach", text=message.text)
    handoffs.mark_delivered(session, [message.id for message in pending])  # a close line: said below, if at all


def wants_to_cancel(text: str) -> bool:
    return bool(re.search(r"^\s*(?:cancel|stop|never ?mind|forget it)\b.*|cancel (?:the )?(?:handoff|request)", text.lower()))


def relay_learner_messages(session, tracker: Tracker, handoff: handoffs.HandoffView) -> None:
    """Every learner message since the handoff opened that the desk does not hold yet.

    Usually only the newest; more when an earlier relay failed (the action server was down) and
    HandoffPolicy told the learner the message was kept: it is in the conversation's record. The
    desk collects the same from Rasa on its own (channels/desk/app.py), so whichever is first wins.
    """
    handoffs.record_learner_messages(
        session, handoff.id, handoffs.learner_messages(tracker.events, handoff.created_at, skip=[TOO_LONG_MESSAGE]))


class ActionRelayToCoach(Action):
    """Passes a learner's message to the coach; says nothing unless the handoff changed."""

    def name(self) -> str:
        return "action_relay_to_coach"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        pull_only = is_pull_only(tracker)
        with handoff_session() as session, session.begin():
            active = handoffs.active_handoff(session, tracker.sender_id)
            if active is None:
                if pull_only:
                    relay_pending_coach_messages(dispatcher, session, tracker.sender_id)
                dispatcher.utter_message(response="utter_handoff_ended")
                return [SlotSet("handoff_active", False)]
            relay_learner_messages(session, tracker, active)
            if wants_to_cancel(text):
                handoffs.cancel_handoff(session, active.id)
                dispatcher.utter_message(response="utter_handoff_cancelled")
                return [SlotSet("handoff_active", False)]
            if pull_only:
                relay_pending_coach_messages(dispatcher, session, tracker.sender_id)
        # Quiet on purpose, but never empty-handed: ReplyGuardPolicy reads an action that
        # left no event at all as a failure.
        return [SlotSet("handoff_active", True)]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?[\d\s().-]{7,20}")


def parse_contact(text: str) -> Optional[str]:
    """An e-mail address or a phone number with 7 to 15 digits, normalised; None otherwise."""
    email = EMAIL.search(text)
    if email:
        return email.group(0).lower()
    phone = PHONE.search(text)
    if phone and 7 <= len(re.sub(r"\D", "", phone.group(0))) <= 15:
        return re.sub(r"\s+", " ", phone.group(0).strip())
    return None


class ValidateCallbackForm(FormValidationAction):
    """Outside coaching hours: a valid e-mail or phone number for the coach to call back."""

    def name(self) -> str:
        return "validate_callback_form"

    async def extract_callback_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "callback_contact":
            return {}
        text = tracker.latest_message.get("text") or ""
        if is_stop(text) or tracker.latest_message.get("intent", {}).get("name") == "stop":
            return {}  # nothing extracted: the form gives way to the rule that cancels the request
        if re.search(r"^\s*(?:skip|no|nope|no thanks|rather not)\b", text.lower()):
            return {"callback_contact": "none given"}
        contact = parse_contact(text)
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"callback_contact": None}
        return {"callback_contact": contact}


class ActionStoreCallbackContact(Action):
    """Saves the callback contact with the open handoff."""

    def name(self) -> str:
        return "action_store_callback_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        contact = tracker.get_slot("callback_contact")
        if contact and contact != "none given":
            with handoff_session() as session, session.begin():
                active = handoffs.active_handoff(session, tracker.sender_id)
                if active is not None:
                    handoffs.set_contact(session, active.id, contact)
            dispatcher.utter_message(response="utter_callback_saved", contact=contact)
        else:
            dispatcher.utter_message(response="utter_callback_skipped")
        return []


def best_guess(parse_data: Dict[str, Any]) -> Optional[str]:
    """The classifier's likeliest intent for a message it was unsure of (nlu_fallback set aside)."""
    ranking = parse_data.get("intent_ranking") or []
    return next((entry.get("name") for entry in ranking if entry.get("name") != "nlu_fallback"), None)


def misunderstood(parse_data: Dict[str, Any]) -> bool:
    """Unsure, and not even likely off-topic: off-topic chatter is declined, never a misunderstanding."""
    return (parse_data.get("intent") or {}).get("name") == "nlu_fallback" and best_guess(parse_data) != "out_of_scope"


MISUNDERSTANDING_REPLIES = frozenset({"utter_default", "utter_offer_coach_after_misunderstanding"})


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the learner's latest messages in a row the assistant did not understand: the
    newest if the classifier was unsure of it, and before it those that got "please rephrase"."""
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
    """Asks to rephrase; after the second misunderstanding in a row it offers a coach.

    A message the classifier is unsure of but most likely off-topic gets the polite decline; one
    that names a catalog program, or asks a fact of the program just discussed, gets its answer.
    Only the learner's "yes" to the offer pages anyone (CoachOfferPolicy): a run of messages the
    assistant cannot place is no reason to call a person in unasked.
    """

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not misunderstood(tracker.latest_message):
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        answered = answer_if_about_a_program(dispatcher, tracker)  # "tell me about the communication one"
        if answered is not None:
            return answered
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_coach_after_misunderstanding")
        else:
            dispatcher.utter_message(response="utter_default")
        return []


class ActionCancelHandoff(Action):
    """Withdraws the open handoff when the learner says "cancel" at the callback question."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        with handoff_session() as session, session.begin():
            active = handoffs.active_handoff(session, tracker.sender_id)
            if active is not None:
                handoffs.cancel_handoff(session, active.id)
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return [SlotSet("handoff_active", False), SlotSet("callback_contact", None)]
