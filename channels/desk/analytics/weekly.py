"""The week's analytics e-mailed to the admins (DESK_WEEKLY_SUMMARY, through SMTP_URL like the alerts).

Due once a week at the configured moment (office time), for the seven days before that day; sent by
the analytics round once the summary has folded the newest events, and remembered in the desk's
database so that a restart does not send it again. A week the desk missed by more than a day is
skipped, so enabling it (or a desk down over the weekend) never sends an old week. Like the alerts,
it holds no learner's words: figures only, and the link to the pages.
"""
import logging
import smtplib
import time
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from zoneinfo import ZoneInfo

from channels.config import ServerConfig
from channels.desk import email_alerts
from channels.desk.analytics import figures, review
from channels.desk.analytics.models import WeeklySummarySent
from channels.desk.analytics.summary import REVIEWED
from handoff_db.models import Coach

logger = logging.getLogger(__name__)
LATE_SENDING = timedelta(days=1)


def due_week(now: datetime, schedule: Tuple[int, int, int]) -> Optional[date]:
    """The day of the latest scheduled moment not after `now` (office time), if it was less than a day ago."""
    weekday, hour, minute = schedule
    moment = datetime.combine(now.date() - timedelta(days=(now.weekday() - weekday) % 7),
                              datetime.min.time().replace(hour=hour, minute=minute), now.tzinfo)
    if moment > now:
        moment -= timedelta(days=7)
    return moment.date() if now - moment < LATE_SENDING else None


def admin_emails(session: Session) -> List[str]:
    return list(session.execute(select(Coach.email).where(
        Coach.is_admin.is_(True), Coach.active.is_(True), Coach.email.is_not(None), Coach.email != "")
        .order_by(Coach.username)).scalars())


def _percent(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _minutes(seconds: Optional[float]) -> str:
    return "–" if seconds is None else f"{seconds / 60:.0f} min"


def summary_text(session: Session, period: figures.Period, zone: ZoneInfo, public_url: str) -> str:
    """The week in figures, as plain text."""
    groups = figures.digest(session, period)
    found = figures.overview(session, period, zone, groups)
    missed, _ = review.queue(session, period.start, period.end, REVIEWED, limit=0)
    funnel = figures.questionnaire_funnel(groups)
    channels = ", ".join(f"{name} {count}" for name, count in sorted(found.by_channel.items())) or "none"
    lines = [
        f"The assistant from {period.start:%a %d %b} to {period.end:%a %d %b %Y}:",
        "",
        f"Conversations: {found.conversations} ({channels})",
        f"Containment: {_percent(found.containment)}; handoffs: {found.handoffs}",
        f"Answers rated helpful: {_percent(found.satisfaction)} ({found.helpful} up, {found.unhelpful} down)",
        f"Misunderstood: {found.misunderstood}; declined as off-topic: {found.off_topic}; "
        f"low-confidence guesses: {found.low_confidence}",
        f"Waiting in the review: {missed} groups of messages",
        "Questionnaire: " + ", ".join(f"{step} {count}" for step, count in funnel.rows),
        f"Wait for a coach: median {_minutes(found.wait_median)}, {found.unanswered_handoffs} not answered yet",
        "",
        "Coaches (handoffs taken, median first reply, closed):",
        *([f"  {one.coach}: {one.taken}, {_minutes(one.first_reply_median)}, {sum(one.outcomes.values())}"
           for one in figures.per_coach(session, period, zone)] or ["  none took a handoff"]),
        "",
        f"More on the desk: {public_url.rstrip('/')}/desk/analytics?start={period.start}&end={period.end}",
        "",
        "You get this because you are an admin of the coach desk.",
    ]
    return "\n".join(lines)


def compose(session: Session, config: ServerConfig, week_of: date, recipients: List[str]) -> EmailMessage:
    period = figures.Period(week_of - timedelta(days=7), week_of - timedelta(days=1))
    message = EmailMessage()
    message["Subject"] = f"The assistant's week to {period.end:%d %b %Y}"
    message["From"] = config.smtp_from
    message["To"] = ", ".join(recipients)
    message.set_content(summary_text(session, period, ZoneInfo(config.office_timezone), config.public_url))
    return message


def send_if_due(sessions_of: sessionmaker, config: ServerConfig, now: Optional[datetime] = None) -> Optional[date]:
    """E-mail the summary when one is due and not sent yet (blocking: run it in a thread); returns its week.
    The mail server is called outside any transaction."""
    if not config.smtp_url or config.weekly_summary is None:
        return None
    week_of = due_week(now or datetime.now(ZoneInfo(config.office_timezone)), config.weekly_summary)
    if week_of is None:
        return None
    with sessions_of() as session:
        if session.get(WeeklySummarySent, week_of) is not None:
            return None
        recipients = admin_emails(session)
        message = compose(session, config, week_of, recipients) if recipients else None
    if message is not None:
        try:
            email_alerts.send(config.smtp_url, message)
        except (OSError, smtplib.SMTPException) as error:
            logger.error("could not e-mail the weekly summary: %s", error.__class__.__name__)
            return None  # the next round tries again
    with sessions_of() as session, session.begin():
        session.add(WeeklySummarySent(week_of=week_of, sent_at=time.time()))
    return week_of
