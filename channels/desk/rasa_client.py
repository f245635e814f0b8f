"""The desk's only way into Rasa: its HTTP API, with a short-lived JWT signed by the shared secret.

Conversation IDs are percent-encoded whole (`/`, `..`, `?`, `#`, `%` included), so an ID can never
name another path: Rasa (bot/rasa_server.py) decodes the one path segment back.
"""
import logging
import time
from urllib.parse import quote

import aiohttp
import jwt
from yarl import URL

logger = logging.getLogger(__name__)

TOKEN_SECONDS = 60


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


async def run_action(client: aiohttp.ClientSession, rasa_url: str, secret: str, sender_id: str, action: str,
                     output_channel: str) -> None:
    """Run an action in the learner's conversation and send its messages on the learner's own channel."""
    url = conversation_url(rasa_url, sender_id, "execute")
    try:
        async with client.post(url, params={"output_channel": output_channel}, json={"name": action},
                               headers={"Authorization": f"Bearer {api_token(secret)}"},
                               timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status >= 400:
                raise RasaUnavailable(f"Rasa answered {response.status}: {(await response.text())[:200]}")
    except (aiohttp.ClientError, TimeoutError) as error:
        logger.error("could not run %s for handoff conversation %s: %s", action, sender_id[:60], error)
        raise RasaUnavailable(str(error)) from error
