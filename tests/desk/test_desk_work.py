"""A coach's working day on the desk, through aiohttp's test client with a real database and a
loopback fake of Rasa: saved replies, notes, assignment, closing with a reason, reopening, search,
alerts, accounts, and e-mail to the coaches on duty through a local SMTP server."""
import dataclasses
import re
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import update

from catalog_db.engine import make_session
from channels.desk import email_alerts
from channels.desk.app import create_desk_app
from handoff_db import desk_access, handoffs
from handoff_db.models import AuditEntry, Handoff
from tests.desk.conftest import LEARNER, NOW, PASSWORD, csrf_of, handoff_id, sign_in

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def admin(database):
    with make_session(database) as session, session.begin():
        desk_access.create_coach(session, "ada", PASSWORD, admin=True)
    return "ada"


async def signed_in(aiohttp_client, config, username="dana"):
    client = await aiohttp_client(create_desk_app(config))
    assert (await sign_in(client, username=username)).status == 303
    return client


async def form(client, page_path, action, **fields):
    """Post a form the way the page would: with the page's CSRF token; redirects are not followed."""
    csrf = csrf_of(await (await client.get(page_path)).text())
    return await client.post(action, data={"csrf": csrf, **fields}, allow_redirects=False)


def notice_of(response) -> str:
    return unquote_plus(response.headers.get("Location", ""))


def audit_log(database):
    with make_session(database) as session:
        return [(a.coach, a.action) for a in session.query(AuditEntry).order_by(AuditEntry.id)]


async def test_admins_keep_saved_replies_and_a_coach_inserts_one_by_its_shortcut(aiohttp_client, config, database,
                                                                                 fake_rasa, admin):
    coach, boss = await signed_in(aiohttp_client, config), await signed_in(aiohttp_client, config, admin)
    refused = await form(coach, "/saved-replies", "/saved-replies", shortcut="aid", title="Aid", text="x")
    assert refused.status == 403
    added = await form(boss, "/saved-replies", "/saved-replies", shortcut="aid", title=f"Aid {HOSTILE}",
                       text=f"Certificates often qualify for financial aid. {HOSTILE}")
    assert added.status == 200 and HOSTILE not in await added.text()
    handoff = handoff_id(database)
    page = await (await coach.get(f"/handoffs/{handoff}")).text()
    assert 'data-shortcut="aid"' in page and HOSTILE not in page and "&lt;img src=x" in page
    await form(coach, f"/handoffs/{handoff}", f"/handoffs/{handoff}/reply", text=" /aid ")
    assert fake_rasa.said()[-1][1] == (f"dana (admissions coach): Certificates often qualify for financial aid. {HOSTILE}",)
    assert ("ada", "saved reply added: /aid") in audit_log(database)


async def test_notes_are_shown_apart_and_never_reach_the_learner(client, database, fake_rasa):
    await sign_in(client)
    handoff = handoff_id(database)
    await form(client, f"/handoffs/{handoff}", f"/handoffs/{handoff}/notes", text=f"Prefers evenings {HOSTILE}")
    page = await (await client.get(f"/handoffs/{handoff}")).text()
    notes = page.split('id="notes"', 1)[1].split("</ul>", 1)[0]
    assert "Prefers evenings &lt;img" in notes and HOSTILE not in page
    assert "Prefers evenings" not in page.split('id="transcript"', 1)[1].split("</ol>", 1)[0]
    messages = await (await client.get(f"/handoffs/{handoff}/messages")).json()
    assert not [m for m in messages["messages"] if "Prefers evenings" in m["text"]]
    await form(client, f"/handoffs/{handoff}", f"/handoffs/{handoff}/reply", text="Hello")
    assert not [call for call in fake_rasa.calls if "Prefers evenings" in str(call)]
    assert ("dana", "note") in audit_log(database)


async def test_anyone_assigns_an_unclaimed_handoff_its_coach_passes_it_on_admins_take_it(aiohttp_client, config,
                                                                                          database, fake_rasa, admin):
    with make_session(database) as session, session.begin():
        desk_access.create_coach(session, "kim", PASSWORD, display_name="Kim Lee")
        desk_access.create_coach(session, "gone", PASSWORD)
        desk_access.set_active(session, "gone", False, by=admin)
    dana, kim, boss = [await signed_in(aiohttp_client, config, name) for name in ("dana", "kim", admin)]
    handoff = handoff_id(database)
    path = f"/handoffs/{handoff}"
    assert (await form(dana, path, path + "/assign", coach="gone")).status == 400  # deactivated: not assignable
    assert (await form(dana, path, path + "/assign", coach="kim")).status == 302
    assert (await form(dana, path, path + "/assign", coach="dana")).status == 403  # kim has it now
    assert (await form(kim, path, path + "/assign", coach="dana")).status == 302
    assert (await form(boss, path, path + "/assign", coach="kim")).status == 302
    joined = [call[1][0] for call in fake_rasa.said()]
    assert joined == ["Kim Lee, an admissions coach, has joined the conversation.",
                      "dana, an admissions coach, has joined the conversation.",
                      "Kim Lee, an admissions coach, has joined the conversation."]
    assert [a for a in audit_log(database) if "assign" in a[1]] == [
        ("dana", "assign to kim"), ("dana", "assign refused: claimed by kim"), ("kim", "assign to dana"),
        ("ada", "assign to kim")]


