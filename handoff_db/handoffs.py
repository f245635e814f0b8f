"""Handoffs to admissions coaches: plain functions on a Session; the caller owns the transaction.

The bot's actions open handoffs and relay learner messages; the coach desk reads the queue,
claims, replies and closes. Both sides share these functions and nothing else.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from handoff_db.models import AuditEntry, Handoff, HandoffMessage

ACTIVE = ("open", "claimed")
# What became of a coach's reply (or the close that tells the learner): their platform took it, the
# desk is still trying, or it gave up (DELIVERY_RETRY_SECONDS) until the coach's next reply.
SENT, WAITING, FAILED = "sent", "waiting", "failed"
SENT_LINES = ("coach", "system")  # the roles whose lines go to the learner (a system line only for a close)
LONGEST_RETRY_WAIT = timedelta(minutes=1)


def utc(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands datetimes back without a zone; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class MessageView:
    id: int
    handoff_id: int
    role: str
    author: Optional[str]
    text: str
    created_at: datetime
    delivered: bool
    delivery_attempts: int = 0
    last_attempt_at: Optional[datetime] = None
    queued_at: Optional[datetime] = None
    delivery_failed: bool = False

    @property
    def delivery(self) -> Optional[str]:
        """SENT, WAITING or FAILED for a coach's reply and a close the learner is still to hear of; None
        for lines never sent (the learner's, the assistant's, other system lines)."""
        if self.role == "coach" or (self.role == "system" and not self.delivered):
            return SENT if self.delivered else FAILED if self.delivery_failed else WAITING
        return None

    def due(self, now: datetime) -> bool:
        """Whether the desk should try it again: 1 s after a first failed attempt, then 2, 4... up to a minute."""
        if self.last_attempt_at is None:
            return True
        wait = timedelta(seconds=2 ** min(self.delivery_attempts - 1, 6))
        return now >= self.last_attempt_at + min(wait, LONGEST_RETRY_WAIT)


@dataclass(frozen=True)
class HandoffView:
    id: int
    sender_id: str
    channel: str
    status: str
    reason: str
    summary: Dict[str, Any]
    contact: Optional[str]
    created_at: datetime
    claimed_by: Optional[str]
    closed_at: Optional[datetime]
    last_learner_message: Optional[str] = None

    @property
    def waiting_seconds(self) -> float:
        return (datetime.now(timezone.utc) - self.created_at).total_seconds()


def _view(handoff: Handoff, last_learner_message: Optional[str] = None) -> HandoffView:
    return HandoffView(
        id=handoff.id, sender_id=handoff.sender_id, channel=handoff.channel, status=handoff.status,
        reason=handoff.reason, summary=dict(handoff.summary or {}), contact=handoff.contact,
        created_at=utc(handoff.created_at), claimed_by=handoff.claimed_by, closed_at=utc(handoff.closed_at),
        last_learner_message=last_learner_message,
    )


def _message_view(message: HandoffMessage) -> MessageView:
    return MessageView(
        id=message.id, handoff_id=message.handoff_id, role=message.role, author=message.author, text=message.text,
        created_at=utc(message.created_at), delivered=message.delivered, delivery_attempts=message.delivery_attempts,
        last_attempt_at=utc(message.last_attempt_at), queued_at=utc(message.queued_at or message.created_at),
        delivery_failed=message.delivery_failed,
    )


def open_handoff(
    session: Session, *, sender_id: str, channel: str, reason: str, summary: Dict[str, Any],
    transcript: Sequence[Tuple[str, str, datetime]],
) -> HandoffView:
    """Start a handoff with the conversation so far; a learner who already has one keeps it."""
    current = session.execute(
        select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(ACTIVE))
    ).scalars().first()
    if current is not None:
        return _view(current)
    handoff = Handoff(sender_id=sender_id, channel=channel, reason=reason, summary=summary)
    handoff.messages = [HandoffMessage(role=role, text=text, created_at=at) for role, text, at in transcript]
    session.add(handoff)
    session.flush()
    return _view(handoff)


def _newest(session: Session, sender_id: str, statuses: Sequence[str]) -> Optional[HandoffView]:
    handoff = session.execute(
        select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(statuses))
        .order_by(Handoff.id.desc()).limit(1)
    ).scalars().first()
    return _view(handoff) if handoff else None


def active_handoff(session: Session, sender_id: str) -> Optional[HandoffView]:
    """The learner's open or claimed handoff."""
    return _newest(session, sender_id, ACTIVE)


def latest_handoff(session: Session, sender_id: str) -> Optional[HandoffView]:
    """The learner's newest handoff, whatever its status."""
    return _newest(session, sender_id, ("open", "claimed", "closed", "cancelled"))


def handoff_by_id(session: Session, handoff_id: int) -> Optional[HandoffView]:
    handoff = session.get(Handoff, handoff_id)
    return _view(handoff) if handoff else None


