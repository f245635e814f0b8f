"""REST: Rasa's REST channel with server-set conversation IDs, size limits and 4xx for bad requests.

Mounted at /webhooks/rest/webhook; takes `{"sender": "...", "message": "..."}` and answers with the
assistant's messages. The conversation is `rest:<sender>`: a REST client cannot speak in a Slack,
Telegram or website conversation, whatever `sender` or `input_channel` it sends.
"""
import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.conversation_ids import conversation_id, for_log
from channels.limits import bounded, read_body

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class RestChannel(RestInput):
    """Rasa's REST channel, namespacing the sender and ignoring a claimed `input_channel`."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest_webhook = Blueprint("rest_webhook", __name__)

        @rest_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                payload = json.loads(await read_body(request))
            except ValueError:  # also UnicodeDecodeError
                return bad_request("The body must be JSON.")
            if not isinstance(payload, dict):
                return bad_request('The body must be a JSON object: {"sender": "...", "message": "..."}.')
            sender, text, metadata = payload.get("sender"), payload.get("message"), payload.get("metadata")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return bad_request(f"`sender` must be a non-empty string of at most {MAX_SENDER_CHARS} characters.")
            if not isinstance(text, str):
                return bad_request("`message` must be a string.")
            if metadata is not None and not isinstance(metadata, dict):
                return bad_request("`metadata` must be a JSON object.")
            collector = CollectingOutputChannel()
            message = UserMessage(bounded(text), collector, conversation_id(self.name(), sender),
                                  input_channel=self.name(), metadata=metadata)
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("Timed out answering a message in %s.", for_log(message.sender_id))
            except Exception as error:
                logger.error("Could not answer a message in %s (%s).", for_log(message.sender_id),
                             error.__class__.__name__)
            return response.json(collector.messages)

        return rest_webhook
