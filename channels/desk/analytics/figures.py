"""Every figure of the overview, as queries on the summary and the handoff store for one period.

A conversation belongs to the day (office time) it started, and shares of messages are over the
learner messages of those conversations; the top questions and programs count the period's messages. Containment is the share of conversations with no handoff. The
wait is from a handoff to the first coach reply; the 90th percentile is the nearest-rank one.
"""
import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from zoneinfo import ZoneInfo

from catalog_db.models import Program
from channels.desk.analytics.models import ConversationSummary, MessageSummary, RatingSummary
from channels.desk.analytics.summary import HANDOFF_REASONS
from handoff_db.handoffs import CHANNEL_NAMES, OUTCOMES, outcome_counts
from handoff_db.models import Handoff, HandoffMessage

PRESETS = (7, 30, 90)
# The questionnaire's steps as the funnel names them, each with the questions (slots) that make it.
FUNNEL_STEPS = (("goal", ("learning_goal", "career_change")), ("time", ("time_available",)),
                ("family and work", ("obligations",)), ("budget", ("budget",)), ("education", ("education",)))
RECOMMENDATION_STEP = "recommendation"
DEFAULT_DAYS = 30
LONGEST_PERIOD_DAYS = 366


def channel_name(channel: Optional[str]) -> str:
    return CHANNEL_NAMES.get(channel or "", channel or "unknown")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, query: Mapping[str, str], today: date) -> "Period":
        """`?days=7|30|90`, or `?start=YYYY-MM-DD&end=YYYY-MM-DD`; the last 30 days when neither."""
        if query.get("start") or query.get("end"):
            try:
                start = date.fromisoformat(query.get("start") or "")
                end = date.fromisoformat(query.get("end") or today.isoformat())
            except ValueError:
                raise ValueError("dates look like 2026-11-30") from None
            if end < start:
                raise ValueError("the period ends before it starts")
            if (end - start).days >= LONGEST_PERIOD_DAYS:
                raise ValueError(f"a period is at most {LONGEST_PERIOD_DAYS} days")
            return cls(start, end)
        days = query.get("days") or str(DEFAULT_DAYS)
        if not days.isdigit() or int(days) not in PRESETS:
            raise ValueError("choose 7, 30 or 90 days, or two dates")
        return cls(today - timedelta(days=int(days) - 1), today)

    @property
    def days(self) -> List[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def query(self) -> Dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def utc_bounds(self, zone: ZoneInfo) -> Tuple[datetime, datetime]:
        """The period's first and first-after moments, from the office's midnights."""
        return (datetime.combine(self.start, time(), zone).astimezone(timezone.utc),
                datetime.combine(self.end + timedelta(days=1), time(), zone).astimezone(timezone.utc))


def share(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def nearest_rank(values: Sequence[float], fraction: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Overview:
    period: Period
    conversations: int = 0
    learner_messages: int = 0
    by_channel: Dict[str, int] = field(default_factory=dict)
    handoffs: int = 0
    reasons: Dict[str, int] = field(default_factory=dict)
    misunderstood: int = 0
    off_topic: int = 0
    other_language: int = 0
    low_confidence: int = 0
    failed: int = 0
    questionnaire_started: int = 0
    questionnaire_completed: int = 0
    paths: Dict[str, int] = field(default_factory=dict)
    after_hours: int = 0
    after_hours_callbacks: int = 0
    waits: List[float] = field(default_factory=list)  # seconds, for the handoffs a coach answered
    unanswered_handoffs: int = 0
    outcomes: Dict[str, int] = field(default_factory=dict)  # handoffs closed in the period, by wrap-up reason
    helpful: int = 0  # answers rated thumbs up in the period
    unhelpful: int = 0  # and thumbs down

    @property
    def containment(self) -> Optional[float]:
        return share(self.conversations - self.handoffs, self.conversations)

    @property
    def handoff_rate(self) -> Optional[float]:
        return share(self.handoffs, self.conversations)

    @property
    def satisfaction(self) -> Optional[float]:
        return share(self.helpful, self.helpful + self.unhelpful)

    @property
    def wait_median(self) -> Optional[float]:
        return statistics.median(self.waits) if self.waits else None

    @property
    def wait_p90(self) -> Optional[float]:
        return nearest_rank(self.waits, 0.9)


@dataclass(frozen=True)
class Group:
    """Conversations of one day alike in everything the figures split them by, with their counts summed."""

    day: date
    channel: str
    handoff_reason: Optional[str]
    after_hours: bool
    callback: bool
    furthest: Optional[int]  # the furthest questionnaire step reached (FUNNEL_STEPS, 0: none yet); None: not started
    path: Optional[str]
    conversations: int
    learner_messages: int
    misunderstood: int
    off_topic: int
    other_language: int
    low_confidence: int
    failed: int


def digest(session: Session, period: Period) -> List[Group]:
    """One pass over the period's conversations, grouped: every conversation figure is a sum of these."""
    c = ConversationSummary
    rows = session.execute(
        select(c.day, c.channel, c.handoff_reason, c.after_hours, c.callback, c.questionnaire_slots,
               c.recommended_path, func.count(), func.sum(c.learner_messages), func.sum(c.misunderstood),
               func.sum(c.off_topic), func.sum(c.other_language), func.sum(c.low_confidence), func.sum(c.failed))
        .where(c.day.between(period.start, period.end), c.learner_messages > 0)
        .group_by(c.day, c.channel, c.handoff_reason, c.after_hours, c.callback, c.questionnaire_slots,
                  c.recommended_path))
    return [Group(day, channel_name(channel), reason, bool(after_hours), bool(callback), furthest_step(slots, path),
                  path, *(n or 0 for n in counts))
            for day, channel, reason, after_hours, callback, slots, path, *counts in rows]


def furthest_step(slots: Optional[str], path: Optional[str]) -> Optional[int]:
    """How far a conversation went in the questionnaire: 1 for the first of FUNNEL_STEPS … the recommendation
    after the last; 0 when started without an answer, None when not started."""
    if slots is None and path is None:
        return None
    if path is not None:
        return len(FUNNEL_STEPS) + 1
    answered = set(filter(None, slots.split(",")))
    return max((n for n, (_, names) in enumerate(FUNNEL_STEPS, start=1) if answered & set(names)), default=0)


def overview(session: Session, period: Period, zone: ZoneInfo, groups: Sequence[Group]) -> Overview:
    result = Overview(period, reasons={reason: 0 for reason in HANDOFF_REASONS})
    for group in groups:
        result.conversations += group.conversations
        result.by_channel[group.channel] = result.by_channel.get(group.channel, 0) + group.conversations
        for name in ("learner_messages", "misunderstood", "off_topic", "other_language", "low_confidence", "failed"):
            setattr(result, name, getattr(result, name) + getattr(group, name))
        if group.handoff_reason is not None:
            result.handoffs += group.conversations
            result.reasons[group.handoff_reason] = result.reasons.get(group.handoff_reason, 0) + group.conversations
            if group.after_hours:
                result.after_hours += group.conversations
                result.after_hours_callbacks += group.conversations if group.callback else 0
        if group.furthest is not None:
            result.questionnaire_started += group.conversations
        if group.path is not None:
            result.questionnaire_completed += group.conversations
            result.paths[group.path] = result.paths.get(group.path, 0) + group.conversations
    result.paths = dict(sorted(result.paths.items(), key=lambda item: (-item[1], item[0])))
    result.waits, result.unanswered_handoffs = handoff_waits(session, period, zone)
    result.outcomes = outcome_counts(session, *period.utc_bounds(zone))
    ratings = dict(session.execute(select(RatingSummary.value, func.count())
                                   .where(RatingSummary.day.between(period.start, period.end),
                                          RatingSummary.value.is_not(None))
                                   .group_by(RatingSummary.value)).all())
    result.helpful, result.unhelpful = ratings.get("up", 0), ratings.get("down", 0)
    return result


def handoff_waits(session: Session, period: Period, zone: ZoneInfo) -> Tuple[List[float], int]:
    """(seconds to the first coach reply of each answered handoff, how many got none), for handoffs opened
    in the period."""
    start, end = period.utc_bounds(zone)
    first_reply = (select(HandoffMessage.handoff_id, func.min(HandoffMessage.created_at).label("at"))
                   .where(HandoffMessage.role == "coach").group_by(HandoffMessage.handoff_id).subquery())
    rows = session.execute(
        select(Handoff.created_at, first_reply.c.at).outerjoin(first_reply, first_reply.c.handoff_id == Handoff.id)
        .where(Handoff.created_at >= start, Handoff.created_at < end)).all()
    waits = [(_utc(replied) - _utc(opened)).total_seconds() for opened, replied in rows if replied is not None]
    return waits, sum(1 for _, replied in rows if replied is None)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# The charts' numbers: a header and rows, which the page shows as a table, the CSV holds and the chart draws.
@dataclass(frozen=True)
class Series:
    title: str
    header: Tuple[str, ...]
    rows: List[Tuple]


def conversations_per_day(groups: Sequence[Group], period: Period) -> Series:
    counts: Dict[Tuple[date, str], int] = {}
    for group in groups:
        counts[(group.day, group.channel)] = counts.get((group.day, group.channel), 0) + group.conversations
    channels = sorted({channel for _, channel in counts}) or ["website"]
    return Series("Conversations per day, by channel", ("day", *channels),
                  [(day.isoformat(), *(counts.get((day, ch), 0) for ch in channels)) for day in period.days])


def rates_per_day(groups: Sequence[Group], period: Period) -> Series:
    totals: Dict[date, List[int]] = {}
    for group in groups:
        total = totals.setdefault(group.day, [0, 0])
        total[0] += group.conversations
        total[1] += group.conversations if group.handoff_reason is not None else 0
    rows = []
    for day in period.days:
        total, handed = totals.get(day, (0, 0))
        rows.append((day.isoformat(), total, _percent(share(total - handed, total)), _percent(share(handed, total))))
    return Series("Containment and handoff rate per day", ("day", "conversations", "containment %", "handoff rate %"),
                  rows)


def _percent(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(100 * value, 1)


def _top(session: Session, period: Period, column) -> List[Tuple[str, int]]:
    """The ten commonest values of a message column among the period's learner messages."""
    return [(name, count) for name, count in session.execute(
        select(column, func.count()).where(column.is_not(None), MessageSummary.day.between(period.start, period.end))
        .group_by(column).order_by(func.count().desc(), column).limit(10))]


def top_faq_topics(session: Session, period: Period) -> Series:
    rows = [(topic.replace("_", " "), count) for topic, count in _top(session, period, MessageSummary.faq_topic)]
    return Series("Top 10 general questions", ("topic", "answers"), rows)


def _program_names(catalog: Optional[Session], slugs: Sequence[str]) -> Dict[str, str]:
    if catalog is None or not slugs:
        return {}
    return dict(catalog.execute(select(Program.slug, Program.name).where(Program.slug.in_(list(slugs)))).all())


def top_programs(session: Session, period: Period, catalog: Optional[Session]) -> Series:
    found = _top(session, period, MessageSummary.program)
    names = _program_names(catalog, [slug for slug, _ in found])
    return Series("Top 10 programs asked about", ("program", "questions"),
                  [(names.get(slug, slug), count) for slug, count in found])


def questionnaire_funnel(groups: Sequence[Group]) -> Series:
    """Conversations that started the questionnaire, then reached each step (or a later one): it only narrows."""
    reached = [0] * (len(FUNNEL_STEPS) + 2)  # by furthest step: 0 (none yet) … the recommendation
    for group in groups:
        if group.furthest is not None:
            reached[group.furthest] += group.conversations
    names = ["started", *(name for name, _ in FUNNEL_STEPS), RECOMMENDATION_STEP]
    return Series("Questionnaire funnel", ("step", "conversations"),
                  [(name, sum(reached[n:])) for n, name in enumerate(names)])


# Learners' ratings of answers: shares of thumbs up among the answers rated in the period (on the day of the rating).
SATISFACTION_HEADER = ("helpful %", "helpful", "not helpful")


def _satisfaction_row(up: int, down: int) -> Tuple[Optional[float], int, int]:
    return _percent(share(up, up + down)), up, down


def _ratings_by(session: Session, period: Period, column) -> List[Tuple[Any, int, int]]:
    """(value of the column, thumbs up, thumbs down) for the answers rated in the period, most rated first."""
    up = func.sum(case((RatingSummary.value == "up", 1), else_=0))
    down = func.sum(case((RatingSummary.value == "down", 1), else_=0))
    return [(key, int(ups or 0), int(downs or 0)) for key, ups, downs in session.execute(
        select(column, up, down).select_from(RatingSummary)
        .join(MessageSummary, MessageSummary.id == RatingSummary.message_id)
        .where(RatingSummary.day.between(period.start, period.end), RatingSummary.value.is_not(None))
        .group_by(column).order_by(func.count().desc(), column))]


def satisfaction_per_day(session: Session, period: Period) -> Series:
    found = {day: (up, down) for day, up, down in _ratings_by(session, period, RatingSummary.day)}
    return Series("Answers rated helpful per day", ("day", *SATISFACTION_HEADER),
                  [(day.isoformat(), *_satisfaction_row(*found.get(day, (0, 0)))) for day in period.days])


def satisfaction_by_topic(session: Session, period: Period) -> Series:
    rows = [(topic.replace("_", " "), *_satisfaction_row(up, down))
            for topic, up, down in _ratings_by(session, period, MessageSummary.faq_topic) if topic is not None]
    return Series("Answers rated helpful, by general question", ("topic", *SATISFACTION_HEADER), rows)


def satisfaction_by_program(session: Session, period: Period, catalog: Optional[Session]) -> Series:
    found = [(slug, up, down) for slug, up, down in _ratings_by(session, period, MessageSummary.program)
             if slug is not None]
    names = _program_names(catalog, [slug for slug, _, _ in found])
    return Series("Answers rated helpful, by program", ("program", *SATISFACTION_HEADER),
                  [(names.get(slug, slug), *_satisfaction_row(up, down)) for slug, up, down in found])


# Coaches: handoffs each one had (claimed or was assigned), opened in the period.
@dataclass(frozen=True)
class CoachFigures:
    coach: str
    taken: int
    first_reply_median: Optional[float]  # seconds from the handoff to its first coach reply
    outcomes: Dict[str, int]  # of their handoffs closed in the period, by wrap-up reason


def per_coach(session: Session, period: Period, zone: ZoneInfo) -> List[CoachFigures]:
    start, end = period.utc_bounds(zone)
    first_reply = (select(HandoffMessage.handoff_id, func.min(HandoffMessage.created_at).label("at"))
                   .where(HandoffMessage.role == "coach").group_by(HandoffMessage.handoff_id).subquery())
    taken: Dict[str, List[Optional[float]]] = {}
    for coach, opened, replied in session.execute(
            select(Handoff.claimed_by, Handoff.created_at, first_reply.c.at)
            .outerjoin(first_reply, first_reply.c.handoff_id == Handoff.id)
            .where(Handoff.claimed_by.is_not(None), Handoff.created_at >= start, Handoff.created_at < end)):
        taken.setdefault(coach, []).append(None if replied is None else (_utc(replied) - _utc(opened)).total_seconds())
    closed: Dict[str, Dict[str, int]] = {}
    for coach, outcome, count in session.execute(
            select(Handoff.claimed_by, Handoff.outcome, func.count())
            .where(Handoff.claimed_by.is_not(None), Handoff.status == "closed", Handoff.outcome.is_not(None),
                   Handoff.closed_at >= start, Handoff.closed_at < end)
            .group_by(Handoff.claimed_by, Handoff.outcome)):
        closed.setdefault(coach, {})[outcome] = count
    result = []
    for coach in sorted(set(taken) | set(closed)):
        waits = [wait for wait in taken.get(coach, []) if wait is not None]
        result.append(CoachFigures(coach, len(taken.get(coach, [])), statistics.median(waits) if waits else None,
                                   {outcome: closed.get(coach, {}).get(outcome, 0) for outcome in OUTCOMES}))
    return result
