"""The Telegram channel's webhook and output against a loopback fake of the Bot API."""
import asyncio
import json
import logging

from rasa.core.channels.channel import UserMessage

from channels.telegram import TelegramChannel
from channels.unavailable import UnavailableChannel
from tests.chat_fakes import TELEGRAM_SECRET, TELEGRAM_TOKEN, post

WEBHOOK_URL = "https://advisor.example.org/webhooks/telegram/webhook"


def telegram_env(api, **extra):
    return {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": api.api_url, **extra}


async def deliver(api, served, update, **options):
    """An update sent to the served channel, with the secret unless told otherwise."""
    options.setdefault("secret", TELEGRAM_SECRET)
    return await asyncio.to_thread(api.deliver, update, url=served.url + "/webhook", **options)


async def test_without_token_or_secret_the_channel_answers_503_and_logs_why(serve, caplog):
    caplog.set_level(logging.WARNING)
    for env in ({}, {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN}, {"TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET},
                {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET_TOKEN": "spaces are not allowed"},
                {"TELEGRAM_BOT_TOKEN": "not-a-token", "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET}):
        assert isinstance(TelegramChannel.from_env(env), UnavailableChannel), env
    assert "TELEGRAM_BOT_TOKEN is not a bot token" in caplog.text
    served = await serve(TelegramChannel.from_env({"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN}))
    status, _ = await asyncio.to_thread(post, served.url + "/webhook", b"{}", {"Content-Type": "application/json"})
    assert status == 503
    assert served.received == []
    assert "TELEGRAM_SECRET_TOKEN not set" in caplog.text


async def test_the_webhook_is_registered_with_its_secret_on_start(serve, telegram_api):
    await serve(TelegramChannel.from_env(telegram_env(telegram_api, TELEGRAM_WEBHOOK_URL=WEBHOOK_URL)))
    call = await asyncio.to_thread(telegram_api.wait_for, "setWebhook", timeout=5)
    assert call.params == {"url": WEBHOOK_URL, "secret_token": TELEGRAM_SECRET, "allowed_updates": ["message", "callback_query"]}


async def test_without_a_webhook_url_nothing_is_registered(serve, telegram_api, caplog):
    caplog.set_level(logging.INFO)
    await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    await asyncio.sleep(0.3)
    assert telegram_api.calls_to("setWebhook") == []
    assert "TELEGRAM_WEBHOOK_URL not set" in caplog.text


async def test_a_failed_registration_is_logged(serve, telegram_api, caplog):
    env = telegram_env(telegram_api, TELEGRAM_WEBHOOK_URL=WEBHOOK_URL, TELEGRAM_BOT_TOKEN="42:revoked")
    await serve(TelegramChannel.from_env(env))
    await asyncio.sleep(0.3)
    assert "Could not register the Telegram webhook" in caplog.text


async def test_an_update_with_the_secret_is_answered_through_send_message(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    status, _ = await deliver(telegram_api, served, telegram_api.update(501, "how much is it?"))
    assert status == 200
    [message] = served.received
    assert (message.text, message.sender_id, message.input_channel) == ("how much is it?", "telegram:501", "telegram")
    call = await asyncio.to_thread(telegram_api.wait_for, "sendMessage", timeout=5)
    assert (call.params["chat_id"], call.params["text"]) == ("501", "echo: how much is it?")


async def test_updates_without_or_with_a_wrong_secret_are_refused(serve, telegram_api, caplog):
    caplog.set_level(logging.WARNING)
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    assert (await deliver(telegram_api, served, telegram_api.update(502, "hi"), secret=None))[0] == 401
    assert (await deliver(telegram_api, served, telegram_api.update(502, "hi"), secret="guess"))[0] == 403
    assert (await deliver(telegram_api, served, telegram_api.update(502, "hi"), secret=""))[0] == 403
    assert served.received == [] and telegram_api.calls_to("sendMessage") == []
    assert "without X-Telegram-Bot-Api-Secret-Token" in caplog.text
    assert "wrong X-Telegram-Bot-Api-Secret-Token" in caplog.text


async def test_start_greets(serve, telegram_api):
    env = telegram_env(telegram_api, TELEGRAM_BOT_NAME="@AdvisorBot")
    served = await serve(TelegramChannel.from_env(env))
    for text in ("/start", "/start@AdvisorBot", "/start campaign-42"):
        await deliver(telegram_api, served, telegram_api.update(503, text))
    assert [m.text for m in served.received] == ["/greet", "/greet", "/greet"]


async def test_the_bots_name_is_left_out_of_the_message(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api, TELEGRAM_BOT_NAME="AdvisorBot")))
    await deliver(telegram_api, served, telegram_api.update(504, "@AdvisorBot how long is it?"))
    assert served.received[0].text == "how long is it?"


async def test_buttons_become_a_reply_keyboard_whose_titles_come_back_as_payloads(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    await deliver(telegram_api, served, telegram_api.update(505, "show buttons"))
    call = await asyncio.to_thread(telegram_api.wait_for, "sendMessage", timeout=5)
    markup = call.params["reply_markup"]
    assert markup["keyboard"] == [[{"text": "Yes, please"}], [{"text": "No, thanks"}]]
    assert markup["one_time_keyboard"] is True
    await deliver(telegram_api, served, telegram_api.update(505, "Yes, please"))  # the tap
    await deliver(telegram_api, served, telegram_api.update(506, "Yes, please"))  # another chat, no keyboard
    assert [(m.sender_id, m.text) for m in served.received[1:]] == [("telegram:505", "/affirm"), ("telegram:506", "Yes, please")]


async def test_updates_without_text_are_skipped(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    sticker = telegram_api.update(507, "x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "abc"}
    status, _ = await deliver(telegram_api, served, sticker)
    assert status == 200 and served.received == []


async def test_an_update_whose_turn_was_not_saved_gets_500_so_telegram_sends_it_again(serve, telegram_api, caplog):
    async def broken(message: UserMessage) -> None:
        raise RuntimeError("tracker store down")

    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)), bot=broken)
    status, _ = await deliver(telegram_api, served, telegram_api.update(508, "hi"))
    assert status == 500
    assert "Could not answer Telegram update 1000 (RuntimeError): Telegram will send it again." in caplog.text


async def test_a_reply_telegram_refuses_is_sent_again_once_it_takes_it_and_the_update_is_acknowledged(
        serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    with telegram_api.outage("sendMessage") as outage:
        status, _ = await deliver(telegram_api, served, telegram_api.update(513, "hello"))
        assert status == 200  # the turn is done; its reply waits in the outbox
        await asyncio.to_thread(outage.wait_refused, 2)
    call = await asyncio.to_thread(telegram_api.wait_for, "sendMessage", timeout=10)
    assert (call.params["chat_id"], call.params["text"]) == ("513", "echo: hello")
    assert len(telegram_api.calls_to("sendMessage")) == 1


async def test_the_output_for_rasas_latest_channel_sends_to_the_chat(telegram_api):
    channel = TelegramChannel.from_env(telegram_env(telegram_api))
    output = channel.get_output_channel()  # what Rasa's API builds for output_channel=latest
    assert output is channel.get_output_channel()  # one HTTP session, one memory of keyboards
    await output.send_response("telegram:509", {"text": "A coach writes."})
    await output.session.close()
    [call] = telegram_api.calls_to("sendMessage")
    assert (call.params["chat_id"], call.params["text"]) == ("509", "A coach writes.")
    assert telegram_api.calls_to("setWebhook") == []  # Rasa's own output would register on every push


async def test_malformed_updates_get_400_and_oversized_ones_413_unread(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    url, secret = served.url + "/webhook", {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    malformed = [b"[1, 2]", b"not json"]
    for field, value in (("text", {"no": "string"}), ("chat", "510"), ("chat", [510]), ("chat", None),
                         ("chat", {"id": True}), ("chat", {"id": "510"}), ("chat", {"id": 5.1}), ("chat", {})):
        update = telegram_api.update(510, "x")
        update["message"][field] = value
        malformed.append(json.dumps(update).encode())
    malformed.append(json.dumps({"update_id": 1, "message": "hello"}).encode())
    for body in malformed:
        status, _ = await asyncio.to_thread(post, url, body, {"Content-Type": "application/json", **secret})
        assert status == 400, body
    huge = json.dumps(telegram_api.update(511, "x" * 200_000)).encode()
    assert (await asyncio.to_thread(post, url, huge, {"Content-Type": "application/json", **secret}))[0] == 413
    # Without the secret the size does not matter: refused before the body is read.
    assert (await asyncio.to_thread(post, url, huge, {"Content-Type": "application/json"}))[0] == 401
    assert served.received == []


async def test_a_message_over_the_limit_reaches_the_assistant_as_the_too_long_intent(serve, telegram_api):
    served = await serve(TelegramChannel.from_env(telegram_env(telegram_api)))
    await deliver(telegram_api, served, telegram_api.update(512, "y" * 2001))
    await deliver(telegram_api, served, telegram_api.update(512, "y" * 2000))
    assert [m.text for m in served.received] == ["/message_too_long", "y" * 2000]


async def test_a_program_list_shows_one_bulleted_program_per_line(telegram_api):
    output = TelegramChannel.from_env(telegram_env(telegram_api)).get_output_channel()
    await output.send_response("telegram:77", {"text": "Here they are:\n\n- Design for Delight ($150)\n- CAD ($350)"})
    sent = [call.params["text"] for call in telegram_api.calls_to("sendMessage")]
    await output.session.close()
    assert sent[-1].splitlines() == ["• Design for Delight ($150)", "• CAD ($350)"]
