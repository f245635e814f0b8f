"""Size limits every input channel applies before the assistant sees a message.

A request body is read only after the cheapest checks (a channel's signature headers, then its
declared size) and never beyond MAX_BODY_BYTES; a message longer than MAX_MESSAGE_CHARS reaches
Rasa as the `message_too_long` intent, which MessageLimitPolicy answers with "please shorten that"
without running the NLU pipeline. Logs hold nothing of what a learner wrote (channels/log_privacy.py).
"""
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the desk imports this module too, in an environment without Sanic
    from sanic.request import Request

MAX_MESSAGE_CHARS = 2000
# A 2,000-character message of 4-byte characters, JSON-escaped, with room for the envelope.
MAX_BODY_BYTES = 64 * 1024
TOO_LONG_MESSAGE = "/message_too_long"


def bounded(text: str) -> str:
    """The message itself, or the `message_too_long` intent when it is over the limit."""
    return text if len(text) <= MAX_MESSAGE_CHARS else TOO_LONG_MESSAGE


async def read_body(request: "Request", limit: int = MAX_BODY_BYTES) -> bytes:
    """The body of a streamed request, at most `limit` bytes, else Sanic answers 413.

    With a Content-Length over the limit nothing is read at all; a chunked body is cut off as soon
    as it passes the limit. Routes using this are declared with `stream=True`, so Sanic has not
    read the body before the handler's own checks.
    """
    request.stream.request_max_size = limit
    await request.receive_body()
    return request.body
