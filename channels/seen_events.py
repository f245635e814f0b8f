"""Which Slack events the assistant already has, so that Slack's retries are dropped.

One Rasa process remembers them in memory; several replicas behind a load balancer share them in
Redis (REDIS_HOST set, channels/config.py), so a retry that reaches another replica is dropped too.
"""
import logging
import time
from collections import OrderedDict
from typing import Optional

from redis import asyncio as aioredis  # redis-py, which Rasa depends on
from redis.exceptions import RedisError

from channels.config import RedisConfig

logger = logging.getLogger(__name__)

# Slack retries an unanswered event after about 0 s, 1 min and 5 min; an hour covers them all.
SEEN_EVENT_SECONDS = 3600


class SeenEvents:
    """Events seen in the last hour, in this process's memory."""

    def __init__(self, seconds: float = SEEN_EVENT_SECONDS) -> None:
        self.seconds = seconds
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def seen_before(self, event_id: str) -> bool:
        """Remembers the event; True if it came within the last hour (a retry, or a duplicate)."""
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now - self.seconds:
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return True
        self._seen[event_id] = now
        return False


class RedisSeenEvents(SeenEvents):
    """Events seen in the last hour by any replica: one Redis key each, `<prefix>:slack:event:<id>`."""

    def __init__(self, config: RedisConfig, seconds: float = SEEN_EVENT_SECONDS) -> None:
        super().__init__(seconds)
        self.config = config
        self.redis = aioredis.Redis.from_url(config.url)

    async def seen_before(self, event_id: str) -> bool:
        try:
            # SET NX is atomic: of two replicas receiving an event and its retry at once, one wins.
            first = await self.redis.set(self.config.key("slack", "event", event_id), "1", nx=True,
                                         ex=int(self.seconds))
        except RedisError as error:
            # Better a rare double answer than a dropped message; this replica's memory still helps.
            logger.error("Redis is unreachable (%s): Slack retries are dropped per replica only.", error)
            return await super().seen_before(event_id)
        return not first


def seen_events(config: Optional[RedisConfig]) -> SeenEvents:
    """In Redis when one is configured, else in memory."""
    return RedisSeenEvents(config) if config is not None and config.enabled else SeenEvents()
