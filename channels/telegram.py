"""Telegram: Rasa's Telegram connector, configured from the environment, with the webhook secret required.

Mounted at /webhooks/telegram/webhook. Telegram sends the secret given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header of every update; an update without it is refused before it
reaches the assistant, and before its body is read. The conversation ID is `telegram:<chat ID>`.

An update is acknowledged (200) only once its turn is saved: Telegram sends it again until it is.
The turn's replies go through an outbox (channels/outbox.py), so a Bot API that refuses them
never costs the turn; they reach the chat once Telegram takes them.
"""
import hmac
import json
import logging
import os
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError, ValidationError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.config import DELIVERY_RETRY_SECONDS, delivery_retry_seconds
from channels.conversation_ids import conversation_id, local_part
from channels.formatting import with_bullets
from channels.limits import bounded, read_body
from channels.outbox import SEND_TIMEOUT_SECONDS, Outbox, QueuedReplies, refused_as, undelivered_recorder
from channels.ratings import is_rating_offer
from channels.unavailable import UnavailableChannel

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts
REMEMBERED_KEYBOARDS = 10_000  # chats whose latest keyboard is kept, least recently used dropped first


class NotAnUpdate(ValueError):
    """A request with the webhook's secret whose body does not have the shape of a Telegram update."""


def tapped_button(update: Dict[str, Any]) -> Optional[Tuple[str, int, Optional[str]]]:
    """(the query's id, its chat, the button's data) of a tap on an inline keyboard button; None for
    other updates."""
    query = update.get("callback_query")
    if query is None:
        return None
    if not isinstance(query, dict) or not isinstance(query.get("id"), str):
        raise NotAnUpdate("its callback query has no id")
    chat_id, _ = chat_message({"message": query.get("message")})
    if chat_id is None:
        raise NotAnUpdate("its callback query has no message")
    data = query.get("data")
    return query["id"], chat_id, data if isinstance(data, str) else None


def chat_message(update: Any) -> Tuple[Optional[int], Optional[str]]:
    """The chat and text of an update's message: (None, None) for updates without a message (edits,
    channel posts), a None text for messages without one (stickers, photos)."""
    if not isinstance(update, dict):
        raise NotAnUpdate("the update is not an object")
    message = update.get("message")
    if message is None:
        return None, None
    if not isinstance(message, dict):
        raise NotAnUpdate("its message is not an object")
    chat = message.get("chat")
    if not isinstance(chat, dict):
        raise NotAnUpdate("its message's chat is not an object")
    chat_id, text = chat.get("id"), message.get("text")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):  # True is an int to Python
        raise NotAnUpdate("its chat's id is not a number")
    if not isinstance(text, (str, type(None))):
        raise NotAnUpdate("its message's text is not a string")
    return chat_id, text


class TelegramReplies(TelegramOutput):
    """Rasa's Telegram output through a configurable API URL, with buttons as a reply keyboard, and the
    rating buttons as an inline keyboard under the answer they rate.

    A reply keyboard sends the tapped button's title as an ordinary message, so the latest
    keyboard of each chat is remembered to turn the title back into the button's payload. An
    inline button sends its payload itself, as a callback query.
    """

    def __init__(self, token: str, api_url: str) -> None:
        super().__init__(token)
        self.server = TelegramAPIServer.from_base(api_url)
        self.timeout = SEND_TIMEOUT_SECONDS  # aiogram's own is 5 minutes
        self._keyboards: OrderedDict[str, Dict[str, str]] = OrderedDict()

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]],
                                     **kwargs: Any) -> None:
        if is_rating_offer(buttons):
            inline = InlineKeyboardMarkup(row_width=len(buttons))
            inline.add(*(InlineKeyboardButton(b["title"], callback_data=b["payload"]) for b in buttons))
            await self.send_message(recipient_id, text, reply_markup=inline)
            return
        keyboard = ReplyKeyboardMarkup(resize_keyboard=True, one_time_keyboard=True)
        for button in buttons:
            keyboard.add(KeyboardButton(button["title"]))
        self._keyboards[str(recipient_id)] = {button["title"]: button["payload"] for button in buttons}
        self._keyboards.move_to_end(str(recipient_id))
        if len(self._keyboards) > REMEMBERED_KEYBOARDS:
            self._keyboards.popitem(last=False)
        await self.send_message(recipient_id, text, reply_markup=keyboard)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Replies go to the chat the conversation ID names, lists with bullets; DeliveryRefused when
        Telegram does not take one."""
        if message.get("text"):
            message = {**message, "text": with_bullets(message["text"])}
        await refused_as(self.name(), super().send_response(local_part(recipient_id), message))

    def payload_for(self, chat_id: str, text: str) -> str:
        """The payload of the chat's keyboard button titled `text`, else the text itself."""
        return self._keyboards.get(chat_id, {}).get(text, text)


