"""Folds Rasa's events, in the order Rasa stored them, into one row per conversation, per message and
per answer offered for rating (with the learner's thumbs up or down, channels/ratings.py).

Incremental: each run reads the events after the last one it folded, so the desk keeps up with a
few milliseconds of work every few seconds; a store that was replaced or emptied is read afresh.
The names below are the domain's (bot/domain/*.yml); tests/analytics check they still exist.
"""
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Dict, Iterable, Optional, Set, Tuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from zoneinfo import ZoneInfo

from channels.desk.analytics import tracker_events
from channels.desk.analytics.models import (
    Base,
    ConversationSummary,
    MessageSummary,
    RatingSummary,
    ReviewLabel,
    SenderPointer,
    SummaryProgress,
)
from channels.desk.analytics.review import UNHELPFUL, text_key
from channels.ratings import is_rating_offer, rating_of

# What became of a learner message, from the response the assistant gave it; a turn that also
# apologised for not understanding counts as misunderstood, whatever else it said.
RESPONSE_OUTCOMES = {
    "utter_default": "misunderstood",
    "utter_offer_coach_after_misunderstanding": "misunderstood",
    "utter_out_of_scope": "off_topic",
    "utter_english_only": "other_language",
    "utter_technical_problem": "failed",
}
# channels/outbox.py notes in an `agent` event how many replies Slack or Telegram never took: a technical
# problem of the conversation, counted as one more failed message (tests/analytics check the name).
UNDELIVERED_REPLIES = "undelivered_replies"
OUTCOME_RANK = {"answered": 0, "low_confidence": 1, "failed": 2, "other_language": 3, "off_topic": 4,
                "misunderstood": 5}
COUNTED = ("misunderstood", "off_topic", "other_language", "low_confidence", "failed")  # a column each
REVIEWED = ("misunderstood", "off_topic", "low_confidence", UNHELPFUL)  # what the review queue shows
# Answered, but below this confidence (intent, or the FAQ answer chosen) it was a guess.
LOW_CONFIDENCE = 0.6

ASKED = "asked for a person"
OFFER_REASONS = {"utter_offer_coach": "after a recommendation",
                 "utter_offer_coach_after_misunderstanding": "after misunderstandings"}
HANDOFF_REASONS = (ASKED, "after misunderstandings", "after a recommendation")
HANDOFF_ACTION = "action_handoff"
RECOMMENDATIONS = ("utter_recommendation", "utter_recommendation_no_programs")
AFTER_HOURS = "utter_handoff_after_hours"
CALLBACK_SAVED = "utter_callback_saved"
FAQ_PREFIX = "utter_faq_"
QUESTIONNAIRE_FORM = "decision_form"
QUESTIONNAIRE_SLOTS = ("learning_goal", "career_change", "time_available", "obligations", "budget", "education")
READ_SLOTS = ("handoff_active", "program", *QUESTIONNAIRE_SLOTS)

