"""Coach replies, and the close that tells the learner, on their way to the learner's chat.

The desk sends them through Rasa's API, one line at a time and oldest first across the learner's
handoffs: each is added to the conversation as the assistant's message, and Rasa sends it on the
learner's own channel before it saves it (rasa_client.append_events). Rasa answers 200 only when the
learner's platform took it, and only then is the line marked sent. Otherwise it waits: tried again
at the coach's next reply or close, and by the desk's round after 1, 2, 4... seconds (at most a
minute apart) until DELIVERY_RETRY_SECONDS pass; then it is marked failed, and the coach's next
reply tries it again. The desk shows each line's state.

REST cannot be pushed to: there, coach replies come with the learner's next message
(bot/actions/handoff_actions.py).
"""
import asyncio
import logging
import weakref
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Dict, List, Optional

import aiohttp
import yaml
from sqlalchemy.orm import sessionmaker

from channels.config import PROJECT_ROOT, ServerConfig
from channels.conversation_ids import PUSH_CHANNELS, can_push, for_log
from channels.desk import rasa_client
from handoff_db import desk_access, handoffs

logger = logging.getLogger(__name__)

HANDOFF_DOMAIN = PROJECT_ROOT / "bot" / "domain" / "handoff.yml"


@lru_cache(maxsize=None)
def wording(response: str) -> str:
    """The domain's text of one of the handoff's responses (`utter_coach_message`, `utter_handoff_ended`…)."""
    return yaml.safe_load(HANDOFF_DOMAIN.read_text())["responses"][response][0]["text"]


def said(response: str, **values: str) -> Dict[str, Any]:
    """The assistant's message, as Rasa's event, with the response's name as Rasa records it."""
    return {"event": "bot", "text": wording(response).format(**values), "metadata": {"utter_action": response}}


class Deliveries:
    """Sends each learner's waiting lines, one learner at a time (a line is never sent twice at once)."""

    def __init__(self, sessions: sessionmaker, client: aiohttp.ClientSession, config: ServerConfig) -> None:
        self.sessions, self.client, self.config = sessions, client, config
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def deliver(self, sender_id: str, channel: str) -> Optional[str]:
        """Send what waits for this learner, in order; None when all of it reached them, else why not."""
        if not can_push(channel):
            return None
        lock = self._locks.setdefault(sender_id, asyncio.Lock())
        async with lock:
            while True:
                with self.sessions() as session:
                    line = handoffs.next_to_send(session, sender_id)
                    still_in_a_handoff = handoffs.active_handoff(session, sender_id) is not None
                if line is None:
                    return None
                try:
                    events = await self._events(line, sender_id, still_in_a_handoff)
                    if events:
                        await rasa_client.append_events(self.client, self.config.rasa_url, self.config.rasa_jwt_secret,
                                                        sender_id, events, output_channel=channel)
                except rasa_client.RasaUnavailable as error:
                    self._failed(line, sender_id, str(error))
                    return str(error)
                with self.sessions() as session, session.begin():
                    handoffs.mark_delivered(session, [line.id])

    async def _events(self, line: handoffs.MessageView, sender_id: str, still_in_a_handoff: bool) -> List[Dict[str, Any]]:
        """What the learner is to see of a line: a coach's reply (with the coach's name), a coach joining,
        a handoff reopened, or that the coach closed."""
        if line.role == "coach":
            return [said("utter_coach_message", coach=self._name(line.author), text=line.text)]
        if line.notice == "joined":
            return [said("utter_coach_joined", coach=self._name(line.author))] if still_in_a_handoff else []
        if line.notice == "reopened":
            if not still_in_a_handoff:
                return []  # closed again before it was told
            return [said("utter_handoff_reopened", coach=self._name(line.author)),
                    {"event": "slot", "name": "handoff_active", "value": True}]
        if still_in_a_handoff:
            return []  # a newer handoff is open: the learner stays with the coaches
        state = await rasa_client.conversation(self.client, self.config.rasa_url, self.config.rasa_jwt_secret,
                                               sender_id, with_events=False)
        if not (state.get("slots") or {}).get("handoff_active"):
            return []  # their next message found the handoff closed and told them
        return [said("utter_handoff_ended"), {"event": "slot", "name": "handoff_active", "value": False}]

    def _name(self, coach: Optional[str]) -> str:
        with self.sessions() as session:
            return desk_access.display_name(session, coach)

    def _failed(self, line: handoffs.MessageView, sender_id: str, reason: str) -> None:
        now = datetime.now(timezone.utc)
        give_up = now - line.queued_at >= timedelta(seconds=self.config.delivery_retry_seconds)
        with self.sessions() as session, session.begin():
            handoffs.record_failed_attempt(session, line.id, give_up, now)
        if give_up:
            logger.error("Gave up delivering line %s of handoff %s to %s after %g s: %s", line.id, line.handoff_id,
                         for_log(sender_id), self.config.delivery_retry_seconds, reason)
        else:
            logger.warning("Line %s of handoff %s did not reach %s yet (%s); it is sent again.", line.id,
                           line.handoff_id, for_log(sender_id), reason)

    async def round(self) -> None:
        """Everyone's lines that are due another try (the desk's housekeeping, every few seconds)."""
        with self.sessions() as session:
            due = handoffs.due_deliveries(session, PUSH_CHANNELS)
        for sender_id, channel in due:
            await self.deliver(sender_id, channel)
