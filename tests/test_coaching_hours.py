"""Coaching hours: open or closed now, and when coaches are back."""
import re
from datetime import datetime

import pytest
from zoneinfo import ZoneInfo

from bot.actions.coaching_hours import CoachingHours, describe_reopening

EASTERN = ZoneInfo("America/New_York")
HOURS = CoachingHours.parse("Mon-Fri 09:00-17:00", "America/New_York", "2026-12-25")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=EASTERN)


@pytest.mark.parametrize(
    "now, is_open, back",
    [
        ("2026-11-23T10:00", True, "today at 10:00 AM EST"),
        ("2026-11-23T08:00", False, "today at 9:00 AM EST"),
        ("2026-11-23T17:00", False, "tomorrow at 9:00 AM EST"),
        ("2026-11-22T12:00", False, "tomorrow at 9:00 AM EST"),  # Sunday
        ("2026-12-24T18:00", False, "Monday, Dec 28 at 9:00 AM EST"),  # holiday, then a weekend
    ],
)
def test_status_and_reopening(now, is_open, back):
    opened, reopens = HOURS.status(at(now))
    assert opened is is_open
    assert describe_reopening(reopens, at(now)) == back


def test_time_zone_is_respected():
    opened, _ = HOURS.status(datetime.fromisoformat("2026-11-23T14:30+00:00"))  # 9:30 in New York
    assert opened


def test_all_day_hours():
    always = CoachingHours.parse("Mon-Sun 00:00-24:00", "UTC")
    assert always.status(datetime.fromisoformat("2026-11-22T23:59:59+00:00"))[0]


def utc(text):
    return datetime.fromisoformat(text + "+00:00")


@pytest.mark.parametrize("hours, now, is_open, back", [
    # Friday to Monday, over the weekend: 2026-11-20 is a Friday.
    ("Fri-Mon 09:00-17:00", "2026-11-20T10:00", True, "2026-11-20T10:00"),
    ("Fri-Mon 09:00-17:00", "2026-11-22T12:00", True, "2026-11-22T12:00"),  # Sunday
    ("Fri-Mon 09:00-17:00", "2026-11-23T16:59", True, "2026-11-23T16:59"),  # Monday
    ("Fri-Mon 09:00-17:00", "2026-11-23T17:00", False, "2026-11-27T09:00"),  # Monday evening: Friday next
    ("Fri-Mon 09:00-17:00", "2026-11-25T12:00", False, "2026-11-27T09:00"),  # Wednesday
    ("sat-fri 00:00-24:00", "2026-11-25T03:00", True, "2026-11-25T03:00"),  # every day, written from Saturday
    ("Sun-Sat 00:00-24:00", "2026-11-22T23:59", True, "2026-11-22T23:59"),
    ("Wednesday 10:00-11:00", "2026-11-25T10:30", True, "2026-11-25T10:30"),
    ("Wednesday 10:00-11:00", "2026-11-25T11:00", False, "2026-12-02T10:00"),
    # Overnight: the shift opens on each listed evening and closes the next morning.
    ("Mon-Fri 17:00-09:00", "2026-11-23T18:00", True, "2026-11-23T18:00"),  # Monday evening
    ("Mon-Fri 17:00-09:00", "2026-11-24T08:59", True, "2026-11-24T08:59"),  # Tuesday morning, Monday's shift
    ("Mon-Fri 17:00-09:00", "2026-11-24T12:00", False, "2026-11-24T17:00"),
    ("Mon-Fri 17:00-09:00", "2026-11-23T08:00", False, "2026-11-23T17:00"),  # Monday morning: Sunday had none
    ("Mon-Fri 17:00-09:00", "2026-11-21T08:00", True, "2026-11-21T08:00"),  # Saturday morning, Friday's shift
    ("Mon-Fri 17:00-09:00", "2026-11-21T09:00", False, "2026-11-23T17:00"),
    ("Fri-Sun 22:00-02:00", "2026-11-23T01:00", True, "2026-11-23T01:00"),  # Monday 1 am: Sunday's shift
    ("Mon 00:00-00:30", "2026-11-23T00:15", True, "2026-11-23T00:15"),
])
def test_wrap_around_days_and_overnight_hours(hours, now, is_open, back):
    opened, when = CoachingHours.parse(hours, "UTC").status(utc(now))
    assert (opened, when) == (is_open, utc(back))


def test_a_holiday_skips_the_shift_that_starts_on_it_but_not_the_night_before():
    hours = CoachingHours.parse("Mon-Fri 17:00-09:00", "UTC", "2026-11-26")  # Thursday
    assert hours.status(utc("2026-11-26T08:00")) == (True, utc("2026-11-26T08:00"))  # Wednesday's night shift
    assert hours.status(utc("2026-11-26T18:00")) == (False, utc("2026-11-27T17:00"))


def test_the_whole_week_off_on_holidays_still_finds_the_next_shift():
    holidays = ",".join(f"2026-12-{day:02d}" for day in range(21, 32))
    hours = CoachingHours.parse("Mon-Fri 09:00-17:00", "UTC", holidays)
    assert hours.status(utc("2026-12-21T10:00")) == (False, utc("2027-01-01T09:00"))


@pytest.mark.parametrize("hours, reason", [
    ("", "write it like 'Mon-Fri 09:00-17:00'"),
    ("weekdays 9 to 5", "write it like"),
    ("Mon-Fri 9-5", "write it like"),
    ("Mon-Fri", "write it like"),
    ("09:00-17:00", "write it like"),
    ("Mon-Fri 09:00", "write it like"),
    ("Mon-Fri 09:00-17:00, Sat 10:00-12:00", "write it like"),
    ("Mon-Fry 09:00-17:00", "'fry' is not a day"),
    ("Mo-Fr 09:00-17:00", "'mo' is not a day"),
    ("Mon-Fri 24:30-17:00", "24:30 is not an opening time"),
    ("Mon-Fri 09:00-24:30", "24:30 is not a closing time"),
    ("Mon-Fri 24:00-17:00", "24:00 is not an opening time"),
    ("Mon-Fri 09:60-17:00", "09:60 is not an opening time"),
    ("Mon-Fri 09:00-17:75", "17:75 is not a closing time"),
    ("Mon-Fri 25:00-17:00", "25:00 is not an opening time"),
    ("Mon-Fri 09:00-09:00", "opens and closes at the same time"),
    ("Mon-Fri 00:00-00:00", "opens and closes at the same time"),
])
def test_every_invalid_hours_value_is_refused_naming_the_variable_and_value(hours, reason):
    with pytest.raises(ValueError) as refused:
        CoachingHours.parse(hours, "UTC")
    assert str(refused.value).startswith(f"COACH_HOURS={hours!r} is not valid: ")
    assert reason in str(refused.value)


@pytest.mark.parametrize("zone, holidays, message", [
    ("Mars/Olympus_Mons", "", "COACH_TIMEZONE='Mars/Olympus_Mons' is not valid"),
    ("", "", "COACH_TIMEZONE='' is not valid"),
    ("../../etc/passwd", "", "COACH_TIMEZONE='../../etc/passwd' is not valid"),
    ("UTC", "2026-12-25,Christmas", "COACH_HOLIDAYS='2026-12-25,Christmas' is not valid: 'Christmas' is not a date"),
    ("UTC", "2026-13-01", "COACH_HOLIDAYS='2026-13-01' is not valid"),
])
def test_an_invalid_time_zone_or_holiday_is_refused_naming_the_variable(zone, holidays, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        CoachingHours.parse("Mon-Fri 09:00-17:00", zone, holidays)
