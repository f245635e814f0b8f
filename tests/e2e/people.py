"""The two people of a handoff: a learner on the website's socket.io channel and a coach on the desk."""
import asyncio
import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid

import socketio

from tests.e2e.stack import ROOT, Stack

PASSWORD = "correct horse battery"


class Learner:
    """The website widget's side of Rasa's socket.io protocol."""

    def __init__(self, url: str):
        self.url, self.session_id = url, uuid.uuid4().hex
        self.client = socketio.AsyncClient()
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.inbox.put_nowait)

    async def connect(self) -> None:
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"])  # engineio's websocket client needs a newer aiohttp than Rasa pins
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.sleep(0.3)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def hear(self, pattern: str, timeout: float = 15) -> str:
        """Wait for a bot message matching the pattern; earlier messages are skipped."""
        async def wait() -> str:
            while True:
                message = await self.inbox.get()
                if re.search(pattern, message.get("text") or "", re.I):
                    return message["text"]
        return await asyncio.wait_for(wait(), timeout)

    async def silence(self, seconds: float = 1.5) -> list:
        await asyncio.sleep(seconds)
        heard = []
        while not self.inbox.empty():
            heard.append(self.inbox.get_nowait())
        return heard


class Coach:
    """A coach in a browser session on the desk, through plain HTTP with cookies."""

    @classmethod
    def created_on(cls, stack: "Stack", username: str = "coach-e2e", admin: bool = False,
                   display_name: str = "") -> "Coach":
        """A new coach account on the stack's own (new) handoff database, signed in to its desk."""
        subprocess.run([sys.executable, "-m", "channels.desk", "create-coach", username, "--password-stdin",
                        *(["--admin"] if admin else []), *(["--display-name", display_name] if display_name else [])],
                       input=PASSWORD + "\n", text=True, env=stack.env, cwd=ROOT, capture_output=True, check=True)
        desk = cls(stack.web_url, username)
        desk.sign_in()
        return desk

    def __init__(self, desk_url: str, username: str = "coach-e2e"):
        self.desk = desk_url.rstrip("/") + "/desk"
        self.username = username
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.desk + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, **fields: str) -> str:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.desk + path, data=data, timeout=15) as response:
            return response.read().decode()

    def close(self, handoff_path: str, outcome: str = "answered") -> str:
        """Close a handoff with a wrap-up reason, confirming it when the learner's last message is unanswered."""
        return self.post(handoff_path + "/close", csrf=self.csrf(self.get(handoff_path)), outcome=outcome, confirm="yes")

    @staticmethod
    def csrf(html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def sign_in(self) -> None:
        page = self.post("/login", username=self.username, password=PASSWORD, csrf=self.csrf(self.get("/login")))
        assert "Waiting learners" in page
