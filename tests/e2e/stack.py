"""Starts the assistant's services exactly as `make run` does (scripts/run.sh), one by one."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
RUN_SCRIPT = ROOT / "scripts" / "run.sh"
CONVERSE = ROOT.parent / "shared" / "eval" / "converse.py"
START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class Service:
    """One service started through scripts/run.sh in its own process group."""

    def __init__(self, name: str, env: Dict[str, str], health_url: str, log_dir: Path):
        self.name, self.env, self.health_url, self.log_dir = name, env, health_url, log_dir
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        log = open(self.log_dir / f"{self.name}.out", "ab")
        self.process = subprocess.Popen(
            ["bash", str(RUN_SCRIPT)], env={**self.env, "SERVICES": self.name}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for(self.health_url)

    def kill(self) -> None:
        """SIGKILL the service and its children, as a crash or the OOM killer would: no shutdown runs."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


class Stack:
    """The action server and Rasa on free ports, with their own token, log directory and tracker store."""

    def __init__(self, log_dir: Path, extra_env: Optional[Dict[str, str]] = None):
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        self.token = "e2e-" + os.urandom(8).hex()
        self.env = {
            **os.environ,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "DESK_PORT": str(self.web_port),
            "RASA_AUTH_TOKEN": self.token,
            "DESK_SESSION_SECRET": "e2e-" + os.urandom(8).hex(),
            "CHAT_SOCKET_URL": f"http://127.0.0.1:{self.rasa_port}",
            "WEB_ORIGIN": f"http://127.0.0.1:{self.web_port}",
            "COACH_HOURS": "Mon-Sun 00:00-24:00",  # coaches always in: tests must not depend on the clock
            "LOG_DIR": str(log_dir),
            # Conversations, handoffs and reviewed examples of their own, never the developer's var/ or bot/data/.
            "TRACKER_DB_URL": f"sqlite:///{log_dir / 'tracker.sqlite3'}",
            "HANDOFF_DB_URL": f"sqlite:///{log_dir / 'desk.sqlite3'}",
            "REVIEWED_NLU_FILE": str(log_dir / "reviewed.yml"),
            **(extra_env or {}),
        }
        self.actions = Service("actions", self.env, f"http://127.0.0.1:{self.action_port}/health", log_dir)
        self.rasa = Service("rasa", self.env, f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", log_dir)
        self.web = Service("web", self.env, f"http://127.0.0.1:{self.web_port}/", log_dir)

    def with_env(self, **values: str) -> "Stack":
        """More environment for the services, such as URLs naming the ports chosen above; before start()."""
        self.env.update(values)  # the services share this dict
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> "Stack":
        for service in (self.actions, self.rasa, self.web):
            service.start()
        return self

    def stop(self) -> None:
        for service in (self.web, self.rasa, self.actions):
            service.stop()

    def say(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        """Send one message through the REST channel and return the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode() or "[]")

    def reply(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def events(self, sender: str) -> List[dict]:
        """Rasa's record of a conversation, read through its HTTP API with the token."""
        url = f"{self.url}/conversations/{urllib.parse.quote(sender, safe='')}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read().decode())["events"] or []
