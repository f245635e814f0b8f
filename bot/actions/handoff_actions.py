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
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.coaching_hours import describe_reopening
from bot.actions.handoff_summary import build_summary
from bot.actions.settings import settings
from bot.understanding.situation import is_stop
from catalog_db import queries
from catalog_db.engine import get_engine
from channels.conversation_ids import can_push, channel_of, for_log
from channels.limits import TOO_LONG_MESSAGE
from handoff_db import desk_access, handoffs
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
    """Every learner and assistant message so far, with its time, as the learner saw them."""
    return handoffs.conversation_lines(tracker.events)


def is_pull_only(tracker: Tracker) -> bool:
    """Whether coach replies wait for the learner's next message: REST, and conversation IDs without a
    channel's namespace (`rasa shell`, test stories). The channel is read from the ID the server set,
    never from a request's claim."""
    return not can_push(channel_of(tracker.sender_id))


def program_names(slugs: Sequence[str]) -> Dict[str, str]:
    """The catalog's names of these programs; none when the catalog cannot be read (the slugs still say which)."""
    try:
        with catalog_session() as session:
            found = (queries.program_by_slug(session, slug) for slug in dict.fromkeys(slugs))
            return {program.slug: program.name for program in found if program}
    except CatalogUnavailable:
        return {}


def summary(tracker: Tracker) -> Dict[str, Any]:
    """What the assistant learned, for the coach (bot/actions/handoff_summary.py)."""
    return build_summary(tracker.events, tracker.slots, program_names)


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
    handoff_summary = summary(tracker)  # the catalog is read before the handoff's transaction starts
    try:
        with handoff_session() as session, session.begin():
            handoffs.open_handoff(
                session,
                sender_id=tracker.sender_id,
                channel=channel_of(tracker.sender_id) or "unknown",
                reason=handoff_reason(tracker),
                summary=handoff_summary,
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


# What the learner hears of each kind of line the desk has for them (a close is said by the relay itself).
PENDING_RESPONSES = {"coach": "utter_coach_message", "joined": "utter_coach_joined", "reopened": "utter_handoff_reopened"}


def relay_pending_coach_messages(dispatcher: CollectingDispatcher, session: Session, sender_id: str) -> None:
    """On a channel that cannot be pushed to: the coach's lines not shown yet, in order, with this turn."""
    pending = handoffs.lines_to_send(session, sender_id)
    for message in pending:
        response = PENDING_RESPONSES.get(message.notice or message.role)
        if response:
            dispatcher.utter_message(response=response, coach=desk_access.display_name(session, message.author),
                                     text=message.text)
    handoffs.mark_delivered(session, [message.id for message in pending])


ACKNOWLEDGE_EVERY = 3  # learner messages to a coach: the first gets "sent to your coach", then every third
# The assistant's lines after which the learner knows their messages reach the coach.
ACKNOWLEDGING = ("utter_sent_to_coach", "utter_coach_message", "utter_coach_joined")


def needs_acknowledgement(tracker: Tracker) -> bool:
    """Whether this message to the coach gets "sent to your coach": not when one of the learner's
    last few messages got it, or the coach has just spoken (a reply, joining)."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen += 1
            if seen > ACKNOWLEDGE_EVERY - 1:
                return True
        elif event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in ACKNOWLEDGING:
            return False
    return True


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
    """Passes a learner's message to the coach; says "sent to your coach" once every few messages, and
    what changed if the handoff did."""

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
        if needs_acknowledgement(tracker):
            dispatcher.utter_message(response="utter_sent_to_coach")
        # Never empty-handed: ReplyGuardPolicy reads an action that left no event at all as a failure.
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
