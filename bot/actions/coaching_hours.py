"""When coaches are at their desks: weekly hours in a time zone, minus holidays.

Configured by environment variables, read into the action server's settings (bot/actions/settings.py),
so the office can change them without code: COACH_HOURS ("Mon-Fri 09:00-17:00"),
COACH_TIMEZONE ("America/New_York"), COACH_HOLIDAYS ("2026-12-25,2027-01-01").
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import FrozenSet, Optional, Tuple

from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CoachingHours:
    days: FrozenSet[int]  # 0 = Monday
    opens: time
    closes: time
    zone: ZoneInfo
    holidays: FrozenSet[date] = frozenset()

    @classmethod
    def parse(cls, hours: str, zone: str, holidays: str = "") -> "CoachingHours":
        match = re.fullmatch(r"\s*(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*", hours.lower())
        if not match:
            raise ValueError(f"COACH_HOURS must look like 'Mon-Fri 09:00-17:00', not {hours!r}")
        first, last = DAYS.index(match.group(1)), DAYS.index(match.group(2) or match.group(1))
        return cls(
            days=frozenset(range(first, last + 1)),
            opens=time(int(match.group(3)), int(match.group(4))),
            # "24:00" closes at midnight: the whole day is open.
            closes=time.max if match.group(5) == "24" else time(int(match.group(5)), int(match.group(6))),
            zone=ZoneInfo(zone),
            holidays=frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip()),
        )

    def _working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def status(self, now: Optional[datetime] = None) -> Tuple[bool, datetime]:
        """(open now?, when coaches are next at their desks), in the office's time zone."""
        local = (now or datetime.now(self.zone)).astimezone(self.zone)
        if self._working_day(local.date()) and self.opens <= local.time() < self.closes:
            return True, local
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        while not self._working_day(day):
            day += timedelta(days=1)
        return False, datetime.combine(day, self.opens, tzinfo=self.zone)


def describe_reopening(moment: datetime, now: datetime) -> str:
    """ "today at 9:00 AM EST", "tomorrow at 9:00 AM EST" or "Monday, Dec 28 at 9:00 AM EST"."""
    clock = moment.strftime("%-I:%M %p %Z")
    days_ahead = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    if days_ahead == 0:
        return f"today at {clock}"
    if days_ahead == 1:
        return f"tomorrow at {clock}"
    return f"{moment.strftime('%A, %b %-d')} at {clock}"
