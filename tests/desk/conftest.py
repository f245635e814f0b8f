"""What the desk's tests share: a real database with one coach and one handoff, a loopback fake of
Rasa (and of the coaches' Slack webhook), and signing in."""
import re
from datetime import datetime, timezone
from urllib.parse import unquote

import jwt
import pytest
from aiohttp import web

from catalog_db.engine import get_engine, make_session
from channels.config import ServerConfig
from channels.desk.app import create_desk_app
from handoff_db import desk_access, handoffs
from handoff_db.schema import create_schema

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
RASA_SECRET = "rasa-jwt-secret-" + "x" * 24
LEARNER = "web:learner-1"


class FakeRasa:
    """Records the API calls the desk makes (the conversation ID as Rasa decodes it) and checks the JWT.

    Events the desk adds to a conversation are recorded as (conversation, what they say, channel); with
    `refusing`, Rasa answers as when the learner's platform refused the message, and records nothing.
    """

    def __init__(self):
        self.calls = []
        self.trackers = {}
        self.tracker_reads = []
        self.while_posting = None  # what happens while the desk waits for Slack's answer
        self.refusing = False

    async def tracker(self, request: web.Request) -> web.Response:
        sender = unquote(request.raw_path.split("/conversations/", 1)[1].split("/tracker", 1)[0])
        record = self.trackers.get(sender, {"latest_message": {}, "events": [], "slots": {"handoff_active": True}})
        if request.query.get("include_events") == "NONE":
            record = {**record, "events": None}
        self.tracker_reads.append((sender, request.query.get("include_events")))
        return web.json_response(record)

    async def events(self, request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, RASA_SECRET, algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.InvalidTokenError:
            return web.json_response({"error": "bad token"}, status=401)
        if scheme != "Bearer" or claims["user"]["role"] != "admin" or "token" in request.query:
            return web.json_response({"error": "bad token"}, status=401)
        if request.query.get("execute_side_effects") != "true":
            return web.json_response({"error": "nothing would be sent"}, status=400)
        if self.refusing:
            return web.json_response({"status": "failure", "code": 500, "message": (
                "An unexpected error occurred. Error: telegram refused: TelegramAPIError (Internal Server Error)")},
                status=500)
        sender = unquote(request.raw_path.split("/conversations/", 1)[1].rsplit("/tracker/events", 1)[0])
        said = tuple(event.get("text") if event["event"] == "bot" else f"{event['name']}={event['value']}"
                     for event in await request.json())
        self.calls.append((sender, said, request.query.get("output_channel")))
        return web.json_response({"sender_id": sender, "events": None})

    def said(self):
        """What reached learners, leaving out the coaches' Slack notices."""
        return [call for call in self.calls if call[0] != "slack"]

    async def slack(self, request: web.Request) -> web.Response:
        self.calls.append(("slack", (await request.json())["text"], None))
        if self.while_posting is not None:
            self.while_posting()
        return web.Response(text="ok")


@pytest.fixture
async def fake_rasa(aiohttp_server):
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/conversations/{sender:.+}/tracker/events", fake.events)
    app.router.add_get("/conversations/{sender:.+}/tracker", fake.tracker)
    app.router.add_post("/slack", fake.slack)
    server = await aiohttp_server(app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    create_schema(get_engine(url, create=True))
    with make_session(url) as session, session.begin():
        desk_access.create_coach(session, "dana", PASSWORD)
        handoffs.open_handoff(session, sender_id=LEARNER, channel="socketio", reason="asked for a person",
                              summary={"program of interest": "Introduction to Generative AI"},
                              transcript=[("learner", "<script>alert(1)</script> hi", NOW)])
    return url


@pytest.fixture
def config(database, fake_rasa, tmp_path):
    return ServerConfig(rasa_url=fake_rasa.url, rasa_jwt_secret=RASA_SECRET, session_secret="desk-secret",
                        database_url=database, slack_webhook_url=f"{fake_rasa.url}/slack",
                        public_url="http://desk.example", tracker_db_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}")


@pytest.fixture
async def client(aiohttp_client, config):
    return await aiohttp_client(create_desk_app(config))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def sign_in(client, password=PASSWORD, username="dana"):
    page = await client.get("/login")
    return await client.post("/login", data={"username": username, "password": password,
                                             "csrf": csrf_of(await page.text())}, allow_redirects=False)


def handoff_id(database) -> int:
    with make_session(database) as session:
        return handoffs.active_handoff(session, LEARNER).id


