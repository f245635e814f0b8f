"""The desk's only way into Rasa: its HTTP API, with a short-lived JWT signed by the shared secret.

Conversation IDs are percent-encoded whole (`/`, `..`, `?`, `#`, `%` included), so an ID can never
name another path: Rasa (bot/rasa_server.py) decodes the one path segment back.
"""
import time
from typing import Any, Dict, List
from urllib.parse import quote

import aiohttp
import jwt
from yarl import URL

TOKEN_SECONDS = 60
# Rasa waits for the platform (at most channels/outbox.py's SEND_TIMEOUT_SECONDS) before it answers.
SEND_SECONDS = 30


class RasaUnavailable(Exception):
    """Rasa did not take the request; what the coach did is stored and will show on the next push."""


def conversation_url(rasa_url: str, conversation_id: str, *rest: str) -> URL:
    """`…/conversations/<id>/<rest>` with the ID as one opaque, encoded path segment."""
    path = "/".join(["conversations", quote(conversation_id, safe=""), *rest])
    return URL(f"{rasa_url.rstrip('/')}/{path}", encoded=True)


def api_token(secret: str, now: float = 0) -> str:
    """A JWT Rasa accepts for its whole API (role admin), valid for a minute."""
    issued = int(now or time.time())
    return jwt.encode({"user": {"username": "coach-desk", "role": "admin"}, "iat": issued,
                       "exp": issued + TOKEN_SECONDS}, secret, algorithm="HS256")


async def conversation(client: aiohttp.ClientSession, rasa_url: str, secret: str, sender_id: str,
                       with_events: bool) -> dict:
    """Rasa's record of a conversation: its state only, or with every event since the last restart."""
    url = conversation_url(rasa_url, sender_id, "tracker")
    try:
        async with client.get(url, params={"include_events": "AFTER_RESTART" if with_events else "NONE"},
                              headers={"Authorization": f"Bearer {api_token(secret)}"},
                              timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status >= 400:
                raise RasaUnavailable(f"Rasa answered {response.status}")
            return await response.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise RasaUnavailable(str(error)) from error


async def append_events(client: aiohttp.ClientSession, rasa_url: str, secret: str, sender_id: str,
                        events: List[Dict[str, Any]], output_channel: str) -> None:
    """Add the events to a conversation, Rasa sending its messages on the learner's own channel first.

    Rasa sends, then saves: it answers 200 only when the learner's platform took every message, and
    otherwise saves nothing, so the caller knows whether the learner got them.
    """
    url = conversation_url(rasa_url, sender_id, "tracker", "events")
    try:
        async with client.post(url, params={"output_channel": output_channel, "execute_side_effects": "true",
                                            "include_events": "NONE"}, json=events,
                               headers={"Authorization": f"Bearer {api_token(secret)}"},
                               timeout=aiohttp.ClientTimeout(total=SEND_SECONDS)) as response:
            if response.status >= 400:
                raise RasaUnavailable(f"Rasa answered {response.status}: {await _reason(response)}")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise RasaUnavailable(f"Rasa could not be reached ({error.__class__.__name__})") from error


async def _reason(response: aiohttp.ClientResponse) -> str:
    """The first line of Rasa's error message: the platform's refusal, in channels/outbox.py's words."""
    try:
        message = str((await response.json(content_type=None)).get("message") or "")
    except (ValueError, AttributeError):
        message = ""
    return message.removeprefix("An unexpected error occurred. Error: ").splitlines()[0][:200] if message else "no reason"
