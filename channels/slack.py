"""Slack: Rasa's Slack connector, configured from the environment, accepting signed requests only.

Mounted at /webhooks/slack/webhook for both the Events API and interactivity (button clicks).
Learners write to the app in a direct message or mention it in a channel; the answer goes to the
direct message, or to the thread under the mention.

The conversation ID names where the learner wrote, `slack:<team>:<user>:<channel>` for a direct
message and `slack:<team>:<user>:<channel>:<thread>` for a thread: a coach's reply pushed later
through Rasa's API, which knows nothing but the conversation ID, lands in the same place as the
assistant's answers. Unsigned requests are refused before their body is read.
"""
import asyncio
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.config import RedisConfig
from channels.conversation_ids import conversation_id, local_part
from channels.formatting import with_bullets
from channels.limits import bounded, read_body
from channels.seen_events import SeenEvents, seen_events
from channels.unavailable import UnavailableChannel

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
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
        self.client = AsyncWebClient(token, base_url=api_url)

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


class SlackChannel(SlackInput):
    """Rasa's Slack connector with 401 for unsigned requests, quick acknowledgement and retry dropping."""

    def __init__(self, token: str, signing_secret: str, api_url: str = DEFAULT_API_URL,
                 seen: Optional[SeenEvents] = None) -> None:
        # Rasa's constructor refuses an empty signing secret.
        super().__init__(slack_token=token, slack_signing_secret=signing_secret)
        self.api_url = api_url.rstrip("/") + "/"  # the client joins method names onto it
        self._seen = seen or SeenEvents()  # shared by the replicas in Redis when there are several
        self._tasks: Set[asyncio.Task[Any]] = set()

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
                   seen=seen_events(RedisConfig.from_env(env)))

    def get_output_channel(self) -> SlackReplies:  # type: ignore[override]
        """Also what Rasa's API uses for output_channel=latest: the target comes from the conversation ID."""
        return SlackReplies(self.slack_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

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
                return self._on_interaction(request, on_new_message)
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
        if event_id and await self._seen.seen_before(event_id):
            logger.info("Dropped Slack's retry #%s (%s) of event %s, which is already being answered.",
                        request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason"),
                        event_id)
            return response.text("", headers={"X-Slack-No-Retry": "1"})
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
        self._answer_later(on_new_message, self._sanitize_user_message(text, app_users), team, user, channel,
                           thread_ts)
        return response.text("")

    def _on_interaction(self, request: Request,
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
        self._answer_later(on_new_message, text, team, user, channel, thread_ts)
        return response.text("")

    def _answer_later(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
                      team: str, user: str, channel: str, thread_ts: Optional[str]) -> None:
        """Slack retries what is not acknowledged within 3 s, so the assistant answers in the background."""
        message = UserMessage(bounded(text), self.get_output_channel(),
                              slack_conversation(team, user, channel, thread_ts),
                              input_channel=self.name(),
                              metadata={"out_channel": channel, "thread_id": thread_ts})
        task = asyncio.create_task(on_new_message(message))
        self._tasks.add(task)  # a task nobody references can be garbage-collected mid-way
        task.add_done_callback(self._answered)

    def _answered(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Could not answer a Slack message.", exc_info=task.exception())
