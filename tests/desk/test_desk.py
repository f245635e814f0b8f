"""The coach desk through aiohttp's test client, with a real database and a loopback fake of Rasa."""
import asyncio
import io
import ipaddress
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote_plus

import pytest

from catalog_db.cli import main as catalog_cli
from catalog_db.engine import make_session
from channels.config import ServerConfig
from channels.desk import app as desk_app
from channels.desk.app import create_desk_app, purge_old_transcripts
from channels.desk.keys import db_key, deliveries_key
from handoff_db import desk_access, handoffs
from handoff_db.models import AuditEntry
from tests.desk.conftest import LEARNER, NOW, PASSWORD, RASA_SECRET, csrf_of, handoff_id, sign_in


async def test_sign_in_and_out(client):
    response = await sign_in(client)
    assert response.status == 303
    queue = await client.get("/")
    assert "Waiting learners" in await queue.text() and "dana" in await queue.text()
    logout = await client.post("/logout", data={"csrf": csrf_of(await queue.text())}, allow_redirects=False)
    assert logout.status == 303
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_wrong_password_is_refused(client):
    response = await sign_in(client, password="wrong password!")
    assert response.status == 401 and "password don&#39;t match" in await response.text()
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_strangers_get_nothing(client, database):
    assert (await client.get("/", allow_redirects=False)).status == 302
    assert (await client.get(f"/handoffs/{handoff_id(database)}", allow_redirects=False)).status == 302
    assert (await client.get("/queue.json")).status == 401
    assert (await client.get(f"/handoffs/{handoff_id(database)}/messages")).status == 401
    forged = await client.post(f"/handoffs/{handoff_id(database)}/close", data={"csrf": "x"}, allow_redirects=False)
    assert forged.status == 302
    client.session.cookie_jar.update_cookies({"desk_session": "eyJjb2FjaCI6ImRhbmEifQ.forged"})
    assert (await client.get("/queue.json")).status == 401
    assert (await client.get(f"/handoffs/{handoff_id(database)}/messages?after=abc")).status == 401


async def test_forms_need_the_csrf_token(client, database):
    await sign_in(client)
    handoff = handoff_id(database)
    for data in ({"text": "hi"}, {"text": "hi", "csrf": "wrong"}):
        response = await client.post(f"/handoffs/{handoff}/reply", data=data)
        assert response.status == 403
    with make_session(database) as session:
        assert [m.role for m in handoffs.messages(session, handoff)] == ["learner"]