async def test_closing_over_an_unanswered_message_needs_a_reason_and_a_confirmation(client, database, fake_rasa):
    await sign_in(client)
    handoff = handoff_id(database)
    path = f"/handoffs/{handoff}"
    page = await (await client.get(path)).text()
    assert "has no answer yet" in page and 'name="confirm"' in page
    assert "Choose how the conversation ended" in notice_of(await form(client, path, path + "/close"))
    assert "Close without answering" in notice_of(await form(client, path, path + "/close", outcome="answered"))
    with make_session(database) as session:
        assert handoffs.handoff_by_id(session, handoff).active
    assert fake_rasa.said() == []
    await form(client, path, path + "/close", outcome="no_response", confirm="yes")
    with make_session(database) as session:
        closed = handoffs.handoff_by_id(session, handoff)
    assert (closed.status, closed.outcome) == ("closed", "no_response")
    analytics = await (await client.get("/analytics?days=7")).text()
    assert re.search(r'data-outcome="no_response">1<', analytics)


async def test_an_answered_learner_is_closed_without_a_confirmation(client, database, fake_rasa):
    await sign_in(client)
    path = f"/handoffs/{handoff_id(database)}"
    await form(client, path, path + "/reply", text="Here is the answer.")
    assert "has no answer yet" not in await (await client.get(path)).text()
    await form(client, path, path + "/close", outcome="answered")
    assert "back with me" in fake_rasa.said()[-1][1][0]


async def test_a_closed_handoff_reopens_within_a_day_and_the_learner_is_back_with_the_coach(client, database,
                                                                                           fake_rasa):
    await sign_in(client)
    handoff = handoff_id(database)
    path = f"/handoffs/{handoff}"
    await form(client, path, path + "/close", outcome="answered", confirm="yes")
    page = await (await client.get(path)).text()
    assert "Reopen" in page
    await form(client, path, path + "/reopen")
    assert fake_rasa.said()[-1][1] == (
        "dana, an admissions coach, has reopened our conversation: anything you type now goes to them again.",
        "handoff_active=True")
    with make_session(database) as session, session.begin():
        assert handoffs.handoff_by_id(session, handoff).claimed_by == "dana"
        handoffs.close_handoff(session, handoff, "dana", "answered")
        session.execute(update(Handoff).where(Handoff.id == handoff).values(closed_at=NOW - timedelta(days=2)))
    assert "Reopen" not in await (await client.get(path)).text()
    assert "less than a day" in notice_of(await form(client, path, path + "/reopen"))


async def test_search_and_filters_show_channels_by_name_and_escape_what_learners_wrote(client, database):
    await sign_in(client)
    with make_session(database) as session, session.begin():
        handoffs.open_handoff(session, sender_id="telegram:7", channel="telegram", reason="asked for a person",
                              summary={"program": "Introduction to CAD", "other_programs": []},
                              transcript=[("learner", f"CAD question {HOSTILE}", NOW)])
    page = await (await client.get("/handoffs?q=cad")).text()
    results = page.split('id="results"', 1)[1]
    assert "1 handoff." in page and "Telegram" in results and HOSTILE not in page and "&lt;img" in results
    page = await (await client.get("/handoffs?q=script&channel=socketio&status=active")).text()
    assert "1 handoff." in page and "website" in page.split('id="results"', 1)[1]
    assert "0 handoffs." in await (await client.get("/handoffs?coach=dana&status=closed")).text()
    assert "0 handoffs." in await (await client.get(f"/handoffs?since={(NOW + timedelta(days=400)).date()}")).text()
    assert (await client.get("/handoffs?channel=fax")).status == 400
    assert (await client.get("/handoffs?since=yesterday")).status == 400


async def test_alerts_need_a_coach_and_say_what_is_new(client, database):
    assert (await client.get("/alerts.json?handoffs=0&messages=0")).status == 401
    await sign_in(client)
    assert (await client.get("/alerts.json")).status == 400
    first = await (await client.get("/alerts.json?handoffs=0&messages=0")).json()
    assert [a["title"] for a in first["alerts"]] == ["New handoff from website"]
    again = await (await client.get(f"/alerts.json?handoffs={first['handoffs']}&messages={first['messages']}")).json()
    assert again["alerts"] == []


async def test_only_admins_manage_accounts_and_forms_need_their_token(client, aiohttp_client, config, database, admin):
    await sign_in(client)
    assert (await client.get("/coaches")).status == 403
    assert (await form(client, "/", "/coaches", username="mallory")).status == 403
    boss = await signed_in(aiohttp_client, config, admin)
    assert (await boss.post("/coaches", data={"username": "mallory"}, allow_redirects=False)).status == 403  # no CSRF
    with make_session(database) as session:
        assert desk_access.coach(session, "mallory") is None