class TelegramChannel(TelegramInput):
    """Rasa's Telegram connector checking the webhook secret, with /start greeting and reply keyboards."""

    def __init__(self, token: str, secret_token: str, webhook_url: Optional[str] = None,
                 bot_name: Optional[str] = None, api_url: str = DEFAULT_API_URL,
                 retry_seconds: float = DELIVERY_RETRY_SECONDS) -> None:
        super().__init__(access_token=token, verify=bot_name, webhook_url=webhook_url)  # `verify`: the username
        self.secret_token = secret_token
        # One output for turns (through the outbox) and for Rasa's API: it holds the HTTP session and the keyboards.
        self.output = TelegramReplies(token, api_url)
        self.outbox = Outbox(self.name(), self.output.send_response, retry_seconds)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Settings come from the environment; credentials.yml only names this class."""
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InputChannel:
        """The channel from the TELEGRAM_* variables, or a closed one saying what is wrong."""
        missing = [name for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN") if not env.get(name)]
        if missing:
            return UnavailableChannel(cls.name(), f"{' and '.join(missing)} not set")
        if not SECRET_TOKEN.fullmatch(env["TELEGRAM_SECRET_TOKEN"]):
            return UnavailableChannel(cls.name(), "TELEGRAM_SECRET_TOKEN must be 1-256 of A-Z a-z 0-9 _ -")
        try:
            return cls(env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_SECRET_TOKEN"],
                       webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
                       bot_name=(env.get("TELEGRAM_BOT_NAME") or "").lstrip("@") or None,
                       api_url=env.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
                       retry_seconds=delivery_retry_seconds(env))
        except ValidationError as error:
            return UnavailableChannel(cls.name(), f"TELEGRAM_BOT_TOKEN is not a bot token ({error})")

    def get_output_channel(self) -> TelegramReplies:
        """What Rasa's API sends through (output_channel=telegram): straight to Telegram, raising when it
        refuses, so the desk knows whether a coach's reply arrived (Rasa's own would call setWebhook)."""
        return self.output

    async def register_webhook(self) -> None:
        """Tell Telegram where to send updates, and the secret to send with them."""
        if not self.webhook_url:
            logger.info("TELEGRAM_WEBHOOK_URL not set: the Telegram webhook is left as registered before.")
            return
        try:
            await self.output.request("setWebhook", {
                "url": self.webhook_url, "secret_token": self.secret_token,
                "allowed_updates": json.dumps(["message", "callback_query"]),
            })
        except TelegramAPIError as error:
            logger.error("Could not register the Telegram webhook %s: %s", self.webhook_url, error)
            return
        logger.info("Registered the Telegram webhook %s.", self.webhook_url)

    async def acknowledge_tap(self, query_id: str) -> None:
        """Telegram shows a tapped inline button as busy until the bot answers its query."""
        try:
            await self.output.request("answerCallbackQuery", {"callback_query_id": query_id})
        except TelegramAPIError as error:  # the tap is answered in the chat all the same
            logger.warning("Could not answer a Telegram callback query: %s", error)

    def user_text(self, text: str) -> str:
        """The learner's words: without the bot's @name, /start as a greeting."""
        if self.verify:
            text = re.sub(rf"@{re.escape(self.verify)}\b", "", text, flags=re.IGNORECASE).strip()
        if text.split(maxsplit=1)[0:1] == ["/start"]:
            return "/greet"  # Telegram sends /start when someone opens the bot
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def register(app: Sanic, __: Any) -> None:
            self.outbox.record_undelivered = undelivered_recorder(app.ctx.agent)
            await self.register_webhook()

        @telegram_webhook.listener("before_server_stop")
        async def close(_: Sanic, __: Any) -> None:
            await self.output.session.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            given = request.headers.get(SECRET_HEADER)
            if given is None:
                logger.warning("Refused a Telegram update without %s from %s.", SECRET_HEADER, request.ip)
                return response.text(f"Missing {SECRET_HEADER}.", status=401)
            if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                logger.warning("Refused a Telegram update with a wrong %s from %s.", SECRET_HEADER, request.ip)
                return response.text(f"Wrong {SECRET_HEADER}.", status=403)
            try:
                update = json.loads(await read_body(request))
            except ValueError:
                return response.text("The update is not JSON.", status=400)
            try:
                chat_id, text = chat_message(update)
                tap = tapped_button(update)
            except NotAnUpdate as error:
                logger.warning("Refused a Telegram update that is not one: %s", error)
                return response.text(f"Not a Telegram update: {error}", status=400)
            if tap is not None:
                query_id, chat_id, text = tap
            elif text:
                text = self.output.payload_for(str(chat_id), self.user_text(text))
            if not text:
                # Edits, stickers, photos, members joining, only the bot's @name: nothing to answer.
                return response.text("")
            chat = str(chat_id)
            try:
                await on_new_message(UserMessage(bounded(text), QueuedReplies(self.outbox),
                                                 conversation_id(self.name(), chat), input_channel=self.name()))
            except Exception as error:  # the turn was not saved (the tracker or lock store failed)
                logger.error("Could not answer Telegram update %s (%s): Telegram will send it again.",
                             update.get("update_id"), error.__class__.__name__)
                return response.text("The update could not be handled yet.", status=500)
            if tap is not None:
                await self.acknowledge_tap(tap[0])
            return response.text("")

        return telegram_webhook
