"""Loopback fakes of Slack's Web API and Telegram's Bot API that record every call, and the other half
of each platform: delivering signed Slack events and Telegram updates to the assistant's webhooks.

The servers run in a thread, so synchronous end-to-end tests and asynchronous tests (through
asyncio.to_thread) can both use them.
"""
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

SLACK_TOKEN = "xoxb-fake-token"
SLACK_SIGNING_SECRET = "fake-signing-secret"
TELEGRAM_TOKEN = "123456789:fake-telegram-token"
TELEGRAM_SECRET = "fake-telegram-secret_1"


@dataclass
class Call:
    """One API call: the method and its parameters (JSON-valued form fields decoded)."""

    method: str
    params: Dict[str, Any]


@dataclass
class Outage:
    """The platform answering 500 to one method's calls that `where` accepts, until `end()`; usable as a
    context manager, so a failing test still ends it."""

    fake: "FakeApi"
    method: str
    where: Callable[[Dict[str, Any]], bool]
    refused: List[Call] = field(default_factory=list)

    def wait_refused(self, count: int = 1, timeout: float = 30) -> List[Call]:
        """The calls refused so far, once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while len(self.refused) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} {self.method} calls refused within {timeout} s")
            time.sleep(0.1)
        return list(self.refused)

    def end(self) -> None:
        with self.fake._lock:
            if self in self.fake._outages:
                self.fake._outages.remove(self)

    def __enter__(self) -> "Outage":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.end()


class FakeApi:
    """An HTTP server on 127.0.0.1 and a free port; subclasses answer the platform's methods."""

    def __init__(self) -> None:
        self.calls: List[Call] = []
        self._outages: List[Outage] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                params = parse_body(self.headers.get("Content-Type", ""), self.rfile.read(length))
                status, answer = fake.refusal(self.path, params) or fake.answer(self.path, dict(self.headers), params)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass  # the calls are recorded; the test output stays readable

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "FakeApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, headers: Dict[str, str], params: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        raise NotImplementedError

    def outage(self, method: str, where: Callable[[Dict[str, Any]], bool] = lambda params: True) -> Outage:
        """From now on, calls to `method` whose parameters `where` accepts get a 500, as when the platform
        is down, and are not recorded as calls."""
        outage = Outage(self, method, where)
        with self._lock:
            self._outages.append(outage)
        return outage

    def refusal(self, path: str, params: Dict[str, Any]) -> Optional[Tuple[int, Dict[str, Any]]]:
        with self._lock:
            for outage in self._outages:
                if path.endswith("/" + outage.method) and outage.where(params):
                    outage.refused.append(Call(outage.method, params))
                    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        return None

    def record(self, method: str, params: Dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, params))

    def calls_to(self, method: str, where: Callable[[Call], bool] = lambda call: True) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method and where(call)]

    def wait_for(self, method: str, where: Callable[[Call], bool] = lambda call: True,
                 timeout: float = 30) -> Call:
        """The first recorded call to `method` that `where` accepts, waiting for it up to `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method, where)
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no {method} call matched within {timeout} s; calls: {self.calls}")


def parse_body(content_type: str, body: bytes) -> Dict[str, Any]:
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    params: Dict[str, Any] = {key: values[0] for key, values in urllib.parse.parse_qs(body.decode()).items()}
    for key in ("reply_markup", "allowed_updates"):
        if key in params:
            params[key] = json.loads(params[key])
    return params


class FakeSlack(FakeApi):
    """Slack's Web API at `api_url` (chat.postMessage), and Slack's signed deliveries to an app."""

    def __init__(self, token: str = SLACK_TOKEN, signing_secret: str = SLACK_SIGNING_SECRET) -> None:
        super().__init__()
        self.token, self.signing_secret = token, signing_secret
        self._ts = itertools.count(1)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def answer(self, path: str, headers: Dict[str, str], params: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        method = path.removeprefix("/api/")
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}
        if method != "chat.postMessage":
            return 200, {"ok": False, "error": "unknown_method"}
        if "as_user" in params:  # what Slack answers apps with granular bot scopes
            return 200, {"ok": False, "error": "invalid_arguments"}
        if not params.get("channel") or not (params.get("text") or params.get("blocks")):
            return 200, {"ok": False, "error": "no_text" if params.get("channel") else "channel_not_found"}
        self.record(method, params)
        ts = f"{time.time():.0f}.{next(self._ts):06d}"
        return 200, {"ok": True, "channel": params["channel"], "ts": ts, "message": {**params, "ts": ts}}

    def deliver(self, url: str, payload: Dict[str, Any], *, timestamp: Optional[int] = None,
                signature: Optional[str] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, str]:
        """POST an event the way Slack does, signed with the app's secret unless `signature` is given."""
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = slack_signature(self.signing_secret, stamp, body)
        return post(url, body, {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                                "X-Slack-Signature": signature, **(headers or {})})

    def click(self, url: str, payload: Dict[str, Any]) -> Tuple[int, str]:
        """POST a button click (interactivity) the way Slack does: a signed form with a JSON payload."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        stamp = str(int(time.time()))
        return post(url, body, {"Content-Type": "application/x-www-form-urlencoded",
                                "X-Slack-Request-Timestamp": stamp,
                                "X-Slack-Signature": slack_signature(self.signing_secret, stamp, body)})


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def slack_message(text: str, *, user: str, channel: str, ts: str, event_id: str,
                  channel_type: str = "im", thread_ts: Optional[str] = None, mention: bool = False,
                  app_user: str = "UAPP") -> Dict[str, Any]:
    """An Events API callback: a direct message, or with `mention` an app_mention in a channel."""
    event: Dict[str, Any] = {"type": "app_mention" if mention else "message", "user": user, "channel": channel,
                             "text": f"<@{app_user}> {text}" if mention else text, "ts": ts}
    if not mention:
        event["channel_type"] = channel_type
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
            "event_time": int(time.time()), "authorizations": [{"user_id": app_user, "is_bot": True}],
            "event": event}


class FakeTelegram(FakeApi):
    """Telegram's Bot API at `api_url` (setWebhook, sendMessage, answerCallbackQuery), and its webhook
    deliveries."""

    def __init__(self, token: str = TELEGRAM_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.webhook: Dict[str, Any] = {}
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1000)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str, headers: Dict[str, str], params: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path.removeprefix(prefix)
        if method == "setWebhook":
            self.record(method, params)
            self.webhook = params
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "sendMessage":
            if not params.get("chat_id") or not params.get("text"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            self.record(method, params)
            return 200, {"ok": True, "result": {
                "message_id": next(self._message_ids), "date": int(time.time()), "text": params["text"],
                "chat": {"id": int(params["chat_id"]), "type": "private"}}}
        if method == "answerCallbackQuery":
            if not params.get("callback_query_id"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: query is not found"}
            self.record(method, params)
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def tap(self, chat_id: int, data: str) -> Dict[str, Any]:
        """A tap on an inline keyboard button whose callback data is `data`, under a message of the chat."""
        chat = {"id": chat_id, "type": "private", "first_name": "Learner"}
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": str(next(self._update_ids)), "chat_instance": "1", "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Learner"},
            "message": {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                        "text": "…", "from": {"id": 1, "is_bot": True, "first_name": "Advisor"}}}}

    def update(self, chat_id: int, text: str) -> Dict[str, Any]:
        """A private-chat text message update."""
        return {"update_id": next(self._update_ids), "message": {
            "message_id": next(self._message_ids), "date": int(time.time()), "text": text,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Learner"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Learner"}}}

    def deliver(self, update: Dict[str, Any], *, url: Optional[str] = None,
                secret: Optional[str] = "registered") -> Tuple[int, str]:
        """POST an update the way Telegram does: to the registered webhook with the registered secret
        (pass `url` to skip registration, `secret=None` to send none, or a string to send that)."""
        target = url or self.webhook["url"]
        headers = {"Content-Type": "application/json"}
        if secret == "registered":
            secret = self.webhook["secret_token"]
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return post(target, json.dumps(update).encode(), headers)


def post(url: str, body: bytes, headers: Dict[str, str], timeout: float = 30) -> Tuple[int, str]:
    """The status and text of a POST, error statuses included."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
