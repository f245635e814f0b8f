"""Slack's events by ID: being answered, answered (a retry is dropped) or forgotten after a failed turn
(a retry is answered); in memory for one process, in Redis for several replicas."""

import redis

from channels.config import RedisConfig
from channels.seen_events import ANSWERED, ANSWERING, RedisSeenEvents, SeenEvents, seen_events


async def test_memory_knows_an_event_being_answered_then_answered():
    seen = SeenEvents()
    assert await seen.begin("Ev1") is None
    assert await seen.begin("Ev1") == ANSWERING  # a retry while the first turn runs
    await seen.end("Ev1", saved=True)
    assert await seen.begin("Ev1") == ANSWERED
    assert await seen.begin("Ev2") is None


async def test_a_failed_turn_is_forgotten_so_the_retry_answers_it():
    seen = SeenEvents()
    assert await seen.begin("Ev1") is None
    await seen.end("Ev1", saved=False)
    assert await seen.state("Ev1") is None
    assert await seen.begin("Ev1") is None


async def test_memory_forgets_after_the_window():
    seen = SeenEvents(seconds=0)
    assert await seen.begin("Ev1") is None
    await seen.end("Ev1", saved=True)
    assert await seen.begin("Ev1") is None


async def test_two_replicas_share_what_they_answer(redis_config):
    one, other = RedisSeenEvents(redis_config), RedisSeenEvents(redis_config)
    assert await one.begin("Ev1") is None
    assert await other.begin("Ev1") == ANSWERING  # the retry reached the other replica
    client = redis.Redis.from_url(redis_config.url)
    assert 100 < client.ttl(f"{redis_config.key_prefix}:slack:event:Ev1") <= 120
    await one.end("Ev1", saved=True)
    assert await other.state("Ev1") == ANSWERED
    assert 3500 < client.ttl(f"{redis_config.key_prefix}:slack:event:Ev1") <= 3600
    assert await other.begin("Ev2") is None
    await other.end("Ev2", saved=False)
    assert await one.begin("Ev2") is None  # the failed turn left nothing behind


async def test_unreachable_redis_falls_back_to_memory():
    seen = RedisSeenEvents(RedisConfig(host="127.0.0.1", port=1))
    assert await seen.begin("Ev1") is None
    assert await seen.begin("Ev1") == ANSWERING
    await seen.end("Ev1", saved=True)
    assert await seen.state("Ev1") == ANSWERED


def test_redis_only_when_a_host_is_set():
    assert type(seen_events(RedisConfig())) is SeenEvents
    assert type(seen_events(RedisConfig(host="127.0.0.1"))) is RedisSeenEvents
    assert RedisConfig.from_env({"REDIS_HOST": "r", "REDIS_PORT": "7000", "REDIS_DB": "2",
                                 "REDIS_KEY_PREFIX": "x1"}) == RedisConfig("r", 7000, 2, "x1")
