"""Replies on their way to Slack or Telegram: a platform that refuses one never costs the learner's turn.

Rasa sends a turn's replies before it saves the turn, and an output channel that raises loses the
whole turn, the learner's message included. So a learner's turn hands its replies to an `Outbox`
and is saved at once; the outbox sends them in the background, in order for each conversation,
and sends a refused one again after 1, 2, 4... seconds (at most a minute apart) until the platform
takes it. After DELIVERY_RETRY_SECONDS it gives up on what that conversation still has waiting,
logs it, and notes it in the conversation (an `agent` event the desk's analytics count as a
technical problem).

Pushes through Rasa's API (a coach's reply the desk delivers) use the platform's output directly
and raise `DeliveryRefused`, so that the desk knows whether the learner got it.
"""
import asyncio
import copy
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Deque, Dict, Optional

import aiohttp
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.events import AgentUttered
from slack_sdk.errors import SlackApiError

from channels.conversation_ids import for_log

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
SEND_TIMEOUT_SECONDS = 20  # a platform that has not answered a message by then refused it
LONGEST_RETRY_SECONDS = 60.0
# The `agent` event noting replies given up on: no text, so it changes nothing Rasa predicts from.
UNDELIVERED = "undelivered_replies"


class DeliveryRefused(Exception):
    """The platform did not take a message; the reason says why without what the message said."""


def refusal(channel: str, error: Exception) -> DeliveryRefused:
    """The platform's error in words safe for a log: never the message (Slack's error repeats the
    platform's whole answer) nor the request's URL (Telegram's holds the bot token)."""
    if isinstance(error, SlackApiError):
        details = f"{error.response.status_code} {error.response.get('error') or ''}".strip()
    elif isinstance(error, TelegramAPIError):
        details = str(error)[:80]  # Telegram's short description: "Internal Server Error", "Forbidden: ..."
    elif isinstance(error, aiohttp.ClientResponseError):
        details = str(error.status)
    else:  # the network: refused connections, timeouts
        details = ""
    return DeliveryRefused(f"{channel} refused: {error.__class__.__name__}{f' ({details})' if details else ''}")


async def refused_as(channel: str, sending: Awaitable[None]) -> None:
    """Await a send, turning any failure into DeliveryRefused."""
    try:
        await sending
    except DeliveryRefused:
        raise
    except Exception as error:  # the platform's errors, the network's, a timeout
        raise refusal(channel, error) from None


@dataclass
class Waiting:
    message: Dict[str, Any]
    queued_at: float = field(default_factory=time.monotonic)


class Outbox:
    """Each conversation's replies, sent one after another by `send`, again while it raises."""

    def __init__(self, channel: str, send: Callable[[str, Dict[str, Any]], Awaitable[None]],
                 retry_seconds: float) -> None:
        self.channel, self._send, self.retry_seconds = channel, send, retry_seconds
        self._waiting: Dict[str, Deque[Waiting]] = {}
        self._senders: Dict[str, asyncio.Task[None]] = {}
        # Notes replies given up on in the conversation; set once Rasa's agent is loaded.
        self.record_undelivered: Optional[Callable[[str, int], Awaitable[None]]] = None

    def put(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self._waiting.setdefault(recipient_id, deque()).append(Waiting(copy.deepcopy(message)))
        if recipient_id not in self._senders:
            self._senders[recipient_id] = asyncio.create_task(self._deliver(recipient_id))

    def waiting(self, recipient_id: str) -> int:
        return len(self._waiting.get(recipient_id, ()))

    async def _deliver(self, recipient_id: str) -> None:
        queue, wait = self._waiting[recipient_id], FIRST_RETRY_SECONDS
        try:
            while queue:
                try:
                    # A copy each time: Rasa's output channels take the message apart as they send it.
                    await refused_as(self.channel, self._send(recipient_id, copy.deepcopy(queue[0].message)))
                except DeliveryRefused as refused:
                    if time.monotonic() - queue[0].queued_at >= self.retry_seconds:
                        await self._give_up(recipient_id, queue, refused)
                        return
                    wait = max(wait, float(getattr(refused.__cause__, "timeout", 0) or 0))  # Telegram's flood wait
                    logger.warning("%s; the reply to %s is sent again in %g s.", refused, for_log(recipient_id), wait)
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, LONGEST_RETRY_SECONDS)
                    continue
                queue.popleft()
                wait = FIRST_RETRY_SECONDS
        finally:
            del self._senders[recipient_id]
            if not queue:
                del self._waiting[recipient_id]

    async def _give_up(self, recipient_id: str, queue: Deque[Waiting], refused: DeliveryRefused) -> None:
        count = len(queue)
        queue.clear()
        logger.error("Gave up on %d replies to %s after %g s: %s. They are in the conversation's record.",
                     count, for_log(recipient_id), self.retry_seconds, refused)
        if self.record_undelivered is None:
            return
        try:
            await self.record_undelivered(recipient_id, count)
        except Exception as error:  # the tracker store is down too: the log above is all there is
            logger.error("Could not note the undelivered replies in %s: %s", for_log(recipient_id),
                         error.__class__.__name__)


class QueuedReplies(OutputChannel):
    """What a learner's turn on Slack or Telegram sends through: its replies go to the outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def name(self) -> str:  # type: ignore[override]
        return self.outbox.channel

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.outbox.put(recipient_id, message)


def undelivered_recorder(agent: Any) -> Callable[[str, int], Awaitable[None]]:
    """Notes, in a conversation Rasa's `agent` keeps, how many replies never reached the learner."""
    async def record(conversation_id: str, count: int) -> None:
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.processor.get_tracker(conversation_id)
            tracker.update(AgentUttered(data={UNDELIVERED: count}))
            await agent.processor.save_tracker(tracker)
    return record
