"""Handoffs to admissions coaches: plain functions on a Session; the caller owns the transaction.

The bot's actions open handoffs and relay learner messages; the coach desk reads the queue,
claims, replies and closes. Both sides share these functions and nothing else.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from handoff_db.models import OUTCOMES, AuditEntry, Coach, Handoff, HandoffMessage, HandoffNote

ACTIVE = ("open", "claimed")
# What became of a coach's reply (or the close that tells the learner): their platform took it, the
# desk is still trying, or it gave up (DELIVERY_RETRY_SECONDS) until the coach's next reply.
SENT, WAITING, FAILED = "sent", "waiting", "failed"
SENT_LINES = ("coach", "system")  # the roles whose lines go to the learner (a system line only for a close)
LONGEST_RETRY_WAIT = timedelta(minutes=1)
REOPEN_WITHIN = timedelta(days=1)  # a closed handoff can be reopened this long after its close
# The channels as coaches know them (the conversation ID's input channel names).
CHANNEL_NAMES = {"socketio": "website", "slack": "Slack", "telegram": "Telegram", "rest": "API"}
PAGE_SIZE = 50


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
    notice: Optional[str] = None

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
    outcome: Optional[str] = None

    @property
    def waiting_seconds(self) -> float:
        return (datetime.now(timezone.utc) - self.created_at).total_seconds()

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES.get(self.channel, self.channel)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def reopenable(self, now: Optional[datetime] = None) -> bool:
        """Closed by a coach less than REOPEN_WITHIN ago (a learner's cancel is theirs to undo)."""
        return (self.status == "closed" and self.closed_at is not None
                and (now or datetime.now(timezone.utc)) - self.closed_at < REOPEN_WITHIN)


def _view(handoff: Handoff, last_learner_message: Optional[str] = None) -> HandoffView:
    return HandoffView(
        id=handoff.id, sender_id=handoff.sender_id, channel=handoff.channel, status=handoff.status,
        reason=handoff.reason, summary=dict(handoff.summary or {}), contact=handoff.contact,
        created_at=utc(handoff.created_at), claimed_by=handoff.claimed_by, closed_at=utc(handoff.closed_at),
        last_learner_message=last_learner_message, outcome=handoff.outcome,
    )


def _message_view(message: HandoffMessage) -> MessageView:
    return MessageView(
        id=message.id, handoff_id=message.handoff_id, role=message.role, author=message.author, text=message.text,
        created_at=utc(message.created_at), delivered=message.delivered, delivery_attempts=message.delivery_attempts,
        last_attempt_at=utc(message.last_attempt_at), queued_at=utc(message.queued_at or message.created_at),
        delivery_failed=message.delivery_failed, notice=message.notice,
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
    named = [summary.get("program"), *(summary.get("other_programs") or ())]
    handoff = Handoff(sender_id=sender_id, channel=channel, reason=reason, summary=summary,
                      programs="; ".join(name for name in named if name) or None)
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
    """As stored now, even after this session's own bulk updates (claim, assign, close…)."""
    handoff = session.get(Handoff, handoff_id, populate_existing=True)
    return _view(handoff) if handoff else None


def add_message(session: Session, handoff_id: int, role: str, text: str, author: Optional[str] = None,
                notice: Optional[str] = None) -> MessageView:
    """A line of the transcript. A coach's reply is to be delivered to the learner, and a system line
    with a `notice` for them (closed, joined, reopened) too: the desk sends them (channels/desk/delivery.py)."""
    now, to_send = datetime.now(timezone.utc), role == "coach" or notice is not None
    message = HandoffMessage(handoff_id=handoff_id, role=role, text=text, author=author, created_at=now,
                             delivered=not to_send, queued_at=now if to_send else None, notice=notice)
    session.add(message)
    session.flush()
    return _message_view(message)


def _button_title(events: Sequence[Dict[str, Any]], index: int, payload: str) -> Optional[str]:
    """The title of the button that sent `payload`, on the newest assistant message before event `index`."""
    for event in reversed(events[:index]):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return next((b.get("title") for b in buttons if b.get("payload") == payload), None)
    return None


def conversation_lines(events: Sequence[Dict[str, Any]], since: Optional[datetime] = None,
                       roles: Sequence[str] = ("learner", "bot"), skip: Sequence[str] = ()) -> List[Tuple[str, str, datetime]]:
    """The conversation as people saw it, from a conversation's events (Rasa's JSON): (role, text, time).

    A button's payload (`/affirm`) reads as the button's title, as the widget shows it; a payload
    no button sent (the widget's opening `/greet`, a menu's `/human_handoff`) is left out, as is
    anything in `skip`."""
    found = []
    for index, event in enumerate(events):
        role = {"user": "learner", "bot": "bot"}.get(event.get("event"))
        text = event.get("text")
        if role not in roles or not text or text in skip:
            continue
        if role == "learner" and text.startswith("/"):
            text = _button_title(events, index, text)
            if not text:
                continue
        at = datetime.fromtimestamp(event.get("timestamp") or 0, tz=timezone.utc)
        if since is None or at >= since:
            found.append((role, text, at))
    return found


def learner_messages(events: Sequence[Dict[str, Any]], since: datetime,
                     skip: Sequence[str] = ()) -> List[Tuple[str, datetime]]:
    """The learner's messages among a conversation's events (Rasa's JSON) from `since` on."""
    return [(text, at) for _, text, at in conversation_lines(events, since, roles=("learner",), skip=skip)]


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


def _coach_joins(session: Session, handoff_id: int, coach: str) -> None:
    """The learner is told a coach joined (by the desk, in the assistant's words)."""
    add_message(session, handoff_id, "system", f"{coach} joined the conversation.", author=coach, notice="joined")


def claim_handoff(session: Session, handoff_id: int, coach: str) -> bool:
    """Claim an open handoff; False when it is not open (another coach was first, or it ended)."""
    claimed = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status == "open")
        .values(status="claimed", claimed_by=coach, claimed_at=datetime.now(timezone.utc))
    ).rowcount
    if claimed:
        _coach_joins(session, handoff_id, coach)
        audit(session, coach, "claim", handoff_id)
    return bool(claimed)


