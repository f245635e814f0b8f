"""Stands in for a chat channel whose settings are missing, so `make run` works without them."""
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


class UnavailableChannel(InputChannel):
    """Mounted at the channel's URL in its place: every request gets 503, and the reason is logged.

    The channel is never opened without its secret, and whoever calls the URL (Slack, Telegram, a
    person testing) gets a clear refusal instead of a 404 that looks like a wrong URL.
    """

    def __init__(self, channel: str, reason: str) -> None:
        self.channel, self.reason = channel, reason
        logger.warning("The %s channel is closed: %s.", channel, reason)

    def url_prefix(self) -> str:
        return self.channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        closed = Blueprint(f"{self.channel}_unavailable", __name__)

        async def refuse(request: Request) -> HTTPResponse:
            logger.warning("Refused %s %s: the %s channel is closed (%s).",
                           request.method, request.path, self.channel, self.reason)
            return response.text(f"The {self.channel} channel is not configured.", status=503)

        closed.add_route(refuse, "/", methods=["GET", "POST"], name="health")
        closed.add_route(refuse, "/webhook", methods=["GET", "POST"], name="webhook")
        return closed
