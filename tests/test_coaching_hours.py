"""Coaching hours: open or closed now, and when coaches are back."""
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


def test_bad_configuration_is_explained():
    with pytest.raises(ValueError, match="Mon-Fri 09:00-17:00"):
        CoachingHours.parse("weekdays 9 to 5", "UTC")
