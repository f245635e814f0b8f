"""When coaches are at their desks: weekly hours in a time zone, minus holidays.

Configured by environment variables, read into the action server's settings (bot/actions/settings.py),
so the office can change them without code: COACH_HOURS ("Mon-Fri 09:00-17:00"),
COACH_TIMEZONE ("America/New_York"), COACH_HOLIDAYS ("2026-12-25,2027-01-01").

The days may wrap over the weekend ("Fri-Mon" is Friday to Monday) and the hours may run overnight
("22:00-06:00" opens at 22:00 on each of the days and closes at 06:00 the next morning). Anything
else is refused with the variable and its value named, so a typo stops the action server at start
instead of leaving learners with a desk that never opens.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import FrozenSet, Optional, Tuple

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {name: index for index, day in enumerate(DAYS)
             for name in (day, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[index])}
HOURS = re.compile(r"\s*([a-z]+)(?:\s*-\s*([a-z]+))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
EXAMPLE = ("write it like 'Mon-Fri 09:00-17:00' (days may wrap, as in 'Fri-Mon'; hours may run overnight, "
           "as in '22:00-06:00')")
MINUTES_A_DAY = 24 * 60


def _invalid(variable: str, value: str, reason: str) -> ValueError:
    return ValueError(f"{variable}={value!r} is not valid: {reason}")


def _minutes(variable: str, value: str, hours: str, minutes: str, closing: bool) -> int:
    """Minutes after midnight of an HH:MM; 24:00 only as a closing time (the end of the day)."""
    hour, minute = int(hours), int(minutes)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not closing)):
        allowed = "00:00 to 24:00" if closing else "00:00 to 23:59"
        raise _invalid(variable, value, f"{hours}:{minutes} is not {'a closing' if closing else 'an opening'} time "
                                        f"({allowed})")
    return hour * 60 + minute


@dataclass(frozen=True)
class CoachingHours:
    days: FrozenSet[int]  # the days a shift starts on, 0 = Monday
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight, 1440 for midnight; at or before `opens`: the next morning
    zone: ZoneInfo
    holidays: FrozenSet[date] = frozenset()  # days no shift starts on

    @classmethod
    def parse(cls, hours: str, zone: str, holidays: str = "") -> "CoachingHours":
        """The hours from the three variables' values; ValueError naming the variable and value otherwise."""
        match = HOURS.fullmatch(hours.lower())
        if not match:
            raise _invalid("COACH_HOURS", hours, EXAMPLE)
        first_name, last_name = match.group(1), match.group(2) or match.group(1)
        unknown = [name for name in (first_name, last_name) if name not in DAY_NAMES]
        if unknown:
            raise _invalid("COACH_HOURS", hours, f"{unknown[0]!r} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
        first, last = DAY_NAMES[first_name], DAY_NAMES[last_name]
        opens = _minutes("COACH_HOURS", hours, match.group(3), match.group(4), closing=False)
        closes = _minutes("COACH_HOURS", hours, match.group(5), match.group(6), closing=True)
        if opens == closes:
            raise _invalid("COACH_HOURS", hours, "it opens and closes at the same time")
        try:
            office_zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _invalid("COACH_TIMEZONE", zone, "not a time zone such as 'America/New_York'") from None
        days_off = set()
        for day in filter(None, (part.strip() for part in holidays.split(","))):
            try:
                days_off.add(date.fromisoformat(day))
            except ValueError:
                raise _invalid("COACH_HOLIDAYS", holidays, f"{day!r} is not a date (YYYY-MM-DD)") from None
        return cls(days=frozenset((first + step) % 7 for step in range((last - first) % 7 + 1)),
                   opens=opens, closes=closes, zone=office_zone, holidays=frozenset(days_off))

    def _working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _at(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day + timedelta(days=minutes // MINUTES_A_DAY),
                                time(*divmod(minutes % MINUTES_A_DAY, 60)), tzinfo=self.zone)

    def _shift(self, day: date) -> Tuple[datetime, datetime]:
        """When the shift starting on `day` opens and closes (the next day, when it runs overnight)."""
        closes = self.closes if self.closes > self.opens else self.closes + MINUTES_A_DAY
        return self._at(day, self.opens), self._at(day, closes)

    def status(self, now: Optional[datetime] = None) -> Tuple[bool, datetime]:
        """(open now?, when coaches are next at their desks), in the office's time zone."""
        local = (now or datetime.now(self.zone)).astimezone(self.zone)
        for day in (local.date() - timedelta(days=1), local.date()):  # yesterday's shift may run overnight
            if self._working_day(day):
                opens, closes = self._shift(day)
                if opens <= local < closes:
                    return True, local
        day = local.date()
        # Ends: at least one weekday is listed, and there are finitely many holidays.
        while not (self._working_day(day) and self._shift(day)[0] > local):
            day += timedelta(days=1)
        return False, self._shift(day)[0]


def describe_reopening(moment: datetime, now: datetime) -> str:
    """ "today at 9:00 AM EST", "tomorrow at 9:00 AM EST" or "Monday, Dec 28 at 9:00 AM EST"."""
    clock = moment.strftime("%-I:%M %p %Z")
    days_ahead = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    if days_ahead == 0:
        return f"today at {clock}"
    if days_ahead == 1:
        return f"tomorrow at {clock}"
    return f"{moment.strftime('%A, %b %-d')} at {clock}"
