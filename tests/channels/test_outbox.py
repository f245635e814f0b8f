"""The outbox: a turn's replies reach Slack or Telegram in order, again while the platform refuses them,
until DELIVERY_RETRY_SECONDS pass; then they are given up, logged without their words, and noted."""
import asyncio
import logging
from typing import Any, Dict, List, Tuple

import aiohttp
import pytest
from aiogram.utils.exceptions import TelegramAPIError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from channels import outbox as outbox_module
from channels.outbox import DeliveryRefused, Outbox, QueuedReplies, refusal


class Platform:
    """Takes messages once it has refused `refusals` of them; a send takes the text out, as Rasa's do."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals, self.taken, self.refused = refusals, [], 0

    async def send(self, recipient: str, message: Dict[str, Any]) -> None:
        text = message.pop("text")
        if self.refused < self.refusals:
            self.refused += 1
            raise TelegramAPIError("Internal Server Error")
        self.taken.append((recipient, text))


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(outbox_module, "FIRST_RETRY_SECONDS", 0.01)
    monkeypatch.setattr(outbox_module, "LONGEST_RETRY_SECONDS", 0.02)


async def delivered(box: Outbox, *recipients: str) -> None:
    while any(box.waiting(recipient) for recipient in recipients):
        await asyncio.sleep(0.01)


async def test_replies_reach_the_platform_in_order_once_it_takes_them():
    platform = Platform(refusals=3)
    box = Outbox("telegram", platform.send, retry_seconds=60)
    replies = QueuedReplies(box)
    for text in ("first", "second", "third"):
        await replies.send_response("telegram:1", {"text": text})  # returns at once: the turn goes on
    await delivered(box, "telegram:1")
    assert platform.refused == 3
    assert platform.taken == [("telegram:1", "first"), ("telegram:1", "second"), ("telegram:1", "third")]
    assert replies.name() == "telegram"


async def test_one_conversation_waiting_does_not_hold_up_another():
    taken: List[Tuple[str, str]] = []

    async def send(recipient: str, message: Dict[str, Any]) -> None:
        if recipient == "slack:T1:U1:D1":
            raise aiohttp.ClientConnectionError()
        taken.append((recipient, message["text"]))

    box = Outbox("slack", send, retry_seconds=60)
    box.put("slack:T1:U1:D1", {"text": "stuck"})
    box.put("slack:T1:U2:D2", {"text": "free"})
    await delivered(box, "slack:T1:U2:D2")
    assert taken == [("slack:T1:U2:D2", "free")] and box.waiting("slack:T1:U1:D1") == 1


async def test_after_the_retry_time_the_replies_are_given_up_logged_without_their_words_and_noted(caplog):
    noted = []

    async def record(recipient: str, count: int) -> None:
        noted.append((recipient, count))

    box = Outbox("telegram", Platform(refusals=1000).send, retry_seconds=0.05)
    box.record_undelivered = record
    box.put("telegram:5551234567", {"text": "Your secret is jane@example.org"})
    box.put("telegram:5551234567", {"text": "and the next one"})
    await delivered(box, "telegram:5551234567")
    assert noted == [("telegram:5551234567", 2)]
    given_up = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(given_up) == 1 and "Gave up on 2 replies to telegram conversation #" in given_up[0]
    assert "Internal Server Error" in given_up[0]
    assert not any(word in caplog.text for word in ("jane@example.org", "secret", "5551234567"))


async def test_a_failing_note_is_logged_and_the_outbox_goes_on(caplog):
    async def broken(recipient: str, count: int) -> None:
        raise RuntimeError("tracker store down")

    box = Outbox("slack", Platform(refusals=1).send, retry_seconds=0)
    box.record_undelivered = broken
    box.put("slack:T1:U3:D3", {"text": "lost"})
    await delivered(box, "slack:T1:U3:D3")
    box.put("slack:T1:U3:D3", {"text": "taken"})  # the platform is back
    await delivered(box, "slack:T1:U3:D3")
    assert "Could not note the undelivered replies in slack conversation #" in caplog.text


def slack_error(status: int, body: Dict[str, Any]) -> SlackApiError:
    answer = AsyncSlackResponse(client=None, http_verb="POST", api_url="https://slack.test/api/chat.postMessage",
                                req_args={}, data=body, headers={}, status_code=status)
    return SlackApiError("The request to the Slack API failed.", answer)


@pytest.mark.parametrize("error, described", [
    (slack_error(500, {"ok": False, "error": "fatal_error", "message": {"text": "jane@example.org"}}),
     "slack refused: SlackApiError (500 fatal_error)"),
    (TelegramAPIError("Forbidden: bot was blocked by the user"),
     "slack refused: TelegramAPIError (Forbidden: bot was blocked by the user)"),
    (aiohttp.ClientResponseError(None, (), status=502, message="Bad Gateway https://api.telegram.org/bot123:SECRET/x"),
     "slack refused: ClientResponseError (502)"),
    (aiohttp.ClientConnectorError.__new__(aiohttp.ClientConnectorError), "slack refused: ClientConnectorError"),
    (asyncio.TimeoutError(), "slack refused: TimeoutError"),
])
def test_a_refusal_says_why_without_the_message_or_the_token(error, described):
    refused = refusal("slack", error)
    assert isinstance(refused, DeliveryRefused) and str(refused) == described
