"""A socket.io client manager shared by Rasa replicas through Redis, speaking JSON.

python-socketio keeps each socket, and each room (a website session, channels/website_chat.py),
in the process that accepted it. With several Rasa replicas, a coach's reply pushed through
Rasa's API on one replica must reach a learner whose socket lives on another: every emit is
published on a Redis channel, and each replica delivers it to the sockets it holds.

python-socketio's own AsyncRedisManager does this with pickle, and unpickles whatever arrives on
the channel: anyone able to publish to that Redis could run code in every replica. This one
sends and reads JSON only (what the widget gets is JSON anyway).
"""
import json
import logging
from typing import Any, AsyncIterator, Dict

from redis.exceptions import RedisError
from socketio import AsyncRedisManager

from channels.config import RedisConfig

logger = logging.getLogger(__name__)


class JsonRedisManager(AsyncRedisManager):
    """python-socketio's Redis manager on `<prefix>:socketio`, with JSON messages instead of pickles."""

    def __init__(self, config: RedisConfig) -> None:
        super().__init__(url=config.url, channel=config.key("socketio"), logger=logger)

    async def _publish(self, data: Dict[str, Any]) -> None:
        message = json.dumps(data)
        try:
            await self.redis.publish(self.channel, message)
        except RedisError as error:  # once more on a new connection, as python-socketio does
            logger.error("Could not publish to Redis (%s): retrying once.", error)
            self._redis_connect()
            try:
                await self.redis.publish(self.channel, message)
            except RedisError as again:
                logger.error("Could not publish to Redis (%s): a reply to the website was lost.", again)

    async def _listen(self) -> AsyncIterator[Dict[str, Any]]:
        # Decoded here, so python-socketio's listener receives a dict and never tries pickle.
        async for message in super()._listen():
            try:
                data = json.loads(message)
            except ValueError:
                logger.warning("Ignored a message on %s that is not JSON.", self.channel)
                continue
            if isinstance(data, dict):
                yield data
            else:
                logger.warning("Ignored a message on %s that is not a JSON object.", self.channel)
