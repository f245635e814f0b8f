"""The coach desk through aiohttp's test client, with a real database and a loopback fake of Rasa."""
import asyncio
import io
import re
from datetime import datetime, timezone

import pytest
from aiohttp import web

from catalog_db import handoffs
from catalog_db.engine import create_schema, get_engine, make_session
from catalog_db.models import AuditEntry
from channels.config import ServerConfig
from channels.desk import app as desk_app
from channels.desk.app import create_desk_app, purge_old_transcripts

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


class FakeRasa:
    """Records the API calls the desk makes and checks the token."""

    def __init__(self):
        self.calls = []

    async def execute(self, request: web.Request) -> web.Response:
        if request.query.get("token") != "rasa-token":
            return web.json_response({"error": "bad token"}, status=401)
        body = await request.json()
        self.calls.append((request.match_info["sender"], body["name"], request.query.get("output_channel")))
        return web.json_response({"messages": []})

    async def slack(self, request: web.Request) -> web.Response:
        self.calls.append(("slack", (await request.json())["text"], None))
        return web.Response(text="ok")


@pytest.fixture
async def fake_rasa(aiohttp_server):
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/conversations/{sender}/execute", fake.execute)
    app.router.add_post("/slack", fake.slack)
    server = await aiohttp_server(app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    create_schema(get_engine(url))
    with make_session(url) as session, session.begin():
        handoffs.create_coach(session, "dana", PASSWORD)
        handoffs.open_handoff(session, sender_id="learner-1", channel="socketio", reason="asked for a person",
                              summary={"program of interest": "Introduction to Generative AI"},
                              transcript=[("learner", "<script>alert(1)</script> hi", NOW)])
    return url


@pytest.fixture
def config(database, fake_rasa, tmp_path):
    return ServerConfig(rasa_url=fake_rasa.url, rasa_token="rasa-token", session_secret="desk-secret",
                        database_url=database, slack_webhook_url=f"{fake_rasa.url}/slack",
                        public_url="http://desk.example", tracker_db_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}")


@pytest.fixture
async def client(aiohttp_client, config):
    return await aiohttp_client(create_desk_app(config))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def sign_in(client, password=PASSWORD):
    page = await client.get("/login")
    return await client.post("/login", data={"username": "dana", "password": password, "csrf": csrf_of(await page.text())},
                             allow_redirects=False)


def handoff_id(database) -> int:
    with make_session(database) as session:
        return handoffs.active_handoff(session, "learner-1").id


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
    assert [(m["role"], m["author"], m["text"]) for m in new["messages"]] == [("coach", "dana", "Hi, I'm Dana.")]
    await client.post(f"/handoffs/{handoff}/close", data={"csrf": csrf})
    assert [call for call in fake_rasa.calls if call[0] != "slack"] == [
        ("learner-1", "action_deliver_coach_messages", "latest"), ("learner-1", "action_handoff_closed", "latest")]
    with make_session(database) as session:
        assert handoffs.latest_handoff(session, "learner-1").status == "closed"
        actions = [a.action for a in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["sign-in", "claim", "reply", "close"]


async def test_reply_is_kept_when_rasa_is_down(aiohttp_client, config, database):
    down = ServerConfig(**{**config.__dict__, "rasa_url": "http://127.0.0.1:9"})
    client = await aiohttp_client(create_desk_app(down))
    await sign_in(client)
    handoff = handoff_id(database)
    csrf = csrf_of(await (await client.get(f"/handoffs/{handoff}")).text())
    page = await client.post(f"/handoffs/{handoff}/reply", data={"csrf": csrf, "text": "Still here"})
    assert "could not be reached" in await page.text()
    with make_session(database) as session:
        assert [m.text for m in handoffs.undelivered_coach_messages(session, handoff)] == ["Still here"]


async def test_queue_json_lists_waiting_learners(client):
    await sign_in(client)
    rows = await (await client.get("/queue.json")).json()
    assert [(r["channel"], r["reason"], r["last_message"]) for r in rows] == [
        ("socketio", "asked for a person", "<script>alert(1)</script> hi")]


async def test_slack_notice_once_per_handoff(aiohttp_client, config, fake_rasa, database, monkeypatch):
    monkeypatch.setattr(desk_app, "ROUND_SECONDS", 0.05)
    await aiohttp_client(create_desk_app(config))  # its housekeeping loop announces
    for _ in range(100):
        if fake_rasa.calls:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a few more rounds: nothing is announced twice
    notices = [text for who, text, _ in fake_rasa.calls if who == "slack"]
    assert notices == [f"New handoff from socketio: asked for a person — http://desk.example/desk/handoffs/{handoff_id(database)}"]


async def test_retention_and_restart_lose_nothing_open(aiohttp_client, config, database):
    assert purge_old_transcripts(config) == 0
    await aiohttp_client(create_desk_app(config))  # a restart on the same database
    with make_session(database) as session:
        assert handoffs.active_handoff(session, "learner-1") is not None


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