async def test_learner_text_is_shown_as_text(client, database):
    await sign_in(client)
    page = await (await client.get(f"/handoffs/{handoff_id(database)}")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hi" in page
    assert "Introduction to Generative AI" in page
    messages = await (await client.get(f"/handoffs/{handoff_id(database)}/messages")).json()
    assert messages["messages"][0]["text"] == "<script>alert(1)</script> hi"
    response = await client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


async def test_claim_reply_close_reach_rasa_and_the_audit_log(client, database, fake_rasa):
    await sign_in(client)
    handoff = handoff_id(database)
    page = await (await client.get(f"/handoffs/{handoff}")).text()
    csrf = csrf_of(page)
    await client.post(f"/handoffs/{handoff}/claim", data={"csrf": csrf})
    await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Hi, I'm Dana."})
    new = await (await client.get(f"/handoffs/{handoff}/messages?after=1")).json()
    assert [(m["role"], m["author"], m["text"]) for m in new["messages"]] == [
        ("system", "dana", "dana joined the conversation."), ("coach", "dana", "Hi, I'm Dana.")]
    await client.post(f"/handoffs/{handoff}/close", data={"csrf": csrf, "outcome": "answered"})
    assert fake_rasa.said() == [
        (LEARNER, ("dana, an admissions coach, has joined the conversation.",), "socketio"),
        (LEARNER, ("dana (admissions coach): Hi, I'm Dana.",), "socketio"),
        (LEARNER, ("The coach has closed this conversation, so you're back with me, the Credential Advisor. What "
                   "else can I help with?", "handoff_active=False"), "socketio")]
    with make_session(database) as session:
        assert handoffs.latest_handoff(session, LEARNER).status == "closed"
        actions = [a.action for a in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["sign-in", "claim", "reply", "close (answered)"]


async def test_a_claimed_handoff_takes_replies_and_close_from_its_coach_or_an_admin_only(
        aiohttp_client, config, database, fake_rasa):
    with make_session(database) as session, session.begin():
        desk_access.create_coach(session, "kim", PASSWORD)
        desk_access.create_coach(session, "ada", PASSWORD, admin=True)
    handoff = handoff_id(database)
    clients = {}
    for name in ("dana", "kim", "ada"):
        clients[name] = await aiohttp_client(create_desk_app(config))
        await sign_in(clients[name], username=name)

    async def post(name: str, action: str, **fields: str):
        page = await (await clients[name].get(f"/handoffs/{handoff}")).text()
        return await clients[name].post(f"/handoffs/{handoff}/{action}", data={"csrf": csrf_of(page), **fields},
                                        allow_redirects=False)

    assert (await post("dana", "claim")).status == 302
    kims_page = await (await clients["kim"].get(f"/handoffs/{handoff}")).text()
    assert "dana has claimed this handoff" in kims_page and 'id="reply-text"' not in kims_page
    assert "already claimed" in unquote_plus((await post("kim", "claim")).headers["Location"])
    assert (await post("kim", "reply", text="Let me take this one")).status == 403
    assert (await post("kim", "close", outcome="answered", confirm="yes")).status == 403
    assert (await post("kim", "assign", coach="kim")).status == 403
    with make_session(database) as session:
        assert [m.text for m in handoffs.messages(session, handoff) if m.role == "coach"] == []
        assert handoffs.handoff_by_id(session, handoff).status == "claimed"
        refusals = [(a.coach, a.action) for a in session.query(AuditEntry).order_by(AuditEntry.id)
                    if "refused" in a.action]
    assert refusals == [("kim", "reply to refused: claimed by dana"), ("kim", "close refused: claimed by dana"),
                        ("kim", "assign refused: claimed by dana")]
    assert fake_rasa.said() == [(LEARNER, ("dana, an admissions coach, has joined the conversation.",), "socketio")]

    assert (await post("ada", "reply", text="An admin may answer")).status == 302
    assert (await post("ada", "assign", coach="nobody")).status == 400
    assert (await post("ada", "assign", coach="kim")).status == 302
    assert (await post("kim", "reply", text="Now it is mine")).status == 302
    assert (await post("dana", "reply", text="No longer mine")).status == 403
    assert (await post("kim", "close", outcome="enrolled")).status == 302
    with make_session(database) as session:
        assert [m.text for m in handoffs.messages(session, handoff) if m.role == "coach"] == [
            "An admin may answer", "Now it is mine"]
        assert handoffs.handoff_by_id(session, handoff).status == "closed"
        assert "assign to kim" in [a.action for a in session.query(AuditEntry).filter(AuditEntry.coach == "ada")]


def delivery_states(page: str) -> list:
    return re.findall(r'<li class="coach" data-delivery="(\w+)"', page)


async def test_replies_the_platform_refuses_wait_are_sent_in_order_once_it_takes_them_and_say_so(
        client, database, fake_rasa, monkeypatch):
    monkeypatch.setattr(desk_app, "ROUND_SECONDS", 0.05)
    await sign_in(client)
    handoff = handoff_id(database)
    fake_rasa.refusing = True
    for text in ("First", "Second"):
        csrf = csrf_of(await (await client.get(f"/handoffs/{handoff}")).text())
        answer = await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": text})
        assert "it has not reached the learner yet (Rasa answered 500: telegram refused: TelegramAPIError" in await answer.text()
    page = await (await client.get(f"/handoffs/{handoff}")).text()
    assert delivery_states(page) == ["waiting", "waiting"] and "waiting to be delivered" in page
    assert fake_rasa.said() == []
    live = await (await client.get(f"/handoffs/{handoff}/messages?after=1000")).json()
    assert [delivery["state"] for delivery in live["deliveries"].values()] == ["waiting", "waiting"]
    assert {delivery["label"] for delivery in live["deliveries"].values()} == {"waiting to be delivered"}

    fake_rasa.refusing = False  # the platform is back: the desk's round sends both, in order
    for _ in range(200):
        if len(fake_rasa.said()) == 2:
            break
        await asyncio.sleep(0.05)
    assert [call[1] for call in fake_rasa.said()] == [("dana (admissions coach): First",),
                                                      ("dana (admissions coach): Second",)]
    assert delivery_states(await (await client.get(f"/handoffs/{handoff}")).text()) == ["sent", "sent"]


async def test_a_reply_refused_past_the_retry_time_is_failed_until_the_next_reply_sends_it_first(
        aiohttp_client, config, database, fake_rasa):
    client = await aiohttp_client(create_desk_app(ServerConfig(**{**config.__dict__, "delivery_retry_seconds": 0})))
    await sign_in(client)
    handoff = handoff_id(database)
    fake_rasa.refusing = True
    csrf = csrf_of(await (await client.get(f"/handoffs/{handoff}")).text())
    await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Lost for now"})
    page = await (await client.get(f"/handoffs/{handoff}")).text()
    assert delivery_states(page) == ["failed"] and "your next reply sends it again" in page
    fake_rasa.refusing = False
    await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Are you there?"})
    assert [call[1] for call in fake_rasa.said()] == [("dana (admissions coach): Lost for now",),
                                                      ("dana (admissions coach): Are you there?",)]
    with make_session(database) as session, session.begin():
        assert [m.delivery for m in handoffs.messages(session, handoff) if m.role == "coach"] == ["sent", "sent"]


async def test_closing_again_or_an_old_handoff_never_touches_the_learners_current_one(client, database, fake_rasa):
    await sign_in(client)
    old = handoff_id(database)
    csrf = csrf_of(await (await client.get(f"/handoffs/{old}")).text())
    closing = {"csrf": csrf, "outcome": "no_response", "confirm": "yes"}
    await client.post(f"/handoffs/{old}/close", data=closing)
    assert len(fake_rasa.said()) == 1  # the learner was told once
    with make_session(database) as session, session.begin():
        current = handoffs.open_handoff(session, sender_id=LEARNER, channel="socketio", reason="asked for a person",
                                        summary={}, transcript=[]).id
    for _ in range(2):
        answer = await client.post(f"/handoffs/{old}/close", data=closing)
        assert "This handoff had already ended." in await answer.text()
    assert len(fake_rasa.said()) == 1
    with make_session(database) as session:
        assert handoffs.active_handoff(session, LEARNER).id == current
        assert [a.action for a in session.query(AuditEntry)].count("close (no_response)") == 1


async def test_a_close_the_learner_hears_of_after_a_newer_handoff_opened_says_nothing(client, database, fake_rasa):
    await sign_in(client)
    old = handoff_id(database)
    fake_rasa.refusing = True
    csrf = csrf_of(await (await client.get(f"/handoffs/{old}")).text())
    await client.post(f"/handoffs/{old}/close", data={"csrf": csrf, "outcome": "answered", "confirm": "yes"})
    with make_session(database) as session, session.begin():
        current = handoffs.open_handoff(session, sender_id=LEARNER, channel="socketio", reason="asked for a person",
                                        summary={}, transcript=[]).id
        handoffs.add_message(session, current, "coach", "Welcome back", author="dana")
    fake_rasa.refusing = False
    assert await client.server.app[deliveries_key].deliver(LEARNER, "socketio") is None
    assert fake_rasa.said() == [(LEARNER, ("dana (admissions coach): Welcome back",), "socketio")]
    with make_session(database) as session:
        assert handoffs.lines_to_send(session, LEARNER) == []


async def test_reply_is_kept_when_rasa_is_down(aiohttp_client, config, database):
    down = ServerConfig(**{**config.__dict__, "rasa_url": "http://127.0.0.1:9"})
    client = await aiohttp_client(create_desk_app(down))
    await sign_in(client)
    handoff = handoff_id(database)
    csrf = csrf_of(await (await client.get(f"/handoffs/{handoff}")).text())
    page = await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Still here"})
    assert "it has not reached the learner yet (Rasa could not be reached" in await page.text()
    with make_session(database) as session:
        assert [m.text for m in handoffs.lines_to_send(session, LEARNER)] == ["Still here"]


async def test_queue_json_lists_waiting_learners(client):
    await sign_in(client)
    rows = await (await client.get("/queue.json")).json()
    assert [(r["channel"], r["reason"], r["last_message"]) for r in rows] == [
        ("website", "asked for a person", "<script>alert(1)</script> hi")]


async def test_slack_notice_once_per_handoff(aiohttp_client, config, fake_rasa, database, monkeypatch):
    monkeypatch.setattr(desk_app, "ROUND_SECONDS", 0.05)
    await aiohttp_client(create_desk_app(config))  # its housekeeping loop announces
    for _ in range(100):
        if fake_rasa.calls:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a few more rounds: nothing is announced twice
    notices = [text for who, text, _ in fake_rasa.calls if who == "slack"]
    assert notices == [f"New handoff from website: asked for a person — http://desk.example/desk/handoffs/{handoff_id(database)}"]


async def test_new_handoffs_can_be_stored_while_slack_is_posted_to(aiohttp_client, config, fake_rasa, database,
                                                                    monkeypatch):
    with make_session(database) as session, session.begin():
        handoffs.open_handoff(session, sender_id="web:learner-2", channel="socketio", reason="asked for a person",
                              summary={}, transcript=[])
    stored, locked = [], []

    def open_another_handoff():  # as the action server would, with little patience for a locked database
        try:
            with sqlite3.connect(database.removeprefix("sqlite:///"), timeout=0.2) as other:
                other.execute("INSERT INTO handoffs (sender_id, channel, status, reason, summary, created_at, "
                              "announced) VALUES ('web:learner-3', 'socketio', 'open', 'asked for a person', '{}', "
                              "'2026-11-23 15:00:00', 1)")
            stored.append(True)
        except sqlite3.OperationalError as error:
            locked.append(str(error))

    fake_rasa.while_posting = open_another_handoff
    monkeypatch.setattr(desk_app, "ROUND_SECONDS", 0.05)
    await aiohttp_client(create_desk_app(config))
    for _ in range(100):
        if len(stored) >= 2:
            break
        await asyncio.sleep(0.05)
    assert locked == []
    assert len(stored) == 2  # one while each announcement was posted, the second after the first was marked
    with make_session(database) as session:
        assert handoffs.unannounced(session) == []


async def test_retention_and_restart_lose_nothing_open(aiohttp_client, config, database):
    client = await aiohttp_client(create_desk_app(config))
    assert purge_old_transcripts(client.server.app[db_key], config) == 0
    await aiohttp_client(create_desk_app(config))  # a restart on the same database
    with make_session(database) as session:
        assert handoffs.active_handoff(session, LEARNER) is not None


async def test_a_missing_catalog_database_gets_a_clear_page_and_is_never_created(aiohttp_client, fake_rasa, tmp_path):
    catalog = tmp_path / "var" / "catalog.sqlite3"  # where the handoffs live too, without HANDOFF_DB_URL
    url = f"sqlite:///{catalog}"
    config = ServerConfig(rasa_url=fake_rasa.url, rasa_jwt_secret=RASA_SECRET, session_secret="desk-secret",
                          database_url=url, catalog_db_url=url, tracker_db_url=f"sqlite:///{tmp_path / 't.sqlite3'}")
    client = await aiohttp_client(create_desk_app(config))
    for path in ("/login", "/", "/queue.json", "/analytics", "/handoffs/1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 503, path
        page = await response.text()
        assert f"{catalog} does not exist" in page and "make catalog" in page
    assert not catalog.parent.exists() and not (tmp_path / "t.sqlite3").exists()

    assert catalog_cli(["ensure", "--url", url]) == 0  # `make catalog`: the desk works without a restart
    assert (await client.get("/login")).status == 200
    with make_session(url) as session:
        assert handoffs.queue(session) == []  # its tables were created in the catalog's database


async def test_an_unreachable_database_is_named_without_its_password(aiohttp_client, config):
    down = "postgresql+psycopg2://desk:s3cret-pass@127.0.0.1:9/handoffs?connect_timeout=2"
    client = await aiohttp_client(create_desk_app(ServerConfig(**{**config.__dict__, "database_url": down})))
    response = await client.get("/login")
    page = await response.text()
    assert response.status == 503 and "127.0.0.1:9/handoffs" in page and "s3cret-pass" not in page


def test_refuses_to_start_without_a_session_secret(config):
    with pytest.raises(ValueError, match="DESK_SESSION_SECRET"):
        create_desk_app(ServerConfig(**{**config.__dict__, "session_secret": ""}))


def test_command_line_creates_coaches_and_purges(tmp_path, monkeypatch, capsys):
    from channels.desk.__main__ import main

    monkeypatch.setenv("HANDOFF_DB_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-coach", "sam", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-coach", "sam", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-coach", "kim", "--password-stdin"]) == 1
    assert main(["purge", "--days", "30"]) == 0
    assert "Deleted 0 closed handoffs." in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a new long password\n"))
    assert main(["set-password", "sam", "--password-stdin"]) == 0
    assert main(["revoke", "sam"]) == 0 and "Ended 0 sessions of sam." in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a new long password\n"))
    assert main(["set-password", "nobody", "--password-stdin"]) == 1


async def test_messages_after_a_non_number_is_400(client, database):
    await sign_in(client)
    assert (await client.get(f"/handoffs/{handoff_id(database)}/messages?after=abc")).status == 400


async def test_wrong_passwords_are_throttled_per_account_and_logged(client, database):
    for _ in range(desk_access.MAX_FAILURES_PER_ACCOUNT):
        assert (await sign_in(client, password="wrong password!")).status == 401
    refused = await sign_in(client)  # the right password, but too late
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in await refused.text()
    assert (await client.get("/", allow_redirects=False)).status == 302
    with make_session(database) as session:
        actions = [a.action for a in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("sign-in failed from 127.0.0.1") == desk_access.MAX_FAILURES_PER_ACCOUNT
    assert actions[-1] == "sign-in refused (too many failures) from 127.0.0.1"


async def test_behind_a_trusted_proxy_the_throttle_counts_per_forwarded_client(aiohttp_client, config, database):
    behind_ingress = ServerConfig(**{**config.__dict__, "trusted_proxies": (ipaddress.ip_network("127.0.0.0/8"),)})
    client = await aiohttp_client(create_desk_app(behind_ingress))

    async def sign_in_from(address: str, username: str) -> int:
        page = await client.get("/login")
        response = await client.post("/login", data={"username": username, "password": "wrong password!",
                                                      "csrf": csrf_of(await page.text())},
                                     headers={"X-Forwarded-For": f"198.51.100.200, {address}"})
        return response.status

    statuses = [await sign_in_from("203.0.113.1", f"guess-{n}") for n in range(desk_access.MAX_FAILURES_PER_ADDRESS + 1)]
    assert statuses[-1] == 429  # the guesser's own address is throttled
    assert await sign_in_from("203.0.113.2", "dana") == 401  # another coach behind the same ingress is not
    with make_session(database) as session:
        actions = [a.action for a in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert "sign-in failed from 203.0.113.2" in actions


def test_the_throttle_counts_per_address_and_forgets_after_the_window(database):
    with make_session(database) as session, session.begin():
        for number in range(desk_access.MAX_FAILURES_PER_ADDRESS):
            desk_access.record_sign_in(session, f"guess-{number}", "10.0.0.9", False, now=NOW)
        assert desk_access.sign_in_wait(session, "dana", "10.0.0.9", now=NOW) is not None
        assert desk_access.sign_in_wait(session, "dana", "10.0.0.10", now=NOW) is None
        later = NOW + desk_access.THROTTLE_WINDOW + timedelta(seconds=1)
        assert desk_access.sign_in_wait(session, "dana", "10.0.0.9", now=later) is None


async def test_a_logged_out_or_revoked_cookie_no_longer_works(client, database):
    await sign_in(client)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["desk_session"].value
    queue = await client.get("/")
    await client.post("/logout", data={"csrf": csrf_of(await queue.text())})
    client.session.cookie_jar.update_cookies({"desk_session": cookie})  # a copy kept from before
    assert (await client.get("/queue.json")).status == 401

    client.session.cookie_jar.clear()
    await sign_in(client)
    assert (await client.get("/queue.json")).status == 200
    with make_session(database) as session, session.begin():
        assert desk_access.revoke_sessions(session, "dana") == 1
    assert (await client.get("/queue.json")).status == 401
    await sign_in(client)
    with make_session(database) as session, session.begin():
        desk_access.set_password(session, "dana", "another long password")
    assert (await client.get("/queue.json")).status == 401


async def test_the_session_cookie_is_secure_behind_https(aiohttp_client, config):
    https = ServerConfig(**{**config.__dict__, "public_url": "https://desk.example"})
    client = await aiohttp_client(create_desk_app(https))
    page = await client.get("/login")
    assert "Secure" in page.headers["Set-Cookie"]  # so the test client, on plain HTTP, will not send it back
    login_cookie = page.cookies["desk_login"].value
    response = await client.post("/login", data={"username": "dana", "password": PASSWORD,
                                                 "csrf": csrf_of(await page.text())},
                                 headers={"Cookie": f"desk_login={login_cookie}"}, allow_redirects=False)
    assert response.status == 303
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    plain = await sign_in(await aiohttp_client(create_desk_app(config)))
    assert "Secure" not in plain.headers["Set-Cookie"]


async def test_password_checks_leave_the_event_loop_free(client):
    async def wrong_sign_in():
        page = await client.get("/login")
        return await client.post("/login", data={"username": "kim", "password": "wrong password!",
                                                  "csrf": csrf_of(await page.text())})

    checks = asyncio.gather(*(wrong_sign_in() for _ in range(8)))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    assert (await client.get("/login")).status == 200
    waited = asyncio.get_running_loop().time() - started
    await checks
    assert waited < 0.5, f"the sign-in page took {waited:.2f} s while passwords were checked"


@pytest.mark.parametrize("sender", ["rest:x/../web:learner-1", "rest:a?b#c", "rest:100%", "rest:with space",
                                    "rest:" + "n" * 1000])
async def test_conversation_ids_reach_rasa_percent_encoded_whole(client, database, fake_rasa, sender):
    with make_session(database) as session, session.begin():
        handoffs.open_handoff(session, sender_id=sender, channel="socketio", reason="asked for a person", summary={},
                              transcript=[])
        handoff = handoffs.active_handoff(session, sender).id
    await sign_in(client)
    csrf = csrf_of(await (await client.get(f"/handoffs/{handoff}")).text())
    await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Hello"})
    assert fake_rasa.said() == [(sender, ("dana (admissions coach): Hello",), "socketio")]
    assert fake_rasa.tracker_reads == []
    with make_session(database) as session:
        assert handoffs.active_handoff(session, LEARNER) is not None  # the other learner is untouched


def test_retention_closes_abandoned_handoffs_and_ages_out_the_audit_log(database):
    with make_session(database) as session, session.begin():
        session.add(AuditEntry(coach="dana", action="claim", at=NOW - timedelta(days=400)))
        assert handoffs.close_abandoned(session, idle_days=30, now=NOW + timedelta(days=31)) == 1
        assert handoffs.active_handoff(session, LEARNER) is None
        desk_access.purge_expired(session, audit_days=365, now=NOW)
        assert session.query(AuditEntry).count() == 0


async def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(client):
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 20000000\r\n\r\n")
    await writer.drain()
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 413")
    writer.close()


async def test_learner_messages_the_relay_missed_are_collected_from_rasa_once(client, database, fake_rasa):
    handoff = handoff_id(database)
    later = datetime.now(timezone.utc).timestamp() + 5
    fake_rasa.trackers[LEARNER] = {"latest_message": {"text": "are you there?"}, "events": [
        {"event": "user", "text": "earlier, before the handoff", "timestamp": 1_700_000_000},
        {"event": "user", "text": "are you there?", "timestamp": later},
        {"event": "user", "text": "/message_too_long", "timestamp": later + 1}]}
    assert await desk_app.collect_missed_learner_messages(client.server.app) == 1
    with make_session(database) as session:
        assert [m.text for m in handoffs.messages(session, handoff)][-1] == "are you there?"
    fake_rasa.tracker_reads.clear()
    assert await desk_app.collect_missed_learner_messages(client.server.app) == 0
    assert fake_rasa.tracker_reads == [(LEARNER, "NONE")]  # a look at the newest message only
