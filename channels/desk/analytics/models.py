"""The analytics' own tables in the desk's database: the summary built from Rasa's events, and labels.

The summary (with the learners' ratings of answers) is derived data: `summary.rebuild` can always
make it again from the tracker store.
Labels are what admins decided about missed messages, and are the only thing here a person wrote.
"""
from sqlalchemy import Boolean, Column, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class ConversationSummary(Base):
    """One conversation session (Rasa starts a new one after an hour of silence)."""

    __tablename__ = "analytics_conversations"

    id = Column(Integer, primary_key=True, autoincrement=False)  # the id of its first event in Rasa's store
    sender_id = Column(String(255), nullable=False, index=True)
    started_at = Column(Float, nullable=False)  # seconds since the epoch, as Rasa stores time
    day = Column(Date, nullable=False, index=True)  # in the office's time zone
    last_event_id = Column(Integer, nullable=False)
    channel = Column(String(40))  # the learner's first message's channel (rest, socketio, slack, telegram)
    learner_messages = Column(Integer, nullable=False, default=0)
    misunderstood = Column(Integer, nullable=False, default=0)
    off_topic = Column(Integer, nullable=False, default=0)
    other_language = Column(Integer, nullable=False, default=0)
    low_confidence = Column(Integer, nullable=False, default=0)
    failed = Column(Integer, nullable=False, default=0)
    handoff_reason = Column(String(40))  # None: the assistant kept the conversation
    after_hours = Column(Boolean, nullable=False, default=False)
    callback = Column(Boolean, nullable=False, default=False)  # a contact was left for a callback
    questionnaire_slots = Column(Text)  # None: not started; else the answered questions, comma-separated
    recommended_path = Column(String(60))
    # Where the fold stands, so the next batch of events continues it.
    active_loop = Column(String(60))
    last_action = Column(String(100))
    last_bot = Column(String(100))
    handoff_active = Column(Boolean, nullable=False, default=False)
    open_message_id = Column(Integer)
    open_offer = Column(String(100))  # the coach offer the open message answers, if any


class MessageSummary(Base):
    """One learner message: what it was about and how the assistant did; never its text."""

    __tablename__ = "analytics_messages"
    # What the top-10 lists and the review read, so that each is answered from its index alone.
    __table_args__ = (Index("ix_analytics_messages_faq_topic_day", "faq_topic", "day"),
                      Index("ix_analytics_messages_program_day", "program", "day"),
                      Index("ix_analytics_messages_review", "outcome", "day", "text_key", "at"))

    id = Column(Integer, primary_key=True, autoincrement=False)  # its event id in Rasa's store
    conversation_id = Column(Integer, ForeignKey("analytics_conversations.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    at = Column(Float, nullable=False)
    day = Column(Date, nullable=False)
    intent = Column(String(100))
    confidence = Column(Float)
    outcome = Column(String(20), nullable=False)  # see summary.OUTCOMES
    faq_topic = Column(String(100))
    program = Column(String(100))  # the catalog slug the answer was about
    text_key = Column(String(24), index=True)  # groups near-identical texts (review.text_key)


class SummaryProgress(Base):
    """How far the summary has read Rasa's events, and from which store."""

    __tablename__ = "analytics_progress"

    id = Column(Integer, primary_key=True)
    tracker = Column(String(300), nullable=False)  # the store's URL without its password
    last_event_id = Column(Integer, nullable=False, default=0)


class SenderPointer(Base):
    """Each learner's current conversation, where their next event belongs."""

    __tablename__ = "analytics_senders"

    sender_id = Column(String(255), primary_key=True)
    conversation_id = Column(Integer, nullable=False)


class ReviewLabel(Base):
    """An admin's decision about a group of near-identical missed messages."""

    __tablename__ = "review_labels"

    id = Column(Integer, primary_key=True)
    text_key = Column(String(24), nullable=False, index=True)
    decision = Column(String(20), nullable=False)  # example, off_topic or dismissed
    intent = Column(String(120))  # for examples: the intent (faq_<topic> for a general question)
    labelled_by = Column(String(100), nullable=False)
    labelled_at = Column(Float, nullable=False, index=True)


class RatingSummary(Base):
    """An answer that carried the rating buttons, and the learner's thumbs up or down once given."""

    __tablename__ = "analytics_ratings"
    # The satisfaction figures read ratings by day; the review finds the answers rated down by value.
    __table_args__ = (Index("ix_analytics_ratings_day", "day", "value"),
                      Index("ix_analytics_ratings_value", "value", "message_id"))

    message_id = Column(Integer, ForeignKey("analytics_messages.id", ondelete="CASCADE"),
                        primary_key=True, autoincrement=False)  # the learner message the answer answered
    conversation_id = Column(Integer, nullable=False, index=True)
    answer_event_id = Column(Integer, nullable=False)  # the bot event with the buttons: the answer's last part
    value = Column(String(4))  # None until rated; "up" or "down" (the learner's latest tap)
    rated_at = Column(Float)
    day = Column(Date)  # of the rating, in the office's time zone


class WeeklySummarySent(Base):
    """A week whose summary was e-mailed to the admins (DESK_WEEKLY_SUMMARY), so it goes once."""

    __tablename__ = "analytics_weekly_summaries"

    week_of = Column(Date, primary_key=True)  # the day it was due, in the office's time zone
    sent_at = Column(Float, nullable=False)
