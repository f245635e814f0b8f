"""Starts the assistant exactly as `make run` does: scripts/run.sh, which runs every service under
supervisord, on free ports, with secrets, logs and databases (catalog, handoffs) of its own."""
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import jwt

from channels.conversation_ids import conversation_id

ROOT = Path(__file__).resolve().parents[2]
RUN_SCRIPT = ROOT / "scripts" / "run.sh"
SUPERVISORCTL = ROOT / ".venv" / "bin" / "supervisorctl"
SUPERVISOR_CONF = ROOT / "ops" / "supervisord.conf"
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
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class Service:
    """One of supervisord's programs: stopped, started and killed the way an operator (or a crash) would."""

    def __init__(self, stack: "Stack", name: str, health_url: str):
        self.stack, self.name, self.health_url = stack, name, health_url

    def start(self) -> None:
        self.stack.ctl("start", self.name)
        wait_for(self.health_url)

    def stop(self) -> None:
        self.stack.ctl("stop", self.name)

    def pid(self) -> int:
        return int(self.stack.ctl("pid", self.name).strip())

    def kill(self) -> int:
        """kill -9 the service's process, as a crash would end it; returns the dead process's ID."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_restarted(self, old_pid: int, timeout: float = START_TIMEOUT) -> None:
        """Until supervisord has started a new process and it answers its health check."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.pid() not in (0, old_pid):
                    wait_for(self.health_url, max(1.0, deadline - time.monotonic()))
                    return
            except (subprocess.CalledProcessError, ValueError):
                pass
            time.sleep(0.3)
        raise TimeoutError(f"supervisord did not restart {self.name} within {timeout} s")


class Stack:
    """Rasa, the action server and the desk under one supervisord, each with its own port."""

    def __init__(self, workdir: Path, extra_env: Optional[Dict[str, str]] = None):
        self.workdir = workdir
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        self.jwt_secret = secrets.token_urlsafe(32)
        (workdir / "run").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "DESK_PORT": str(self.web_port),
            "RASA_JWT_SECRET": self.jwt_secret,
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
            "DESK_SESSION_SECRET": secrets.token_urlsafe(32),
            "CHAT_SOCKET_URL": f"http://127.0.0.1:{self.rasa_port}",
            "WEB_ORIGIN": f"http://127.0.0.1:{self.web_port}",
            "COACH_HOURS": "Mon-Sun 00:00-24:00",  # coaches always in: tests must not depend on the clock
            # Catalog, conversations, handoffs and reviewed examples of their own, never the developer's
            # var/ or bot/data/.
            "CATALOG_DB_URL": f"sqlite:///{workdir / 'catalog.sqlite3'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.sqlite3'}",
            "HANDOFF_DB_URL": f"sqlite:///{workdir / 'handoffs.sqlite3'}",
            "REVIEWED_NLU_FILE": str(workdir / "reviewed.yml"),
            "ENV_FILE": str(workdir / "env"),
            "LOG_DIR": str(workdir / "log"),
            "RUN_DIR": str(workdir / "run"),
            **(extra_env or {}),
        }
        self.process: Optional[subprocess.Popen] = None
        self.actions = Service(self, "actions", f"http://127.0.0.1:{self.action_port}/health")
        self.rasa = Service(self, "rasa", f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/")
        self.web = Service(self, "web", f"http://127.0.0.1:{self.web_port}/")

    def with_env(self, **values: str) -> "Stack":
        """More environment for the services, such as URLs naming the ports chosen above; before start()."""
        self.env.update(values)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> "Stack":
        if self.env["CATALOG_DB_URL"].startswith(f"sqlite:///{self.workdir}"):  # the seed catalog, unless given
            subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "catalog_db", "load", "--url",
                            self.env["CATALOG_DB_URL"]], check=True, capture_output=True, cwd=ROOT, env=self.env)
        log = open(self.workdir / "run.out", "ab")
        self.process = subprocess.Popen(["bash", str(RUN_SCRIPT)], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        for service in (self.actions, self.rasa, self.web):
            wait_for(service.health_url)
        return self

    def stop(self) -> None:
        """As Ctrl-C on `make run`: supervisord stops every service, then itself."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def ctl(self, *args: str) -> str:
        """supervisorctl on this stack's supervisord."""
        return subprocess.run([str(SUPERVISORCTL), "-c", str(SUPERVISOR_CONF), *args], env={**self.env, "ROOT": str(ROOT)},
                              capture_output=True, text=True, check=True, timeout=60).stdout

    def say(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        """Send one message through the REST channel and return the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode() or "[]")

    def reply(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def api(self, path: str, body: Optional[Any] = None, timeout: float = 30) -> Any:
        """Rasa's HTTP API, with a JWT in the Authorization header as the desk sends it."""
        token = jwt.encode({"user": {"username": "e2e", "role": "admin"}, "exp": int(time.time()) + 60},
                           self.jwt_secret, algorithm="HS256")
        request = urllib.request.Request(
            self.url + path, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode())

    def tracker_events(self, conversation: str) -> List[dict]:
        """Rasa's record of a conversation, by its ID (channels/conversation_ids.py), through the API."""
        return self.api(f"/conversations/{urllib.parse.quote(conversation, safe='')}/tracker")["events"] or []

    def events(self, sender: str) -> List[dict]:
        """Rasa's record of the REST conversation of `sender`."""
        return self.tracker_events(conversation_id("rest", sender))
