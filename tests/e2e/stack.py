"""Starts the assistant exactly as `make run` does: scripts/run.sh, which runs every service under
supervisord, on free ports, with secrets, logs and databases (catalog, handoffs) of its own; with
`replicas`, as `make cluster` does (several Rasa replicas and action servers behind HAProxy)."""
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


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports (the replicas of `make cluster` listen on these)."""
    while True:
        first = free_port()
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


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
    """Rasa, the action server and the desk under one supervisord, each with its own port.

    With `replicas`, HAProxy takes Rasa's and the action server's ports, in front of that many of
    each (`rasa_replicas`, `action_replicas`); the databases and Redis then come in `extra_env`.
    """

    def __init__(self, workdir: Path, extra_env: Optional[Dict[str, str]] = None, replicas: int = 0):
        self.workdir = workdir
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        self.replica_port, self.action_replica_port = free_ports(replicas), free_ports(replicas)
        self.jwt_secret = secrets.token_urlsafe(32)
        self.model_token = secrets.token_urlsafe(32)  # Rasa pulls its model from the desk with it
        (workdir / "run").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "DESK_PORT": str(self.web_port),
            "RASA_JWT_SECRET": self.jwt_secret,
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
            "DESK_SESSION_SECRET": secrets.token_urlsafe(32),
            "MODEL_SERVER_TOKEN": self.model_token,
            "CHAT_SOCKET_URL": f"http://127.0.0.1:{self.rasa_port}",
            "WEB_ORIGIN": f"http://127.0.0.1:{self.web_port}",
            "COACH_HOURS": "Mon-Sun 00:00-24:00",  # coaches always in: tests must not depend on the clock
            # Catalog, conversations, handoffs and reviewed examples of their own, never the developer's
            # var/ or bot/data/.
            "CATALOG_DB_URL": f"sqlite:///{workdir / 'catalog.sqlite3'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.sqlite3'}",
            "HANDOFF_DB_URL": f"sqlite:///{workdir / 'handoffs.sqlite3'}",
            "REVIEWED_NLU_FILE": str(workdir / "reviewed.yml"),
            "MODEL_STORE_DIR": str(workdir / "models"),
            "ENV_FILE": str(workdir / "env"),
            "LOG_DIR": str(workdir / "log"),
            "RUN_DIR": str(workdir / "run"),
            **(extra_env or {}),
        }
        if replicas:
            self.env.update(REPLICAS=str(replicas), RASA_LB_HOST="127.0.0.1", RASA_REPLICA_PORT=str(self.replica_port),
                            ACTION_REPLICA_PORT=str(self.action_replica_port))
        self.process: Optional[subprocess.Popen] = None
        # Through HAProxy when there are replicas.
        self.actions = Service(self, "actions", f"http://127.0.0.1:{self.action_port}/health")
        self.rasa = Service(self, "rasa", f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/")
        self.web = Service(self, "web", f"http://127.0.0.1:{self.web_port}/")
        self.rasa_replicas = [Service(self, f"rasa:rasa-{i}", f"{self.replica_url(i)}/webhooks/rest/")
                              for i in range(replicas)]
        self.action_replicas = [Service(self, f"actions:actions-{i}",
                                        f"http://127.0.0.1:{self.action_replica_port + i}/health")
                                for i in range(replicas)]

    def with_env(self, **values: str) -> "Stack":
        """More environment for the services, such as URLs naming the ports chosen above; before start()."""
        self.env.update(values)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def replica_url(self, replica: int) -> str:
        """One Rasa replica, bypassing the load balancer."""
        return f"http://127.0.0.1:{self.replica_port + replica}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, seed_catalog: bool = False) -> "Stack":
        """Starts everything and waits until it answers; the seed catalog is loaded into the stack's
        own SQLite file, or with `seed_catalog` into the database given."""
        if seed_catalog or self.env["CATALOG_DB_URL"].startswith(f"sqlite:///{self.workdir}"):
            subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "catalog_db", "load", "--url",
                            self.env["CATALOG_DB_URL"]], check=True, capture_output=True, cwd=ROOT, env=self.env)
        log = open(self.workdir / "run.out", "ab")
        self.process = subprocess.Popen(["bash", str(RUN_SCRIPT)], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        for service in (*self.action_replicas, *self.rasa_replicas, self.actions, self.rasa, self.web):
            wait_for(service.health_url)
        if self.rasa_replicas:
            self.wait_balanced()
        return self

    def haproxy(self, command: str) -> str:
        """One command on HAProxy's admin socket (ops/haproxy.cfg), such as draining a replica."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(Path(self.env["RUN_DIR"]) / "haproxy.sock"))
            connection.sendall(command.encode() + b"\n")
            answer = b""
            while chunk := connection.recv(4096):
                answer += chunk
        return answer.decode()

    def balancer_servers(self) -> List[Dict[str, str]]:
        """HAProxy's statistics of each replica in each backend (`pxname`, `svname`, `status`, `stot`...)."""
        header, *rows = self.haproxy("show stat").lstrip("# ").splitlines()
        fields = header.split(",")
        return [row for row in (dict(zip(fields, line.split(","))) for line in rows if line)
                if row["svname"] not in ("FRONTEND", "BACKEND")]

    def wait_balanced(self, timeout: float = START_TIMEOUT) -> None:
        """Until HAProxy's health checks find every replica up (a replica answers a moment before)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(row["status"] == "UP" for row in self.balancer_servers()):
                return
            time.sleep(0.3)
        raise TimeoutError(f"HAProxy did not find every replica up within {timeout} s")

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

    def say(self, sender: str, message: str, timeout: float = 30, via: Optional[str] = None) -> List[dict]:
        """Send one message through the REST channel (at `via`, a replica's URL, if given) and return
        the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{via or self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode() or "[]")

    def reply(self, sender: str, message: str, via: Optional[str] = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message, via=via))

    def api(self, path: str, body: Optional[Any] = None, timeout: float = 30, via: Optional[str] = None) -> Any:
        """Rasa's HTTP API (at `via`, a replica's URL, if given), with a JWT in the Authorization header
        as the desk sends it."""
        token = jwt.encode({"user": {"username": "e2e", "role": "admin"}, "exp": int(time.time()) + 60},
                           self.jwt_secret, algorithm="HS256")
        request = urllib.request.Request(
            (via or self.url) + path, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode())

    def tracker_events(self, conversation: str) -> List[dict]:
        """Rasa's record of a conversation, by its ID (channels/conversation_ids.py), through the API."""
        return self.api(f"/conversations/{urllib.parse.quote(conversation, safe='')}/tracker")["events"] or []

    def events(self, sender: str) -> List[dict]:
        """Rasa's record of the REST conversation of `sender`."""
        return self.tracker_events(conversation_id("rest", sender))
