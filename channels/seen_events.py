"""Which Slack events the assistant is answering or has answered, so that Slack's retries are
neither answered twice nor lost.

Slack retries an event it has not seen acknowledged within 3 seconds, and the channel acknowledges
one only once its turn is saved. So an event is `ANSWERING` while its turn runs (a retry arriving
meanwhile waits for that turn instead of starting another), `ANSWERED` for an hour once saved (a
retry is dropped), and forgotten when its turn failed (the retry answers it afresh).

One Rasa process remembers this in memory; several replicas behind a load balancer share it in
Redis (REDIS_HOST set, channels/config.py), so a retry that reaches another replica is handled too.
"""
import logging
import time
from collections import OrderedDict
from typing import Optional, Tuple

from redis import asyncio as aioredis  # redis-py, which Rasa depends on
from redis.exceptions import RedisError

from channels.config import RedisConfig

logger = logging.getLogger(__name__)

ANSWERING, ANSWERED = "answering", "answered"
# Slack retries an unanswered event after about 0 s, 1 min and 5 min; an hour covers them all.
SEEN_EVENT_SECONDS = 3600
# A replica that died while answering leaves its mark this long; Slack's retry 5 minutes on then
# answers the event elsewhere. Longer than a turn can take (Rasa's lock lifetime, 60 s by default).
ANSWERING_SECONDS = 120


class SeenEvents:
    """Events answered in the last hour, or being answered, in this process's memory."""

    def __init__(self, seconds: float = SEEN_EVENT_SECONDS) -> None:
        self.seconds = seconds
        self._seen: OrderedDict[str, Tuple[str, float]] = OrderedDict()

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - self.seconds
        while self._seen and next(iter(self._seen.values()))[1] < cutoff:
            self._seen.popitem(last=False)

    async def begin(self, event_id: str) -> Optional[str]:
        """Marks the event as being answered and returns None; or, if it was already, its state."""
        self._forget_old()
        if event_id in self._seen:
            return self._seen[event_id][0]
        self._seen[event_id] = (ANSWERING, time.monotonic())
        return None

    async def end(self, event_id: str, saved: bool) -> None:
        """The event's turn is over: remembered as answered if it was saved, else forgotten."""
        self._seen.pop(event_id, None)
        if saved:
            self._seen[event_id] = (ANSWERED, time.monotonic())

    async def state(self, event_id: str) -> Optional[str]:
        self._forget_old()
        return self._seen.get(event_id, (None, 0.0))[0]


class RedisSeenEvents(SeenEvents):
    """The same shared by every replica: one Redis key each, `<prefix>:slack:event:<id>`."""

    def __init__(self, config: RedisConfig, seconds: float = SEEN_EVENT_SECONDS) -> None:
        super().__init__(seconds)
        self.config = config
        self.redis = aioredis.Redis.from_url(config.url)

    def _key(self, event_id: str) -> str:
        return self.config.key("slack", "event", event_id)

    def _unreachable(self, error: RedisError) -> None:
        # Better a rare double answer than a dropped message; this replica's memory still helps.
        logger.error("Redis is unreachable (%s): Slack retries are recognised per replica only.", error)

    async def begin(self, event_id: str) -> Optional[str]:
        try:
            # SET NX is atomic: of two replicas receiving an event and its retry at once, one wins.
            if await self.redis.set(self._key(event_id), ANSWERING, nx=True, ex=ANSWERING_SECONDS):
                return None
            return await self.state(event_id) or await self.begin(event_id)  # it ended meanwhile: try again
        except RedisError as error:
            self._unreachable(error)
            return await super().begin(event_id)

    async def end(self, event_id: str, saved: bool) -> None:
        try:
            if saved:
                await self.redis.set(self._key(event_id), ANSWERED, ex=int(self.seconds))
            else:
                await self.redis.delete(self._key(event_id))
        except RedisError as error:
            self._unreachable(error)
            await super().end(event_id, saved)

    async def state(self, event_id: str) -> Optional[str]:
        try:
            found = await self.redis.get(self._key(event_id))
        except RedisError as error:
            self._unreachable(error)
            return await super().state(event_id)
        return found.decode() if found is not None else None


def seen_events(config: Optional[RedisConfig]) -> SeenEvents:
    """In Redis when one is configured, else in memory."""
    return RedisSeenEvents(config) if config is not None and config.enabled else SeenEvents()
