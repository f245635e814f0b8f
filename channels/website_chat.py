"""The website widget's channel: Rasa's socket.io channel with the session the server confirmed.

Mounted at /socket.io (rasa-webchat's protocol). A browser asks for a session once
(`session_request`, with the ID it kept from an earlier visit, or none) and the server remembers
which session each socket has: a message is always in that session's conversation, `web:<session>`,
whatever `session_id` it claims. Replies go to every socket of the session (its room).

With several Rasa replicas (REDIS_HOST set), the rooms are joined up through Redis
(channels/socketio_manager.py): a reply sent by any replica reaches the sockets on every other.
The load balancer keeps each socket's transport requests on one replica (ops/haproxy.cfg).
"""
import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.config import RedisConfig
from channels.conversation_ids import conversation_id, local_part
from channels.limits import MAX_BODY_BYTES, bounded
from channels.socketio_manager import JsonRedisManager

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class WebsiteReplies(SocketIOOutput):
    """Rasa's socket.io output, sending to the room of the session a conversation ID names."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await super().send_response(local_part(recipient_id), message)


class WebsiteChannel(SocketIOInput):
    """Rasa's socket.io channel keeping each socket's session on the server."""

    redis: RedisConfig = RedisConfig()

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Rasa's settings from credentials.yml; the shared Redis, if any, from the environment."""
        channel = super().from_credentials(credentials)
        channel.redis = RedisConfig.from_env()
        return channel

    def get_output_channel(self) -> Optional[WebsiteReplies]:
        """Also what Rasa's API uses to push a coach's reply (to the replica holding the socket, via Redis)."""
        if self.sio is None:
            logger.error("The socket.io channel has not started: a reply to the website cannot be sent.")
            return None
        return WebsiteReplies(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Any origin may connect (Rasa's CORS setting guards the HTTP routes); a frame is at most
        # the channels' body limit, where engine.io would take 1 MB.
        manager = JsonRedisManager(self.redis) if self.redis.enabled else None  # None: this process only
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_BODY_BYTES,
                          client_manager=manager)
        self.sio = sio
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            claimed = data.get("session_id") if isinstance(data, dict) else None
            session_id = claimed if isinstance(claimed, str) and SESSION_ID.fullmatch(claimed) else uuid.uuid4().hex
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            entered = sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(entered):  # a coroutine from python-socketio 5.10 on
                await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            text = data.get("message") if isinstance(data, dict) else None
            if session_id is None or not isinstance(text, str):
                logger.warning("Ignored a socket.io message %s.",
                               "before its session_request" if session_id is None else "without a text")
                return
            metadata = data.get(self.metadata_key)
            await on_new_message(UserMessage(
                bounded(text), WebsiteReplies(sio, self.bot_message_evt),
                conversation_id(self.name(), session_id), input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else None))

        return socketio_webhook