def may_act_on(handoff: HandoffView, coach: str, admin: bool) -> bool:
    """Whether a coach may reply to, close or assign a handoff: anyone while nobody claimed it, then
    only the coach who claimed it, and admins always."""
    return handoff.claimed_by in (None, coach) or admin


def assign_handoff(session: Session, handoff: HandoffView, to_coach: str, by: str) -> bool:
    """Give an open or claimed handoff to a coach (the caller checked `may_act_on` and that the coach
    is active); False when it has ended. The learner hears that the new coach joined."""
    moved = session.execute(
        update(Handoff).where(Handoff.id == handoff.id, Handoff.status.in_(ACTIVE))
        .values(status="claimed", claimed_by=to_coach, claimed_at=datetime.now(timezone.utc))
    ).rowcount
    if moved:
        if handoff.claimed_by != to_coach:
            _coach_joins(session, handoff.id, to_coach)
        audit(session, by, f"assign to {to_coach}"[:100], handoff.id)
    return bool(moved)


def awaiting_answer(session: Session, handoff_id: int) -> bool:
    """Whether the learner spoke last: closing now would leave their message unanswered."""
    last = session.execute(
        select(HandoffMessage.role).where(HandoffMessage.handoff_id == handoff_id,
                                          HandoffMessage.role.in_(("learner", "coach", "bot")))
        .order_by(HandoffMessage.id.desc()).limit(1)).scalar()
    return last == "learner"


def close_handoff(session: Session, handoff_id: int, coach: str, outcome: str) -> bool:
    """Close this handoff (and no other) with its wrap-up reason; False, and nothing done, when it had
    ended already. The learner is told by a line the desk delivers after the coach's replies."""
    if outcome not in OUTCOMES:
        raise ValueError(f"a handoff's outcome is one of {', '.join(OUTCOMES)}")
    if not _finish(session, handoff_id, "closed"):
        return False
    session.execute(update(Handoff).where(Handoff.id == handoff_id).values(outcome=outcome))
    add_message(session, handoff_id, "system", f"{coach} closed the conversation ({outcome.replace('_', ' ')}).",
                author=coach, notice="closed")
    audit(session, coach, f"close ({outcome})", handoff_id)
    return True