BATCH = 2000


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def _day(timestamp: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(timestamp, zone).date()


def _path_name(path: Optional[str]) -> Optional[str]:
    """ "a micro-credential" -> "micro-credential"."""
    if not path:
        return None
    for article in ("a ", "an "):
        if path.startswith(article):
            return path[len(article):]
    return path


@dataclass(frozen=True)
class _UserMessage:
    text: str
    channel: Optional[str]
    intent: Optional[str]
    confidence: Optional[float]


def _user_message(data: dict) -> _UserMessage:
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    return _UserMessage(text=data.get("text") or "", channel=data.get("input_channel"), intent=intent.get("name"),
                        confidence=intent.get("confidence"))


class Fold:
    """Applies events to the conversations they belong to, inside one transaction of the desk database."""

    def __init__(self, session: Session, zone: ZoneInfo):
        self.session, self.zone = session, zone
        self.pointers: Dict[str, SenderPointer] = {}
        self.conversations: Dict[str, ConversationSummary] = {}
        self.messages: Dict[int, MessageSummary] = {}
        self.offers: Dict[str, RatingSummary] = {}  # each learner's latest answer offered for rating

    def load(self, senders: Iterable[str]) -> None:
        """Fetch where each of these learners' conversations stands."""
        wanted = [s for s in set(senders) if s not in self.pointers]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            pointers = self.session.execute(select(SenderPointer).where(SenderPointer.sender_id.in_(chunk))).scalars()
            self.pointers.update({p.sender_id: p for p in pointers})
        ids = [self.pointers[s].conversation_id for s in wanted if s in self.pointers]
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(ConversationSummary).where(ConversationSummary.id.in_(ids[start:start + 500]))).scalars()
            self.conversations.update({row.sender_id: row for row in rows})

    def apply(self, event: tracker_events.Event) -> None:
        conversation = self.conversations.get(event.sender_id)
        # Rasa starts a session after an hour of silence; one that spent it waiting for a coach goes on.
        if conversation is None or (event.type_name == "session_started" and conversation.learner_messages
                                    and not conversation.handoff_active):
            conversation = self._start(event)
        conversation.last_event_id = event.id
        kind = event.type_name
        if kind == "user":
            self._user(conversation, event)
        elif kind == "bot":
            self._bot(conversation, event)
        elif kind == "action":
            conversation.last_action = event.action_name
            if event.action_name == "action_listen":  # the turn is over
                conversation.open_message_id, conversation.open_offer = None, None
        elif kind == "active_loop":
            conversation.active_loop = event.action_name
            if event.action_name == QUESTIONNAIRE_FORM and conversation.questionnaire_slots is None:
                conversation.questionnaire_slots = ""
        elif kind == "slot":
            self._slot(conversation, event)
        elif kind == "agent" and (event.data.get("data") or {}).get(UNDELIVERED_REPLIES):
            self._count(conversation, "failed", +1)

    def _start(self, event: tracker_events.Event) -> ConversationSummary:
        conversation = ConversationSummary(
            id=event.id, sender_id=event.sender_id, started_at=event.timestamp, day=_day(event.timestamp, self.zone),
            last_event_id=event.id, learner_messages=0, misunderstood=0, off_topic=0, other_language=0,
            low_confidence=0, failed=0, after_hours=False, callback=False, handoff_active=False)
        self.session.add(conversation)
        self.conversations[event.sender_id] = conversation
        pointer = self.pointers.get(event.sender_id)
        if pointer is None:
            pointer = self.pointers[event.sender_id] = SenderPointer(sender_id=event.sender_id)
            self.session.add(pointer)
        pointer.conversation_id = conversation.id
        return conversation

    def _open_message(self, conversation: ConversationSummary) -> Optional[MessageSummary]:
        message_id = conversation.open_message_id
        if message_id is None:
            return None
        if message_id not in self.messages:
            found = self.session.get(MessageSummary, message_id)
            if found is None:  # purged meanwhile
                return None
            self.messages[message_id] = found
        return self.messages[message_id]

    def _user(self, conversation: ConversationSummary, event: tracker_events.Event) -> None:
        rating = rating_of(event.data.get("parse_data") or {})
        if rating is not None:  # a tap on the rating buttons: a rating of the answer, not a message
            self._rate(event, rating)
            conversation.open_message_id, conversation.open_offer = None, None
            return
        said = _user_message(event.data)
        if conversation.channel is None:
            conversation.channel = (said.channel or "unknown")[:40]
        conversation.learner_messages += 1
        if conversation.handoff_active:
            outcome = "relayed"  # the coach answers it, not the assistant
        elif (said.confidence is not None and said.confidence < LOW_CONFIDENCE and conversation.active_loop is None
              and not said.text.startswith("/")):  # forms check their own answers; buttons are sure
            outcome = "low_confidence"
        else:
            outcome = "answered"
        message = MessageSummary(
            id=event.id, conversation_id=conversation.id, at=event.timestamp, day=_day(event.timestamp, self.zone),
            intent=(said.intent or "")[:100] or None, confidence=said.confidence, outcome=outcome,
            text_key=text_key(said.text))
        self.session.add(message)
        self.messages[event.id] = message
        self._count(conversation, outcome, +1)
        conversation.open_message_id = event.id
        conversation.open_offer = conversation.last_bot if conversation.last_bot in OFFER_REASONS else None

    def _offer(self, conversation: ConversationSummary, message: MessageSummary, event: tracker_events.Event) -> None:
        offer = self.session.get(RatingSummary, message.id) or RatingSummary(message_id=message.id)
        offer.conversation_id, offer.answer_event_id = conversation.id, event.id
        self.session.add(offer)
        self.offers[conversation.sender_id] = offer

    def _rate(self, event: tracker_events.Event, value: str) -> None:
        """The learner's tap rates the newest answer offered to them (in an earlier session too)."""
        offer = self.offers.get(event.sender_id)
        if offer is None:
            self.session.flush()
            offer = self.session.execute(
                select(RatingSummary).join(ConversationSummary, ConversationSummary.id == RatingSummary.conversation_id)
                .where(ConversationSummary.sender_id == event.sender_id)
                .order_by(RatingSummary.message_id.desc()).limit(1)).scalars().first()
        if offer is None:  # past retention, or a tap on buttons the store never held
            return
        self.offers[event.sender_id] = offer
        offer.value, offer.rated_at, offer.day = value, event.timestamp, _day(event.timestamp, self.zone)

    def _count(self, conversation: ConversationSummary, outcome: str, step: int) -> None:
        if outcome in COUNTED:
            setattr(conversation, outcome, getattr(conversation, outcome) + step)

    def _bot(self, conversation: ConversationSummary, event: tracker_events.Event) -> None:
        metadata = event.data.get("metadata") or {}
        response = metadata.get("utter_action") or ""
        conversation.last_bot = response[:100] or None
        message = self._open_message(conversation)
        outcome = RESPONSE_OUTCOMES.get(response)
        if message is not None and outcome and message.outcome != "relayed" \
                and OUTCOME_RANK[outcome] > OUTCOME_RANK[message.outcome]:
            self._count(conversation, message.outcome, -1)
            self._count(conversation, outcome, +1)
            message.outcome = outcome
        if message is not None and response.startswith(FAQ_PREFIX):
            message.faq_topic = response[len(FAQ_PREFIX):][:100]
        if message is not None and message.outcome != "relayed" and \
                is_rating_offer((event.data.get("data") or {}).get("buttons")):
            self._offer(conversation, message, event)
        if response in RECOMMENDATIONS:
            conversation.recommended_path = (_path_name(metadata.get("path")) or "unknown")[:60]
            if conversation.questionnaire_slots is None:  # answered everything in one message
                conversation.questionnaire_slots = ""
        elif response == AFTER_HOURS:
            conversation.after_hours = True
        elif response == CALLBACK_SAVED:
            conversation.callback = True

    def _slot(self, conversation: ConversationSummary, event: tracker_events.Event) -> None:
        name, value = event.action_name, event.data.get("value")
        if name == "handoff_active":
            # Set at the handoff, but also on every relayed message and when a new session carries it over.
            if value is True and conversation.last_action == HANDOFF_ACTION and conversation.handoff_reason is None:
                message = self._open_message(conversation)
                accepted_offer = message is not None and message.intent == "affirm" and conversation.open_offer
                conversation.handoff_reason = OFFER_REASONS[conversation.open_offer] if accepted_offer else ASKED
            conversation.handoff_active = value is True
        elif name == "program" and value:
            message = self._open_message(conversation)
            if message is not None:
                message.program = str(value)[:100]
        elif name in QUESTIONNAIRE_SLOTS and value is not None and conversation.active_loop == QUESTIONNAIRE_FORM:
            answered: Set[str] = set(filter(None, (conversation.questionnaire_slots or "").split(",")))
            conversation.questionnaire_slots = ",".join(sorted(answered | {name}))


def describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)[:300]


def _progress(session: Session, tracker: Engine, newest: int) -> SummaryProgress:
    """Where the summary stands; cleared when the tracker store is another or was emptied."""
    progress = session.get(SummaryProgress, 1)
    if progress is None:
        progress = SummaryProgress(id=1, tracker=describe(tracker), last_event_id=0)
        session.add(progress)
    elif progress.tracker != describe(tracker) or newest < progress.last_event_id:
        for table in (RatingSummary, MessageSummary, ConversationSummary, SenderPointer):
            session.execute(delete(table))
        progress.tracker, progress.last_event_id = describe(tracker), 0
    return progress


def update(desk: Engine, tracker: Engine, zone: ZoneInfo, batch: int = BATCH, limit: Optional[int] = None) -> int:
    """Fold the events stored since the last run, one committed batch at a time; returns how many."""
    if not tracker_events.has_events(tracker):
        return 0
    done = 0
    while limit is None or done < limit:
        with Session(desk, future=True) as session, session.begin(), tracker.connect() as connection:
            progress = _progress(session, tracker, tracker_events.last_id(connection))
            events = tracker_events.read_after(connection, progress.last_event_id, batch, READ_SLOTS)
            if not events:
                break
            fold = Fold(session, zone)
            fold.load(event.sender_id for event in events)
            for event in events:
                fold.apply(event)
            progress.last_event_id = events[-1].id
        done += len(events)
    return done


