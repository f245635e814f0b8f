"""A channel's blueprint served by a real Sanic server on a free port, with a stand-in for the assistant."""
import asyncio
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterator, List, Optional

import pytest
import redis
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from channels.config import RedisConfig
from tests.chat_fakes import FakeSlack, FakeTelegram

Bot = Callable[[UserMessage], Awaitable[Any]]
# Sanic rewrites its HTTP classes for the first app it serves; test mode lets each test's app redo it.
Sanic.test_mode = True


@dataclass
class Served:
    """The channel's base URL (…/webhooks/NAME) and every message it passed to the assistant."""

    url: str
    received: List[UserMessage] = field(default_factory=list)

    async def wait_received(self, count: int = 1, timeout: float = 10) -> List[UserMessage]:
        async def wait() -> List[UserMessage]:
            while len(self.received) < count:
                await asyncio.sleep(0.05)
            return self.received
        return await asyncio.wait_for(wait(), timeout)


async def echo(message: UserMessage) -> None:
    """Answers like the assistant would, through the channel's own output: with buttons when asked."""
    answer: Dict[str, Any] = {"text": f"echo: {message.text}"}
    if "buttons" in message.text:
        answer["buttons"] = [{"title": "Yes, please", "payload": "/affirm"},
                             {"title": "No, thanks", "payload": "/deny"}]
    await message.output_channel.send_response(message.sender_id, answer)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """`await serve(channel, bot=echo)`: the channel mounted at /webhooks/NAME, as `rasa run` mounts it."""
    servers = []

    async def start(channel: InputChannel, bot: Optional[Bot] = None) -> Served:
        app = Sanic(f"channel_test_{uuid.uuid4().hex}")
        app.ctx.agent = None  # the stand-in for the assistant keeps no conversations to note anything in
        port = free_port()
        served = Served(f"http://127.0.0.1:{port}/webhooks/{channel.url_prefix()}")

        async def on_new_message(message: UserMessage) -> None:
            served.received.append(message)
            await (bot or echo)(message)

        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}")
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                         access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return served

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@pytest.fixture
def slack_api() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def redis_config() -> Iterator[RedisConfig]:
    """A key prefix (and so a pub/sub channel) of this test's own on the local Redis; its keys are
    deleted afterwards."""
    config = RedisConfig(host="127.0.0.1", key_prefix=f"advisortest{uuid.uuid4().hex[:12]}")
    yield config
    client = redis.Redis.from_url(config.url)
    for key in client.scan_iter(match=f"{config.key_prefix}:*"):
        client.delete(key)
