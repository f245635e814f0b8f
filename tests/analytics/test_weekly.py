"""The weekly summary e-mailed to admins: when it is due, to whom, once, and what it says."""
import dataclasses
import email
import email.policy
from datetime import date, datetime

import pytest
from sqlalchemy.orm import sessionmaker

from catalog_db.engine import get_engine, make_session
from channels.config import ServerConfig, weekly_time
from channels.desk.analytics import weekly
from handoff_db import desk_access
from tests.analytics.conftest import ZONE

MONDAY_8 = (0, 8, 0)
PASSWORD = "correct horse battery"


def at(*parts):
    return datetime(*parts, tzinfo=ZONE)


def test_the_setting_reads_a_day_and_a_time():
    assert weekly_time({"W": "Mon 08:00"}, "W") == MONDAY_8
    assert weekly_time({"W": "friday 17:30"}, "W") == (4, 17, 30)
    assert weekly_time({}, "W") is None
    for wrong in ("Mon", "Someday 08:00", "Mon 25:00", "08:00"):
        with pytest.raises(ValueError, match="W="):
            weekly_time({"W": wrong}, "W")


def test_due_once_the_moment_has_come_and_for_a_day_after():
    assert weekly.due_week(at(2026, 11, 30, 7, 59), MONDAY_8) is None  # last Monday's is 7 days old
    assert weekly.due_week(at(2026, 11, 30, 8, 0), MONDAY_8) == date(2026, 11, 30)
    assert weekly.due_week(at(2026, 12, 1, 7, 59), MONDAY_8) == date(2026, 11, 30)
    assert weekly.due_week(at(2026, 12, 1, 8, 0), MONDAY_8) is None  # missed by a day: skipped


def test_the_week_is_mailed_to_the_active_admins_once(office, smtp_server):
    inbox, url = smtp_server
    with make_session(office) as session, session.begin():
        desk_access.create_coach(session, "ada", PASSWORD, admin=True, email="ada@example.edu")
        desk_access.create_coach(session, "bo", PASSWORD, admin=True)  # no address
        desk_access.create_coach(session, "cy", PASSWORD, email="cy@example.edu")  # not an admin
        desk_access.create_coach(session, "di", PASSWORD, admin=True, email="di@example.edu")
        desk_access.set_active(session, "di", False, by="ada")
    config = ServerConfig(smtp_url=url, weekly_summary=MONDAY_8, office_timezone=str(ZONE),
                          public_url="https://desk.example.edu")
    sessions = sessionmaker(get_engine(office), future=True)
    assert weekly.send_if_due(sessions, config, at(2026, 11, 30, 9, 0)) == date(2026, 11, 30)
    assert weekly.send_if_due(sessions, config, at(2026, 11, 30, 9, 5)) is None  # once
    assert len(inbox.received) == 1
    recipients, raw = inbox.received[0]
    assert recipients == ["ada@example.edu"]
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert mail["Subject"] == "The assistant's week to 29 Nov 2026"
    content = mail.get_content()
    # The office's week (23 to 29 November): figures only, never a learner's words.
    assert "Conversations: 6 (API 1, Slack 1, Telegram 1, website 3)" in content
    assert "Containment: 50 %; handoffs: 3" in content
    assert "Questionnaire: started 2, goal 2, time 2, family and work 1, budget 1, education 1, recommendation 1" in content
    assert "Waiting in the review: 4 groups" in content
    assert "https://desk.example.edu/desk/analytics?start=2026-11-23&end=2026-11-29" in content
    assert "weather" not in content and "blorp" not in content


def test_nothing_is_sent_unless_configured(office, smtp_server):
    inbox, url = smtp_server
    sessions = sessionmaker(get_engine(office), future=True)
    configured = ServerConfig(smtp_url=url, weekly_summary=MONDAY_8, office_timezone=str(ZONE))
    for config in (dataclasses.replace(configured, smtp_url=None), dataclasses.replace(configured, weekly_summary=None)):
        assert weekly.send_if_due(sessions, config, at(2026, 11, 30, 9, 0)) is None
    assert inbox.received == []