class Updater:
    """One update at a time, whether the background round or a page asked for it."""

    def __init__(self, desk: Engine, tracker: Engine, zone: ZoneInfo):
        self.desk, self.tracker, self.zone = desk, tracker, zone
        self._lock = threading.Lock()

    def __call__(self, limit: Optional[int] = None, timeout: Optional[float] = None) -> int:
        """Fold up to `limit` new events; with a `timeout`, give up (returning 0) when another update holds
        on longer than that."""
        if not self._lock.acquire(timeout=-1 if timeout is None else timeout):
            return 0
        try:
            return update(self.desk, self.tracker, self.zone, limit=limit)
        finally:
            self._lock.release()


def purge(session: Session, tracker: Engine, older_than_days: int, now: float) -> Tuple[int, int]:
    """The retention limit: delete Rasa's events, conversations, messages and labels older than it.

    Returns (events deleted, conversations deleted).
    """
    cutoff = now - older_than_days * 86400
    removed = 0
    if tracker_events.has_events(tracker):  # first, and committed: it may be the same SQLite file
        with tracker.begin() as connection:
            removed = tracker_events.purge_before(connection, cutoff)
    old = select(ConversationSummary.id).where(ConversationSummary.started_at < cutoff)
    unsynchronized = {"synchronize_session": False}  # nothing of these is loaded in the session
    session.execute(delete(RatingSummary).where(RatingSummary.conversation_id.in_(old)),
                    execution_options=unsynchronized)
    session.execute(delete(MessageSummary).where(MessageSummary.conversation_id.in_(old)),
                    execution_options=unsynchronized)
    conversations = session.execute(delete(ConversationSummary).where(ConversationSummary.started_at < cutoff),
                                    execution_options=unsynchronized).rowcount
    session.execute(delete(SenderPointer).where(SenderPointer.conversation_id.not_in(select(ConversationSummary.id))),
                    execution_options=unsynchronized)
    session.execute(delete(ReviewLabel).where(ReviewLabel.labelled_at < cutoff), execution_options=unsynchronized)
    return removed, conversations



def purge_expired(desk: Engine, tracker: Engine, older_than_days: int) -> Tuple[int, int]:
    """`purge` now, in a transaction of its own."""
    create_schema(desk)
    with Session(desk, future=True) as session, session.begin():
        return purge(session, tracker, older_than_days, time.time())
