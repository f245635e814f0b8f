"""Every figure of the overview, as queries on the summary and the handoff store for one period.

A conversation belongs to the day (office time) it started; shares of messages are over the learner
messages of those conversations. Containment is the share of conversations with no handoff. The
wait is from a handoff to the first coach reply; the 90th percentile is the nearest-rank one.
"""
import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from zoneinfo import ZoneInfo

from catalog_db.models import Handoff, HandoffMessage, Program
from channels.desk.analytics.models import ConversationSummary, MessageSummary
from channels.desk.analytics.summary import HANDOFF_REASONS, QUESTIONNAIRE_SLOTS

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
LONGEST_PERIOD_DAYS = 366
CHANNEL_NAMES = {"socketio": "website", "rest": "REST", "slack": "Slack", "telegram": "Telegram"}


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

    @property
    def containment(self) -> Optional[float]:
        return share(self.conversations - self.handoffs, self.conversations)

    @property
    def handoff_rate(self) -> Optional[float]:
        return share(self.handoffs, self.conversations)

    @property
    def wait_median(self) -> Optional[float]:
        return statistics.median(self.waits) if self.waits else None

    @property
    def wait_p90(self) -> Optional[float]:
        return nearest_rank(self.waits, 0.9)


def _conversations(period: Period):
    c = ConversationSummary
    return and_(c.day.between(period.start, period.end), c.learner_messages > 0)


def overview(session: Session, period: Period, zone: ZoneInfo) -> Overview:
    c = ConversationSummary
    result = Overview(period)
    counted = (func.count(), func.sum(c.learner_messages), func.sum(c.misunderstood), func.sum(c.off_topic),
               func.sum(c.other_language), func.sum(c.low_confidence), func.sum(c.failed))
    for channel, *numbers in session.execute(select(c.channel, *counted).where(_conversations(period))
                                             .group_by(c.channel)):
        numbers = [n or 0 for n in numbers]
        result.by_channel[channel_name(channel)] = numbers[0]
        result.conversations += numbers[0]
        result.learner_messages += numbers[1]
        result.misunderstood += numbers[2]
        result.off_topic += numbers[3]
        result.other_language += numbers[4]
        result.low_confidence += numbers[5]
        result.failed += numbers[6]
    result.reasons = {reason: 0 for reason in HANDOFF_REASONS}
    for reason, count, after_hours, callbacks in session.execute(
            select(c.handoff_reason, func.count(), func.sum(case((c.after_hours, 1), else_=0)),
                   func.sum(case((and_(c.after_hours, c.callback), 1), else_=0)))
            .where(_conversations(period), c.handoff_reason.is_not(None)).group_by(c.handoff_reason)):
        result.reasons[reason] = count
        result.handoffs += count
        result.after_hours += after_hours or 0
        result.after_hours_callbacks += callbacks or 0
    result.questionnaire_started, result.questionnaire_completed = session.execute(
        select(func.count(c.questionnaire_slots), func.count(c.recommended_path)).where(_conversations(period))).one()
    result.paths = dict(session.execute(
        select(c.recommended_path, func.count()).where(_conversations(period), c.recommended_path.is_not(None))
        .group_by(c.recommended_path).order_by(func.count().desc(), c.recommended_path)).all())
    result.waits, result.unanswered_handoffs = handoff_waits(session, period, zone)
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


def conversations_per_day(session: Session, period: Period) -> Series:
    c = ConversationSummary
    counts: Dict[Tuple[date, str], int] = {}
    for day, channel, count in session.execute(
            select(c.day, c.channel, func.count()).where(_conversations(period)).group_by(c.day, c.channel)):
        counts[(day, channel_name(channel))] = counts.get((day, channel_name(channel)), 0) + count
    channels = sorted({channel for _, channel in counts}) or ["website"]
    return Series("Conversations per day, by channel", ("day", *channels),
                  [(day.isoformat(), *(counts.get((day, ch), 0) for ch in channels)) for day in period.days])


def rates_per_day(session: Session, period: Period) -> Series:
    c = ConversationSummary
    found = {day: (total, handed) for day, total, handed in session.execute(
        select(c.day, func.count(), func.sum(case((c.handoff_reason.is_not(None), 1), else_=0)))
        .where(_conversations(period)).group_by(c.day))}
    rows = []
    for day in period.days:
        total, handed = found.get(day, (0, 0))
        rows.append((day.isoformat(), total, _percent(share(total - handed, total)), _percent(share(handed, total))))
    return Series("Containment and handoff rate per day", ("day", "conversations", "containment %", "handoff rate %"),
                  rows)


def _percent(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(100 * value, 1)


def _top(session: Session, period: Period, column) -> List[Tuple[str, int]]:
    m = MessageSummary
    return [(name, count) for name, count in session.execute(
        select(column, func.count()).join(ConversationSummary, ConversationSummary.id == m.conversation_id)
        .where(_conversations(period), column.is_not(None)).group_by(column)
        .order_by(func.count().desc(), column).limit(10))]


def top_faq_topics(session: Session, period: Period) -> Series:
    rows = [(topic.replace("_", " "), count) for topic, count in _top(session, period, MessageSummary.faq_topic)]
    return Series("Top 10 general questions", ("topic", "answers"), rows)


def top_programs(session: Session, period: Period, catalog: Optional[Session]) -> Series:
    found = _top(session, period, MessageSummary.program)
    names: Dict[str, str] = {}
    if catalog is not None and found:
        names = dict(catalog.execute(select(Program.slug, Program.name)
                                     .where(Program.slug.in_([slug for slug, _ in found]))).all())
    return Series("Top 10 programs asked about", ("program", "questions"),
                  [(names.get(slug, slug), count) for slug, count in found])


def questionnaire_funnel(session: Session, period: Period) -> Series:
    """Conversations that started the questionnaire, answered at least k of its questions, got a suggestion."""
    c = ConversationSummary
    answered = [0] * (len(QUESTIONNAIRE_SLOTS) + 1)
    started = completed = 0
    for slots, recommended, count in session.execute(
            select(c.questionnaire_slots, c.recommended_path.is_not(None), func.count())
            .where(_conversations(period), c.questionnaire_slots.is_not(None))
            .group_by(c.questionnaire_slots, c.recommended_path.is_not(None))):
        started += count
        completed += count if recommended else 0
        answered[len([s for s in slots.split(",") if s])] += count
    rows = [("started", started)]
    for k in range(1, len(QUESTIONNAIRE_SLOTS) + 1):
        rows.append((f"answered {k}", sum(answered[k:])))
    rows.append(("got a suggestion", completed))
    return Series("Questionnaire funnel", ("step", "conversations"), rows)
