"""The website's socket.io manager joins replicas through Redis with JSON, and never unpickles."""
import asyncio
import pickle

import redis

from channels.socketio_manager import JsonRedisManager


async def test_what_one_replica_emits_reaches_the_other_as_json_only(redis_config):
    sender, receiver = JsonRedisManager(redis_config), JsonRedisManager(redis_config)
    assert receiver.channel == f"{redis_config.key_prefix}:socketio"
    heard: asyncio.Queue = asyncio.Queue()

    async def listen() -> None:
        async for message in receiver._listen():
            heard.put_nowait(message)

    listening = asyncio.create_task(listen())
    try:
        await asyncio.sleep(0.3)  # subscribed
        raw = redis.Redis.from_url(redis_config.url)
        raw.publish(receiver.channel, pickle.dumps({"method": "emit", "event": "evil"}))
        raw.publish(receiver.channel, b"[1, 2]")
        await sender.emit("bot_uttered", {"text": "Hi from the coach."}, namespace="/", room="session1")
        message = await asyncio.wait_for(heard.get(), 5)
        assert message["method"] == "emit" and message["event"] == "bot_uttered"
        assert message["data"] == {"text": "Hi from the coach."} and message["room"] == "session1"
        assert heard.empty()  # the pickle and the JSON array were dropped
    finally:
        listening.cancel()