def reopen_handoff(session: Session, handoff: HandoffView, coach: str, now: Optional[datetime] = None) -> Optional[str]:
    """Reopen a handoff a coach closed less than a day ago, claimed by `coach`; None when done, else why not.

    The learner is back with the coach (the desk tells them); not while they have a newer handoff.
    """
    now = now or datetime.now(timezone.utc)
    if not handoff.reopenable(now):
        return "Only a handoff a coach closed less than a day ago can be reopened."
    if active_handoff(session, handoff.sender_id) is not None:
        return "The learner has a newer handoff open: continue there."
    reopened = session.execute(
        update(Handoff).where(Handoff.id == handoff.id, Handoff.status == "closed")
        .values(status="claimed", claimed_by=coach, claimed_at=now, closed_at=None, outcome=None)).rowcount
    if not reopened:
        return "This handoff changed meanwhile: reload the page."
    add_message(session, handoff.id, "system", f"{coach} reopened the conversation.", author=coach, notice="reopened")
    audit(session, coach, "reopen", handoff.id)
    return None


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    text: str
    created_at: datetime


def add_note(session: Session, handoff_id: int, coach: str, text: str) -> None:
    """An internal note: for coaches only, never part of what is sent to the learner."""
    session.add(HandoffNote(handoff_id=handoff_id, author=coach, text=text, created_at=datetime.now(timezone.utc)))
    audit(session, coach, "note", handoff_id)


def notes(session: Session, handoff_id: int) -> List[NoteView]:
    rows = session.execute(select(HandoffNote).where(HandoffNote.handoff_id == handoff_id)
                           .order_by(HandoffNote.id)).scalars()
    return [NoteView(id=row.id, author=row.author, text=row.text, created_at=utc(row.created_at)) for row in rows]


def _with_last_learner_message(session: Session, query) -> List[HandoffView]:
    """The handoffs `query` selects, each with its newest learner message: two queries, whatever the count."""
    found = session.execute(query).scalars().all()
    if not found:
        return []
    newest = (select(func.max(HandoffMessage.id))
              .where(HandoffMessage.handoff_id.in_([h.id for h in found]), HandoffMessage.role == "learner")
              .group_by(HandoffMessage.handoff_id))
    last = dict(session.execute(select(HandoffMessage.handoff_id, HandoffMessage.text)
                                .where(HandoffMessage.id.in_(newest))).all())
    return [_view(handoff, last.get(handoff.id)) for handoff in found]


def queue(session: Session, limit: Optional[int] = None) -> List[HandoffView]:
    """Open and claimed handoffs, the longest waiting first, with the newest learner message."""
    query = select(Handoff).where(Handoff.status.in_(ACTIVE)).order_by(Handoff.created_at, Handoff.id)
    return _with_last_learner_message(session, query.limit(limit) if limit else query)


def queue_size(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Handoff).where(Handoff.status.in_(ACTIVE))).scalar_one()


@dataclass(frozen=True)
class Search:
    """What a coach looks for: words (in what learners wrote, a coach's name, a program), and filters."""

    words: str = ""
    channel: str = ""
    status: str = ""  # "active" (open or claimed) or one status
    coach: str = ""
    since: Optional[datetime] = None  # created at or after (UTC)
    until: Optional[datetime] = None  # created before (UTC)