def add_message(session: Session, handoff_id: int, role: str, text: str, author: Optional[str] = None,
                for_the_learner: bool = False) -> MessageView:
    """A line of the transcript. A coach's reply is to be delivered to the learner, and a system line
    `for_the_learner` (a close) too: the desk sends them (channels/desk/delivery.py)."""
    now, to_send = datetime.now(timezone.utc), role == "coach" or for_the_learner
    message = HandoffMessage(handoff_id=handoff_id, role=role, text=text, author=author, created_at=now,
                             delivered=not to_send, queued_at=now if to_send else None)
    session.add(message)
    session.flush()
    return _message_view(message)


def learner_messages(events: Sequence[Dict[str, Any]], since: datetime,
                     skip: Sequence[str] = ()) -> List[Tuple[str, datetime]]:
    """The learner's messages among a conversation's events (Rasa's JSON) from `since` on."""
    found = []
    for event in events:
        if event.get("event") == "user" and event.get("text") and event["text"] not in skip:
            at = datetime.fromtimestamp(event.get("timestamp") or 0, tz=timezone.utc)
            if at >= since:
                found.append((event["text"], at))
    return found


def record_learner_messages(session: Session, handoff_id: int, sent: Sequence[Tuple[str, datetime]]) -> int:
    """Store the learner messages the handoff does not hold yet (the same text at the same time).

    Relaying is repeated after a failure, so it must not store a message twice; returns how many
    were new.
    """
    held = {(text, round(utc(at).timestamp(), 3)) for text, at in session.execute(
        select(HandoffMessage.text, HandoffMessage.created_at)
        .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.role == "learner"))}
    new = [(text, at) for text, at in sent if (text, round(at.timestamp(), 3)) not in held]
    session.add_all(HandoffMessage(handoff_id=handoff_id, role="learner", text=text, created_at=at) for text, at in new)
    session.flush()
    return len(new)


def messages(session: Session, handoff_id: int, after_id: int = 0) -> List[MessageView]:
    """The transcript in order, or only what came after message `after_id`."""
    rows = session.execute(
        select(HandoffMessage).where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after_id)
        .order_by(HandoffMessage.id)
    ).scalars()
    return [_message_view(row) for row in rows]


def _to_send(sender_id: str):
    """The lines for a learner that their platform has not taken, and the desk has not given up on."""
    return (select(HandoffMessage).join(Handoff, Handoff.id == HandoffMessage.handoff_id)
            .where(Handoff.sender_id == sender_id, HandoffMessage.role.in_(SENT_LINES),
                   HandoffMessage.delivered.is_(False), HandoffMessage.delivery_failed.is_(False))
            .order_by(HandoffMessage.id))


def next_to_send(session: Session, sender_id: str) -> Optional[MessageView]:
    """The oldest line still to reach the learner, across their handoffs: lines go out in order."""
    found = session.execute(_to_send(sender_id).limit(1)).scalars().first()
    return _message_view(found) if found else None


def lines_to_send(session: Session, sender_id: str) -> List[MessageView]:
    return [_message_view(row) for row in session.execute(_to_send(sender_id)).scalars()]


def due_deliveries(session: Session, channels: Sequence[str], now: Optional[datetime] = None) -> List[Tuple[str, str]]:
    """(learner, channel) of each learner on one of `channels` whose next line is due another try."""
    now = now or datetime.now(timezone.utc)
    rows = session.execute(
        select(Handoff.sender_id, Handoff.channel, HandoffMessage)
        .join(HandoffMessage, HandoffMessage.handoff_id == Handoff.id)
        .where(Handoff.channel.in_(list(channels)), HandoffMessage.role.in_(SENT_LINES),
               HandoffMessage.delivered.is_(False), HandoffMessage.delivery_failed.is_(False))
        .order_by(HandoffMessage.id))
    heads: Dict[str, Tuple[str, MessageView]] = {}
    for sender_id, channel, message in rows:
        heads.setdefault(sender_id, (channel, _message_view(message)))
    return [(sender_id, channel) for sender_id, (channel, head) in heads.items() if head.due(now)]


def mark_delivered(session: Session, message_ids: Sequence[int]) -> None:
    if message_ids:
        session.execute(update(HandoffMessage).where(HandoffMessage.id.in_(message_ids)).values(delivered=True))


def record_failed_attempt(session: Session, message_id: int, give_up: bool, now: Optional[datetime] = None) -> None:
    session.execute(update(HandoffMessage).where(HandoffMessage.id == message_id).values(
        delivery_attempts=HandoffMessage.delivery_attempts + 1, last_attempt_at=now or datetime.now(timezone.utc),
        delivery_failed=give_up))


def retry_failed(session: Session, sender_id: str) -> int:
    """The lines the desk gave up on, for this learner, tried again from now (a coach's next reply)."""
    failed = select(HandoffMessage.id).join(Handoff, Handoff.id == HandoffMessage.handoff_id).where(
        Handoff.sender_id == sender_id, HandoffMessage.delivery_failed.is_(True))
    return session.execute(update(HandoffMessage).where(HandoffMessage.id.in_(failed)).values(
        delivery_failed=False, delivery_attempts=0, last_attempt_at=None, queued_at=datetime.now(timezone.utc)),
        execution_options={"synchronize_session": False}).rowcount


