"""Slack: Rasa's Slack connector, configured from the environment, accepting signed requests only.

Mounted at /webhooks/slack/webhook for both the Events API and interactivity (button clicks).
Learners write to the app in a direct message or mention it in a channel; the answer goes to the
direct message, or to the thread under the mention.

The conversation ID names where the learner wrote, `slack:<team>:<user>:<channel>` for a direct
message and `slack:<team>:<user>:<channel>:<thread>` for a thread: a coach's reply pushed later
through Rasa's API, which knows nothing but the conversation ID, lands in the same place as the
assistant's answers. Unsigned requests are refused before their body is read.

Slack retries a request it has not seen acknowledged within 3 seconds, and an event is
acknowledged only once its turn is saved: the turn runs in the background and the request waits
for it up to ACK_SECONDS. A turn that failed gets 500 and one still running 503, so Slack sends the
event again; a retry of an event being answered waits for that same turn (seen_events.py), and one
of an event answered is dropped. The turn's replies go through an outbox (channels/outbox.py), so
a Web API that refuses them never costs the turn.
"""
import asyncio
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.config import DELIVERY_RETRY_SECONDS, RedisConfig, delivery_retry_seconds
from channels.conversation_ids import conversation_id, local_part
from channels.formatting import with_bullets
from channels.limits import bounded, read_body
from channels.outbox import SEND_TIMEOUT_SECONDS, Outbox, QueuedReplies, refused_as, undelivered_recorder
from channels.seen_events import ANSWERED, SeenEvents, seen_events
from channels.unavailable import UnavailableChannel

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
ACK_SECONDS = 2.5  # the longest a request waits for its turn: Slack gives up on it after 3 s
RETRY_POLL_SECONDS = 0.2  # how often a retry looks whether another replica's turn is over
NO_RETRY = {"X-Slack-No-Retry": "1"}
# Event and interaction payloads carry the message and its blocks: a few kB, 40 kB at Slack's most.
MAX_BODY_BYTES = 128 * 1024
SIGNATURE_AGE_SECONDS = 300


def slack_conversation(team: str, user: str, channel: str, thread_ts: Optional[str]) -> str:
    """The conversation of a user in a channel or thread (Slack IDs and timestamps hold no `:`)."""
    return conversation_id("slack", *(part for part in (team, user, channel, thread_ts) if part))


def reply_target(recipient_id: str) -> Tuple[str, Optional[str]]:
    """The Slack channel and thread a conversation ID names; a bare ID is a channel (or a user's DM)."""
    parts = local_part(recipient_id).split(":")
    if len(parts) == 1:
        return parts[0], None
    return parts[2], (parts[3] if len(parts) > 3 else None)


class SlackReplies(SlackBot):
    """Rasa's Slack output, posting where the conversation ID says, through a configurable API URL."""

    def __init__(self, token: str, api_url: str) -> None:
        super().__init__(token)
        self.client = AsyncWebClient(token, base_url=api_url, timeout=SEND_TIMEOUT_SECONDS)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        target, thread_ts = reply_target(channel)
        # Rasa adds `as_user` (and a stray `type`); Slack answers invalid_arguments to `as_user`
        # from every app created with granular bot scopes, which is every app created today.
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)
        if thread_ts:
            kwargs.setdefault("thread_ts", thread_ts)
        if "text" in kwargs:
            kwargs["text"] = with_bullets(kwargs["text"])
        for block in kwargs.get("blocks") or []:
            if isinstance(block.get("text"), dict) and "text" in block["text"]:
                block["text"]["text"] = with_bullets(block["text"]["text"])
        await self.client.chat_postMessage(channel=target, **kwargs)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """DeliveryRefused when Slack does not take the message."""
        await refused_as(self.name(), super().send_response(recipient_id, message))