def _like(words: str) -> str:
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, wanted: Search, page: int = 1) -> Tuple[List[HandoffView], int]:
    """Open and closed handoffs matching `wanted`, newest first, a page at a time; and how many match."""
    conditions = []
    if wanted.words.strip():
        pattern = _like(wanted.words.strip())
        said = select(HandoffMessage.handoff_id).where(
            HandoffMessage.role == "learner", func.lower(HandoffMessage.text).like(pattern, escape="\\"))
        conditions.append(or_(Handoff.id.in_(said), func.lower(Handoff.claimed_by).like(pattern, escape="\\"),
                              func.lower(Handoff.programs).like(pattern, escape="\\")))
    if wanted.channel:
        conditions.append(Handoff.channel == wanted.channel)
    if wanted.status == "active":
        conditions.append(Handoff.status.in_(ACTIVE))
    elif wanted.status:
        conditions.append(Handoff.status == wanted.status)
    if wanted.coach:
        conditions.append(Handoff.claimed_by == wanted.coach)
    if wanted.since:
        conditions.append(Handoff.created_at >= wanted.since)
    if wanted.until:
        conditions.append(Handoff.created_at < wanted.until)
    total = session.execute(select(func.count()).select_from(Handoff).where(*conditions)).scalar_one()
    query = (select(Handoff).where(*conditions).order_by(Handoff.created_at.desc(), Handoff.id.desc())
             .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return _with_last_learner_message(session, query), total


@dataclass(frozen=True)
class Alerts:
    """What a coach's desk has not alerted them to yet: new handoffs, and new messages from learners
    whose handoffs they claimed; with the newest IDs, where the desk's next look starts."""

    new_handoffs: List[HandoffView]
    learner_writes: List[Tuple[int, str]]  # (handoff, first line of the message)
    last_handoff_id: int
    last_message_id: int


def newest_ids(session: Session) -> Tuple[int, int]:
    """The newest handoff's and transcript line's IDs: where a page's alerts start."""
    return (session.execute(select(func.max(Handoff.id))).scalar() or 0,
            session.execute(select(func.max(HandoffMessage.id))).scalar() or 0)


def alerts(session: Session, coach: str, after_handoff_id: int, after_message_id: int) -> Alerts:
    newest_handoff, newest_message = newest_ids(session)
    new = session.execute(select(Handoff).where(Handoff.id > after_handoff_id, Handoff.status.in_(ACTIVE))
                          .order_by(Handoff.id).limit(20)).scalars()
    writes = session.execute(
        select(HandoffMessage.handoff_id, HandoffMessage.text).join(Handoff, Handoff.id == HandoffMessage.handoff_id)
        .where(HandoffMessage.id > after_message_id, HandoffMessage.role == "learner", Handoff.claimed_by == coach,
               Handoff.status.in_(ACTIVE))
        .order_by(HandoffMessage.id).limit(20)).all()
    return Alerts(new_handoffs=[_view(h) for h in new],
                  learner_writes=[(handoff_id, first_line(text)) for handoff_id, text in writes],
                  last_handoff_id=newest_handoff, last_message_id=newest_message)


def first_line(text: Optional[str], limit: int = 100) -> str:
    """What an alert may show of a learner's message: its first line, cut to `limit` characters."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def outcome_counts(session: Session, since: datetime, until: datetime) -> Dict[str, int]:
    """How many handoffs closed in [since, until) ended each way (OUTCOMES), for the analytics."""
    rows = session.execute(select(Handoff.outcome, func.count()).where(
        Handoff.status == "closed", Handoff.closed_at >= since, Handoff.closed_at < until,
        Handoff.outcome.is_not(None)).group_by(Handoff.outcome)).all()
    found = dict(rows)
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}


def coaches_on_duty_emails(session: Session) -> List[str]:
    """Where new-handoff e-mails go: active coaches on duty with an address."""
    return list(session.execute(select(Coach.email).where(
        Coach.active.is_(True), Coach.on_duty.is_(True), Coach.email.is_not(None), Coach.email != "")
        .order_by(Coach.username)).scalars())


def unemailed(session: Session) -> List[HandoffView]:
    """Handoffs the on-duty coaches have not been e-mailed about yet, each with its newest learner message."""
    return _with_last_learner_message(session, select(Handoff).where(Handoff.emailed.is_(False)).order_by(Handoff.id))


def mark_emailed(session: Session, handoff_ids: Sequence[int]) -> None:
    if handoff_ids:
        session.execute(update(Handoff).where(Handoff.id.in_(list(handoff_ids))).values(emailed=True))


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
