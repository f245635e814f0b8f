"""Slack's retries are dropped by event ID: in memory for one process, in Redis for several replicas."""

import redis

from channels.config import RedisConfig
from channels.seen_events import RedisSeenEvents, SeenEvents, seen_events


async def test_memory_drops_the_second_delivery_only():
    seen = SeenEvents()
    assert not await seen.seen_before("Ev1")
    assert await seen.seen_before("Ev1")
    assert not await seen.seen_before("Ev2")


async def test_memory_forgets_after_the_window():
    seen = SeenEvents(seconds=0)
    assert not await seen.seen_before("Ev1")
    assert not await seen.seen_before("Ev1")


async def test_two_replicas_share_what_they_have_seen(redis_config):
    one, other = RedisSeenEvents(redis_config), RedisSeenEvents(redis_config)
    assert not await one.seen_before("Ev1")
    assert await other.seen_before("Ev1")  # the retry reached the other replica
    assert not await other.seen_before("Ev2")
    ttl = redis.Redis.from_url(redis_config.url).ttl(f"{redis_config.key_prefix}:slack:event:Ev1")
    assert 3500 < ttl <= 3600


async def test_unreachable_redis_falls_back_to_memory():
    seen = RedisSeenEvents(RedisConfig(host="127.0.0.1", port=1))
    assert not await seen.seen_before("Ev1")
    assert await seen.seen_before("Ev1")


def test_redis_only_when_a_host_is_set():
    assert type(seen_events(RedisConfig())) is SeenEvents
    assert type(seen_events(RedisConfig(host="127.0.0.1"))) is RedisSeenEvents
    assert RedisConfig.from_env({"REDIS_HOST": "r", "REDIS_PORT": "7000", "REDIS_DB": "2",
                                 "REDIS_KEY_PREFIX": "x1"}) == RedisConfig("r", 7000, 2, "x1")
