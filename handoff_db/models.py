"""The tables of the coach handoffs: handoffs and their transcripts, coaches, desk sessions,
sign-in attempts and the audit log.

Not catalog data, so not in catalog_db's metadata; by default they live in the same database
(HANDOFF_DB_URL, else CATALOG_DB_URL), under the table names they always had.
"""
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

HANDOFF_STATUSES = ("open", "claimed", "closed", "cancelled")
MESSAGE_ROLES = ("learner", "bot", "coach", "system")
# Why a coach closed a handoff (the analytics count them).
OUTCOMES = ("answered", "enrolled", "referred", "no_response")
# What a system line tells the learner, when it is for them: the desk says it in the assistant's words.
NOTICES = ("closed", "joined", "reopened")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Handoff(Base):
    """A conversation handed to an admissions coach."""

    __tablename__ = "handoffs"
    __table_args__ = (CheckConstraint(f"status IN ({', '.join(repr(s) for s in HANDOFF_STATUSES)})",
                                      name="ck_handoffs_status"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    status = Column(String(20), nullable=False, default="open", index=True)
    reason = Column(String(200), nullable=False)
    summary = Column(JSON, nullable=False, default=dict)
    contact = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)
    claimed_by = Column(String(100))
    claimed_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True), index=True)
    # Whether the coaches' Slack channel has been told about it.
    announced = Column(Boolean, nullable=False, default=False)
    # Whether the on-duty coaches were e-mailed (SMTP_URL); handoffs older than this column count as done.
    emailed = Column(Boolean, nullable=False, default=False, server_default="1")
    # The wrap-up reason the coach gave on closing (OUTCOMES).
    outcome = Column(String(20))
    # The programs the summary names, one searchable text, so the desk's search needs no JSON functions.
    programs = Column(Text)

    messages = relationship("HandoffMessage", back_populates="handoff", cascade="all, delete-orphan",
                            order_by="HandoffMessage.id")


class HandoffMessage(Base):
    """One line of a handoff's transcript."""

    __tablename__ = "handoff_messages"
    __table_args__ = (CheckConstraint(f"role IN ({', '.join(repr(r) for r in MESSAGE_ROLES)})",
                                      name="ck_handoff_messages_role"),)

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    role = Column(String(10), nullable=False)
    author = Column(String(100))
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)
    # For a coach's reply, and the system line of a coach's close (which tells the learner): whether
    # the learner's platform took it. Other lines are never sent, and are stored as delivered.
    delivered = Column(Boolean, nullable=False, default=False)
    # While it is not: how often the desk tried, when last, since when it has been trying (a coach's
    # next reply starts again), and whether it gave up (DELIVERY_RETRY_SECONDS after that).
    delivery_attempts = Column(Integer, nullable=False, default=0, server_default="0")
    last_attempt_at = Column(DateTime(timezone=True))
    queued_at = Column(DateTime(timezone=True))
    delivery_failed = Column(Boolean, nullable=False, default=False, server_default="0")
    # For a system line the learner is to hear of: which (NOTICES); a close when empty (older lines).
    notice = Column(String(20))

    handoff = relationship("Handoff", back_populates="messages")


class HandoffNote(Base):
    """A coach's internal note on a handoff: kept apart from the transcript, never sent to the learner."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)


class SavedReply(Base):
    """A reply admins wrote once for coaches to insert (a picker, or `/shortcut` in the reply box)."""

    __tablename__ = "saved_replies"

    id = Column(Integer, primary_key=True)
    shortcut = Column(String(40), nullable=False, unique=True)
    title = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    updated_by = Column(String(100), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)


class Coach(Base):
    __tablename__ = "coaches"

    id = Column(Integer, primary_key=True)
    username = Column(String(100), nullable=False, unique=True)
    password_hash = Column(String(300), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)
    # Admins also label the messages the assistant missed (the review queue on the desk) and manage
    # accounts and saved replies.
    is_admin = Column(Boolean, nullable=False, default=False, server_default="0")
    # The name learners see on the coach's replies; the username when empty.
    display_name = Column(String(100))
    # Where alerts of new handoffs go while the coach is on duty (SMTP_URL).
    email = Column(String(200))
    on_duty = Column(Boolean, nullable=False, default=False, server_default="0")
    # A deactivated coach cannot sign in and is given no handoffs; the account and its history stay.
    active = Column(Boolean, nullable=False, default=True, server_default="1")
    # Set by a temporary password: the coach chooses their own before anything else.
    must_change_password = Column(Boolean, nullable=False, default=False, server_default="0")


class PasswordLink(Base):
    """A one-time link for a coach to set their password (a new account, a reset); only its SHA-256 is kept."""

    __tablename__ = "password_links"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    coach = Column(String(100), nullable=False, index=True)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class AuditEntry(Base):
    """Who did what on the coach desk."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    coach = Column(String(100), nullable=False)
    action = Column(String(100), nullable=False)
    handoff_id = Column(Integer)
    at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)


class DeskSession(Base):
    """A coach signed in to the desk: the cookie holds a random token, this row its SHA-256.

    Server-side so that signing out, a password change or `python -m channels.desk revoke` ends it.
    """

    __tablename__ = "desk_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    coach = Column(String(100), nullable=False, index=True)
    csrf = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utc_now)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class SignInAttempt(Base):
    """One try at the desk's sign-in form, kept a day to throttle guessing per account and address."""

    __tablename__ = "sign_in_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(100), nullable=False, index=True)
    address = Column(String(64), nullable=False, index=True)
    succeeded = Column(Boolean, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=_utc_now, index=True)