async def test_a_new_coach_sets_their_password_with_the_one_time_link(aiohttp_client, config, database, admin):
    boss = await signed_in(aiohttp_client, config, admin)
    created = await form(boss, "/coaches", "/coaches", username="sam", display_name=f"Sam {HOSTILE}",
                         email="sam@example.edu")
    page = await created.text()
    assert HOSTILE not in page and "Sam &lt;img" in page
    link = re.search(r'id="password-link">([^<]+)<', page).group(1)
    token = link.split("token=", 1)[1]
    newcomer = await aiohttp_client(create_desk_app(config))
    welcome = await (await newcomer.get(f"/welcome?token={token}")).text()
    assert "Welcome, sam" in welcome
    short = await newcomer.post("/welcome", data={"csrf": csrf_of(welcome), "token": token, "password": "short",
                                                  "again": "short"})
    assert short.status == 400
    welcome = await short.text()  # a fresh form, with a fresh token
    done = await newcomer.post("/welcome", data={"csrf": csrf_of(welcome), "token": token,
                                                 "password": "sam's own password", "again": "sam's own password"})
    assert done.status == 200
    assert (await newcomer.get(f"/welcome?token={token}")).status == 410  # once only
    assert (await sign_in(newcomer, password="sam's own password", username="sam")).status == 303
    assert [a for a in audit_log(database) if "sam" in a[1]][:2] == [
        ("ada", "coach created: sam"), ("ada", "set-password link issued: sam")]


async def test_a_temporary_password_must_be_replaced_and_deactivation_ends_every_session(aiohttp_client, config,
                                                                                       database, admin):
    boss = await signed_in(aiohttp_client, config, admin)
    created = await (await form(boss, "/coaches", "/coaches", username="tom", password="temporary")).text()
    temporary = re.search(r'id="temporary-password">([^<]+)<', created).group(1)
    tom = await aiohttp_client(create_desk_app(config))
    assert (await sign_in(tom, password=temporary, username="tom")).status == 303
    forced = await tom.get("/", allow_redirects=False)
    assert forced.status == 302 and forced.headers["Location"].endswith("/password")
    changed = await form(tom, "/password", "/password", current=temporary, password="tom's new password",
                         again="tom's new password")
    assert changed.status == 303
    assert (await tom.get("/", allow_redirects=False)).status == 200
    assert "can no longer sign in" in await (await form(boss, "/coaches", "/coaches/tom", change="deactivate")).text()
    assert (await tom.get("/", allow_redirects=False)).status == 302  # signed out everywhere
    assert (await sign_in(tom, password="tom's new password", username="tom")).status == 401
    await form(boss, "/coaches", "/coaches/tom", change="activate")
    await form(boss, "/coaches", "/coaches/tom", change="grant_admin")
    assert "cannot lock yourself out" in await (await form(boss, "/coaches", f"/coaches/{admin}",
                                                           change="deactivate")).text()
    assert [a for a in audit_log(database) if a[1].endswith(": tom")][-3:] == [
        ("ada", "deactivated: tom"), ("ada", "activated: tom"), ("ada", "admin granted: tom")]


async def test_an_e_mail_alert_reaches_the_coaches_on_duty_with_only_the_first_line(config, database, smtp_server):
    inbox, url = smtp_server
    with make_session(database) as session, session.begin():
        desk_access.create_coach(session, "kim", PASSWORD, email="kim@example.edu")
        desk_access.create_coach(session, "lee", PASSWORD, email="lee@example.edu")
        desk_access.set_details(session, "dana", "Dana", "dana@example.edu", by="dana")
        for name in ("dana", "kim"):
            desk_access.set_on_duty(session, name, True)
        handoffs.record_learner_messages(session, handoff_id(database), [
            ("Can someone call me?\nMy phone is 304 555 0100 and my SSN is 123", NOW)])
    mailing = dataclasses.replace(config, smtp_url=url, smtp_from="Desk <desk@example.edu>")
    assert await email_alerts.email_new_handoffs(mailing_sessions(database), mailing) == [handoff_id(database)]
    assert len(inbox.received) == 1
    recipients, content = inbox.received[0]
    assert sorted(recipients) == ["dana@example.edu", "kim@example.edu"]
    assert "Can someone call me?" in content and "304 555" not in content and "SSN" not in content
    assert f"http://desk.example/desk/handoffs/{handoff_id(database)}" in content
    assert await email_alerts.email_new_handoffs(mailing_sessions(database), mailing) == []  # once per handoff


def mailing_sessions(database):
    from sqlalchemy.orm import sessionmaker

    from catalog_db.engine import get_engine
    return sessionmaker(get_engine(database), future=True)


async def test_a_reply_carries_the_coaches_display_name(client, database, fake_rasa):
    with make_session(database) as session, session.begin():
        desk_access.set_details(session, "dana", "Dana Whitfield", None, by="dana")
    await sign_in(client)
    path = f"/handoffs/{handoff_id(database)}"
    await form(client, path, path + "/reply", text="Hello!")
    assert fake_rasa.said()[-1][1] == ("Dana Whitfield (admissions coach): Hello!",)
    assert LEARNER == fake_rasa.said()[-1][0]