def set_contact(session: Session, handoff_id: int, contact: str) -> None:
    session.execute(update(Handoff).where(Handoff.id == handoff_id).values(contact=contact))


def _finish(session: Session, handoff_id: int, status: str) -> bool:
    """Ends an open or claimed handoff; False when it had ended already."""
    return bool(session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status.in_(ACTIVE))
        .values(status=status, closed_at=datetime.now(timezone.utc))
    ).rowcount)


def cancel_handoff(session: Session, handoff_id: int) -> None:
    """The learner changed their mind."""
    if _finish(session, handoff_id, "cancelled"):
        add_message(session, handoff_id, "system", "The learner cancelled the request for a coach.")


def claim_handoff(session: Session, handoff_id: int, coach: str) -> bool:
    """Claim an open handoff; False when it is not open (another coach was first, or it ended)."""
    claimed = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status == "open")
        .values(status="claimed", claimed_by=coach, claimed_at=datetime.now(timezone.utc))
    ).rowcount
    if claimed:
        audit(session, coach, "claim", handoff_id)
    return bool(claimed)


def may_act_on(handoff: HandoffView, coach: str, admin: bool) -> bool:
    """Whether a coach may reply to or close a handoff: anyone while nobody claimed it, then only the
    coach who claimed it, and admins always."""
    return handoff.claimed_by in (None, coach) or admin


def reassign_handoff(session: Session, handoff_id: int, to_coach: str, admin: str) -> bool:
    """An admin gives an open or claimed handoff to a coach; False when it has ended."""
    moved = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status.in_(ACTIVE))
        .values(status="claimed", claimed_by=to_coach, claimed_at=datetime.now(timezone.utc))
    ).rowcount
    if moved:
        audit(session, admin, f"reassign to {to_coach}"[:100], handoff_id)
    return bool(moved)


def close_handoff(session: Session, handoff_id: int, coach: str) -> bool:
    """Close this handoff (and no other); False, and nothing done, when it had ended already. The
    learner is told by a line the desk delivers after the coach's replies."""
    if not _finish(session, handoff_id, "closed"):
        return False
    add_message(session, handoff_id, "system", f"{coach} closed the conversation.", for_the_learner=True)
    audit(session, coach, "close", handoff_id)
    return True


def queue(session: Session) -> List[HandoffView]:
    """Open and claimed handoffs, the longest waiting first, with the newest learner message."""
    handoffs = session.execute(
        select(Handoff).where(Handoff.status.in_(ACTIVE)).order_by(Handoff.created_at, Handoff.id)
    ).scalars().all()
    views = []
    for handoff in handoffs:
        last = session.execute(
            select(HandoffMessage.text).where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.role == "learner")
            .order_by(HandoffMessage.id.desc()).limit(1)
        ).scalar()
        views.append(_view(handoff, last))
    return views


def unannounced(session: Session) -> List[HandoffView]:
    """Handoffs the coaches' Slack channel has not heard about yet."""
    rows = session.execute(select(Handoff).where(Handoff.announced.is_(False)).order_by(Handoff.id)).scalars()
    return [_view(row) for row in rows]


def mark_announced(session: Session, handoff_id: int) -> None:
    session.execute(update(Handoff).where(Handoff.id == handoff_id).values(announced=True))


def close_abandoned(session: Session, idle_days: int, now: Optional[datetime] = None) -> int:
    """Close open or claimed handoffs with no message for `idle_days`: they then age out like any other."""
    now = now or datetime.now(timezone.utc)
    latest = (select(HandoffMessage.handoff_id, func.max(HandoffMessage.created_at).label("at"))
              .group_by(HandoffMessage.handoff_id).subquery())
    idle = session.execute(
        select(Handoff.id).outerjoin(latest, latest.c.handoff_id == Handoff.id)
        .where(Handoff.status.in_(ACTIVE), func.coalesce(latest.c.at, Handoff.created_at) < now - timedelta(days=idle_days))
    ).scalars().all()
    for handoff_id in idle:
        _finish(session, handoff_id, "closed")
        add_message(session, handoff_id, "system", f"Closed automatically: no message for {idle_days} days.")
    return len(idle)


def purge_closed(session: Session, older_than_days: int, now: Optional[datetime] = None) -> int:
    """Delete closed and cancelled handoffs, with their transcripts, finished before the cut-off."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
    old = select(Handoff.id).where(Handoff.status.in_(("closed", "cancelled")), Handoff.closed_at < cutoff)
    ids = list(session.execute(old).scalars())
    if ids:
        session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids)))
        session.execute(delete(Handoff).where(Handoff.id.in_(ids)))
    return len(ids)


def audit(session: Session, coach: str, action: str, handoff_id: Optional[int] = None) -> None:
    session.add(AuditEntry(coach=coach, action=action, handoff_id=handoff_id))