class SlackChannel(SlackInput):
    """Rasa's Slack connector with 401 for unsigned requests, quick acknowledgement and retry dropping."""

    def __init__(self, token: str, signing_secret: str, api_url: str = DEFAULT_API_URL,
                 seen: Optional[SeenEvents] = None, retry_seconds: float = DELIVERY_RETRY_SECONDS) -> None:
        # Rasa's constructor refuses an empty signing secret.
        super().__init__(slack_token=token, slack_signing_secret=signing_secret)
        self.api_url = api_url.rstrip("/") + "/"  # the client joins method names onto it
        self._seen = seen or SeenEvents()  # shared by the replicas in Redis when there are several
        self.outbox = Outbox(self.name(), self.get_output_channel().send_response, retry_seconds)
        self._turns: Dict[Any, asyncio.Task[bool]] = {}  # by event ID (clicks have none): a task is referenced

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Settings come from the environment; credentials.yml only names this class."""
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InputChannel:
        """The channel from SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL, or a closed one;
        with REDIS_HOST, the events seen are shared with the other replicas."""
        missing = [name for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not env.get(name)]
        if missing:
            return UnavailableChannel(cls.name(), f"{' and '.join(missing)} not set")
        return cls(env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"], env.get("SLACK_API_URL") or DEFAULT_API_URL,
                   seen=seen_events(RedisConfig.from_env(env)), retry_seconds=delivery_retry_seconds(env))

    def get_output_channel(self) -> SlackReplies:  # type: ignore[override]
        """What Rasa's API sends through (output_channel=slack): straight to Slack, raising when it refuses,
        so the desk knows whether a coach's reply arrived. The target comes from the conversation ID."""
        return SlackReplies(self.slack_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.listener("after_server_start")
        async def note_undelivered_with(app: Sanic, _: Any) -> None:
            self.outbox.record_undelivered = undelivered_recorder(app.ctx.agent)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            # The cheap checks first: both signature headers present, the timestamp recent.
            if not self._signature_headers_fresh(request):
                logger.warning("Refused a Slack request without fresh signature headers from %s.",
                               request.remote_addr or request.ip)
                return response.text("Missing, wrong or expired X-Slack-Signature.", status=401)
            await read_body(request, MAX_BODY_BYTES)
            # Checks the HMAC of timestamp and body, and refuses timestamps more than 5 minutes off.
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Refused a Slack request with a missing, wrong or expired signature from %s.",
                               request.remote_addr or request.ip)
                return response.text("Missing, wrong or expired X-Slack-Signature.", status=401)
            content_type = request.headers.get("content-type", "")
            if content_type.startswith("application/json"):
                try:
                    payload = json.loads(request.body)
                except ValueError:
                    return response.text("The body is not JSON.", status=400)
                if not isinstance(payload, dict):
                    return response.text("The body is not a JSON object.", status=400)
                return await self._on_event(payload, request, on_new_message)
            if content_type.startswith("application/x-www-form-urlencoded"):
                return await self._on_interaction(request, on_new_message)
            logger.warning("Ignored a signed Slack request of content type %r.", content_type)
            return response.text("Unsupported content type.", status=415)

        return slack_webhook

    @staticmethod
    def _signature_headers_fresh(request: Request) -> bool:
        """Both signature headers are there and the timestamp is within five minutes of now."""
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not request.headers.get("X-Slack-Signature") or not stamp.isdigit():
            return False
        return abs(time.time() - int(stamp)) <= SIGNATURE_AGE_SECONDS

    async def _on_event(self, payload: Dict[str, Any], request: Request,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """An Events API request: the URL check, a message to the app, or something to skip."""
        if payload.get("type") == "url_verification":
            return response.json({"challenge": payload.get("challenge")})
        event_id = payload.get("event_id")
        if not isinstance(event_id, (str, type(None))):
            return response.text("The event_id is not a string.", status=400)
        event = payload.get("event") or {}
        if not isinstance(event, dict):
            return response.text("The event is not a JSON object.", status=400)
        is_direct = self._is_direct_message(payload)
        # Only direct messages and mentions: with both subscribed, a mention in a channel the app
        # also reads would otherwise arrive twice, as `message` and as `app_mention`.
        if not (self._is_user_message(payload) and (is_direct or self._is_app_mention(payload))):
            return response.text("")  # the app's own posts, edits, joins, other channels
        team, user, channel = payload.get("team_id"), event.get("user"), event.get("channel")
        if not all(isinstance(part, str) and part for part in (team, user, channel)):
            logger.warning("Ignored Slack event %s without a team, user or channel.", event_id)
            return response.text("")
        # A direct message is answered in place; a mention opens (or continues) a thread under it.
        thread_ts = event.get("thread_ts") or (None if is_direct else event.get("ts"))
        app_users: List[str] = [a.get("user_id") for a in payload.get("authorizations") or [] if a.get("user_id")]
        app_users += payload.get("authed_users") or []
        text = event.get("text", "")
        if not isinstance(text, str):
            return response.text("The event's text is not a string.", status=400)
        message = self._message(self._sanitize_user_message(text, app_users), team, user, channel, thread_ts)
        if event_id is None:
            return await self._acknowledged(self._start(on_new_message, message, None))
        return await self._answer_event(on_new_message, message, event_id, request)

    async def _on_interaction(self, request: Request,
                              on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """A click on one of the assistant's buttons: its payload is the learner's message."""
        try:
            payload = json.loads(request.form.get("payload") or "{}")
            text = self._get_interactive_response(payload["actions"][0]) if self._is_interactive_message(payload) else None
            user = (payload.get("user") or {}).get("id")
            team = (payload.get("team") or {}).get("id") or (payload.get("user") or {}).get("team_id")
            channel = (payload.get("channel") or {}).get("id")
            # The buttons sit on the assistant's message: in a thread when the conversation is one.
            thread_ts = (payload.get("message") or {}).get("thread_ts")
        except (ValueError, AttributeError, LookupError, TypeError) as error:
            logger.warning("Refused a Slack interaction whose payload is not one: %s", error.__class__.__name__)
            return response.text("The payload is not a Slack interaction.", status=400)
        if not isinstance(text, str) or not all(isinstance(part, str) and part for part in (team, user, channel)):
            return response.text("")  # link buttons and unsupported components: nothing to answer
        message = self._message(text, team, user, channel, thread_ts)
        return await self._acknowledged(self._start(on_new_message, message, None), retried=False)

    def _message(self, text: str, team: str, user: str, channel: str, thread_ts: Optional[str]) -> UserMessage:
        return UserMessage(bounded(text), QueuedReplies(self.outbox), slack_conversation(team, user, channel, thread_ts),
                           input_channel=self.name(), metadata={"out_channel": channel, "thread_id": thread_ts})

    async def _answer_event(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
                            event_id: str, request: Request) -> HTTPResponse:
        """The event's turn, unless it is being answered (then its outcome) or was answered (dropped)."""
        state = await self._seen.begin(event_id)
        if state is None:
            return await self._acknowledged(self._start(on_new_message, message, event_id))
        retry = (request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason"))
        if state == ANSWERED:
            logger.info("Dropped Slack's retry #%s (%s) of event %s, which is answered.", *retry, event_id)
            return response.text("", headers=NO_RETRY)
        logger.info("Slack's retry #%s (%s) of event %s waits for the turn answering it.", *retry, event_id)
        if event_id in self._turns:
            return await self._acknowledged(self._turns[event_id])
        deadline = time.monotonic() + ACK_SECONDS  # another replica answers it: its outcome is in Redis
        while time.monotonic() < deadline:
            await asyncio.sleep(RETRY_POLL_SECONDS)
            state = await self._seen.state(event_id)
            if state == ANSWERED:
                return response.text("", headers=NO_RETRY)
            if state is None:  # that turn failed: answer it here
                return await self._answer_event(on_new_message, message, event_id, request)
        return response.text("The event is still being answered.", status=503)

    def _start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
               event_id: Optional[str]) -> "asyncio.Task[bool]":
        """The turn, in the background: Slack must hear back within 3 s whatever the turn takes."""
        task = asyncio.create_task(self._turn(on_new_message, message, event_id))
        key = event_id or task  # a task nobody references can be garbage-collected mid-way
        self._turns[key] = task
        task.add_done_callback(lambda _: self._turns.pop(key, None))
        return task

    async def _turn(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
                    event_id: Optional[str]) -> bool:
        """Whether the turn was saved; the event is remembered as answered, or forgotten for a retry."""
        try:
            await on_new_message(message)
            saved = True
        except Exception as error:  # the turn was not saved (the tracker or lock store failed)
            logger.error("Could not answer Slack event %s (%s): Slack will send it again.", event_id,
                         error.__class__.__name__)
            saved = False
        if event_id is not None:
            await self._seen.end(event_id, saved)
        return saved

    @staticmethod
    async def _acknowledged(turn: "asyncio.Task[bool]", retried: bool = True) -> HTTPResponse:
        """200 once the turn is saved; 500 when it failed and 503 while it runs, so that Slack retries.

        Slack never retries a button click (not `retried`): one still running gets 200, as a 503 would
        only show the learner an error while the answer is on its way.
        """
        done, _ = await asyncio.wait({turn}, timeout=ACK_SECONDS)  # waiting does not cancel the turn
        if not done:
            return response.text("Still answering: send it again.", status=503) if retried else response.text("")
        if not turn.result():
            return response.text("Could not answer: send it again.", status=500)
        return response.text("")
