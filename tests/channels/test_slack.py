"""The Slack channel's webhook and output against a loopback fake of Slack's Web API."""
import asyncio
import logging
import time

from rasa.core.channels.channel import UserMessage

from channels.slack import ACK_SECONDS, SlackChannel, reply_target, slack_conversation
from channels.unavailable import UnavailableChannel
from tests.chat_fakes import SLACK_SIGNING_SECRET, SLACK_TOKEN, post, slack_message, slack_signature


def slack_env(api):
    return {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET, "SLACK_API_URL": api.api_url}


async def deliver(api, served, payload, **options):
    return await asyncio.to_thread(api.deliver, served.url + "/webhook", payload, **options)


async def test_without_token_or_secret_the_channel_answers_503_and_logs_why(serve, caplog):
    caplog.set_level(logging.WARNING)
    for env in ({}, {"SLACK_BOT_TOKEN": SLACK_TOKEN}, {"SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET}):
        assert isinstance(SlackChannel.from_env(env), UnavailableChannel), env
    channel = SlackChannel.from_env({"SLACK_BOT_TOKEN": SLACK_TOKEN})
    served = await serve(channel)
    status, _ = await asyncio.to_thread(post, served.url + "/webhook", b"{}", {"Content-Type": "application/json"})
    assert status == 503
    assert served.received == []
    assert "SLACK_SIGNING_SECRET not set" in caplog.text


async def test_configured_from_the_environment(slack_api):
    channel = SlackChannel.from_env({**slack_env(slack_api), "SLACK_API_URL": slack_api.api_url.rstrip("/")})
    assert isinstance(channel, SlackChannel)
    assert channel.api_url == slack_api.api_url
    assert channel.slack_signing_secret == SLACK_SIGNING_SECRET


async def test_direct_message_is_acknowledged_and_answered_in_the_direct_message(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    status, _ = await deliver(slack_api, served, slack_message("hello", user="U1", channel="D1", ts="1.1", event_id="E1"))
    assert status == 200
    [message] = await served.wait_received()
    assert (message.text, message.sender_id, message.input_channel) == ("hello", "slack:T1:U1:D1", "slack")
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage")
    assert call.params["channel"] == "D1" and call.params["text"] == "echo: hello"
    assert "thread_ts" not in call.params


async def test_mention_is_answered_in_a_thread_under_it(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    await deliver(slack_api, served, slack_message("how much is it?", user="U2", channel="C1", ts="10.5",
                                                   event_id="E2", mention=True))
    [message] = await served.wait_received()
    assert message.text == "how much is it?"  # the mention of the app is gone
    assert message.sender_id == "slack:T1:U2:C1:10.5"
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage")
    assert (call.params["channel"], call.params["thread_ts"]) == ("C1", "10.5")


async def test_mention_inside_a_thread_continues_that_thread(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    await deliver(slack_api, served, slack_message("and the design one?", user="U2", channel="C1", ts="11.0",
                                                   thread_ts="10.5", event_id="E3", mention=True))
    [message] = await served.wait_received()
    assert message.sender_id == "slack:T1:U2:C1:10.5"
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage")
    assert call.params["thread_ts"] == "10.5"


async def test_forged_missing_and_old_signatures_get_401_and_never_reach_the_assistant(serve, slack_api, caplog):
    caplog.set_level(logging.WARNING)
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    payload = slack_message("forged", user="U3", channel="D3", ts="1.2", event_id="E4")
    now = int(time.time())
    forged = slack_signature("not-the-secret", str(now), b"{}")
    assert (await deliver(slack_api, served, payload, signature=forged))[0] == 401
    assert (await deliver(slack_api, served, payload, signature=""))[0] == 401
    assert (await deliver(slack_api, served, payload, timestamp=now - 6 * 60))[0] == 401  # a replay
    assert (await deliver(slack_api, served, payload, timestamp=now + 6 * 60))[0] == 401
    await asyncio.sleep(0.3)
    assert served.received == [] and slack_api.calls == []
    assert "Refused a Slack request" in caplog.text
    # The same event, properly signed and fresh, goes through: the refusals were about the signature.
    assert (await deliver(slack_api, served, payload))[0] == 200
    await served.wait_received()


async def test_a_retry_of_an_event_already_received_is_not_answered_twice(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    payload = slack_message("hello", user="U4", channel="D4", ts="2.1", event_id="E5")
    assert (await deliver(slack_api, served, payload))[0] == 200
    for number in ("1", "2"):
        status, _ = await deliver(slack_api, served, payload,
                                  headers={"X-Slack-Retry-Num": number, "X-Slack-Retry-Reason": "http_timeout"})
        assert status == 200
    await served.wait_received()
    await asyncio.to_thread(slack_api.wait_for, "chat.postMessage")
    await asyncio.sleep(0.5)
    assert len(served.received) == 1
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_a_retry_of_an_event_never_received_is_answered(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    payload = slack_message("hello", user="U5", channel="D5", ts="3.1", event_id="E6")
    await deliver(slack_api, served, payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    [message] = await served.wait_received()
    assert message.sender_id == "slack:T1:U5:D5"


async def test_an_event_is_acknowledged_once_its_turn_is_saved(serve, slack_api):
    async def saving(message: UserMessage) -> None:
        await asyncio.sleep(0.5)
        saved.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    saved = []
    served = await serve(SlackChannel.from_env(slack_env(slack_api)), bot=saving)
    status, _ = await deliver(slack_api, served, slack_message("hi", user="U6", channel="D6", ts="4.1", event_id="E7"))
    assert status == 200 and saved == ["hi"]
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage", timeout=10)
    assert call.params["text"] == "done"


async def test_a_turn_slower_than_slacks_patience_is_acknowledged_on_slacks_retry_and_answered_once(serve, slack_api):
    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(ACK_SECONDS + 1)
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    served = await serve(SlackChannel.from_env(slack_env(slack_api)), bot=slow)
    event = slack_message("hi", user="U16", channel="D16", ts="4.2", event_id="E17")
    assert (await deliver(slack_api, served, event))[0] == 503  # before Slack's 3 s are up: it will retry
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert (await deliver(slack_api, served, event, headers=retry))[0] == 200  # waited for the same turn
    assert (await deliver(slack_api, served, event, headers=retry))[0] == 200  # answered: dropped
    await asyncio.to_thread(slack_api.wait_for, "chat.postMessage", timeout=10)
    assert len(served.received) == 1 and len(slack_api.calls_to("chat.postMessage")) == 1


async def test_an_event_whose_turn_failed_gets_500_and_slacks_retry_is_answered(serve, slack_api, caplog):
    async def fails_once(message: UserMessage) -> None:
        if len(served.received) == 1:
            raise RuntimeError("tracker store down")
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    served = await serve(SlackChannel.from_env(slack_env(slack_api)), bot=fails_once)
    event = slack_message("hi", user="U10", channel="D10", ts="7.1", event_id="E11")
    assert (await deliver(slack_api, served, event))[0] == 500
    assert "Could not answer Slack event E11 (RuntimeError): Slack will send it again." in caplog.text
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert (await deliver(slack_api, served, event, headers=retry))[0] == 200
    assert len(served.received) == 2
    assert (await asyncio.to_thread(slack_api.wait_for, "chat.postMessage", timeout=10)).params["text"] == "done"


async def test_a_reply_slack_refuses_is_posted_again_once_it_takes_it(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    with slack_api.outage("chat.postMessage") as outage:
        event = slack_message("hello", user="U18", channel="D18", ts="4.3", event_id="E19")
        assert (await deliver(slack_api, served, event))[0] == 200
        await asyncio.to_thread(outage.wait_refused, 2)
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage", timeout=10)
    assert (call.params["channel"], call.params["text"]) == ("D18", "echo: hello")


async def test_url_verification_is_answered_with_the_challenge(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    status, body = await deliver(slack_api, served, {"type": "url_verification", "challenge": "abc123"})
    assert (status, body) == (200, '{"challenge":"abc123"}')
    forged = slack_signature("wrong", str(int(time.time())), b"")
    status, _ = await deliver(slack_api, served, {"type": "url_verification", "challenge": "abc123"}, signature=forged)
    assert status == 401


async def test_the_apps_own_posts_and_other_channels_chatter_are_skipped(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    own = slack_message("echo: hi", user="U7", channel="D7", ts="5.1", event_id="E8")
    own["event"]["bot_id"] = "B1"
    chatter = slack_message("lunch?", user="U7", channel="C7", ts="5.2", event_id="E9", channel_type="channel")
    for payload in (own, chatter):
        assert (await deliver(slack_api, served, payload))[0] == 200
    await asyncio.sleep(0.3)
    assert served.received == []


async def test_buttons_become_blocks_and_a_click_sends_the_payload(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    await deliver(slack_api, served, slack_message("show buttons", user="U8", channel="D8", ts="6.1", event_id="E10"))
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage")
    section, actions = call.params["blocks"]
    assert section["text"]["text"] == "echo: show buttons"
    assert [(e["type"], e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("button", "Yes, please", "/affirm"), ("button", "No, thanks", "/deny")]

    click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U8"}, "channel": {"id": "D8"},
             "message": {"ts": "6.2", "text": "echo: show buttons"},
             "actions": [{"type": "button", "value": "/affirm", "action_id": "a1"}]}
    status, _ = await asyncio.to_thread(slack_api.click, served.url + "/webhook", click)
    assert status == 200
    _, clicked = await served.wait_received(2)
    assert (clicked.text, clicked.sender_id) == ("/affirm", "slack:T1:U8:D8")


async def test_the_output_for_rasas_latest_channel_posts_where_the_conversation_is(slack_api):
    channel = SlackChannel.from_env(slack_env(slack_api))
    output = channel.get_output_channel()  # what Rasa's API builds for output_channel=latest
    await output.send_response("slack:T1:U9:C9:77.7", {"text": "A coach writes in the thread."})
    await output.send_response("slack:T1:U9:D9", {"text": "A coach writes in the direct message."})
    thread, direct = slack_api.calls_to("chat.postMessage")
    assert (thread.params["channel"], thread.params["thread_ts"]) == ("C9", "77.7")
    assert direct.params["channel"] == "D9" and "thread_ts" not in direct.params


def test_conversation_ids_name_the_place_to_reply():
    assert slack_conversation("T1", "U1", "D1", None) == "slack:T1:U1:D1"
    assert slack_conversation("T1", "U1", "C1", "10.5") == "slack:T1:U1:C1:10.5"
    assert reply_target("slack:T1:U1:D1") == ("D1", None)
    assert reply_target("slack:T1:U1:C1:10.5") == ("C1", "10.5")
    assert reply_target("C1") == ("C1", None)


async def test_an_interaction_without_a_team_or_with_a_broken_payload_is_not_answered(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    click = {"type": "block_actions", "user": {"id": "U8"}, "channel": {"id": "D8"},
             "actions": [{"type": "button", "value": "/affirm", "action_id": "a1"}]}
    assert (await asyncio.to_thread(slack_api.click, served.url + "/webhook", click))[0] == 200
    assert (await asyncio.to_thread(slack_api.click, served.url + "/webhook", {"actions": "nonsense"}))[0] == 400
    await asyncio.sleep(0.2)
    assert served.received == []


async def test_unsigned_bodies_are_refused_before_they_are_read_and_signed_ones_are_capped(serve, slack_api):
    served = await serve(SlackChannel.from_env(slack_env(slack_api)))
    huge = b"x" * (1024 * 1024)
    status, _ = await asyncio.to_thread(post, served.url + "/webhook", huge, {"Content-Type": "application/json"})
    assert status == 401
    stamp = str(int(time.time()))
    signed = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
              "X-Slack-Signature": slack_signature(SLACK_SIGNING_SECRET, stamp, huge)}
    assert (await asyncio.to_thread(post, served.url + "/webhook", huge, signed))[0] == 413
    array = b"[1, 2]"
    signed["X-Slack-Signature"] = slack_signature(SLACK_SIGNING_SECRET, stamp, array)
    assert (await asyncio.to_thread(post, served.url + "/webhook", array, signed))[0] == 400
    assert served.received == []


async def test_a_program_list_shows_one_bulleted_program_per_line(slack_api):
    output = SlackChannel.from_env(slack_env(slack_api)).get_output_channel()
    await output.send_response("slack:T1:U9:D9", {"text": "Here they are:\n\n- Design for Delight ($150)\n- CAD ($350)"})
    post = slack_api.calls_to("chat.postMessage")[-1]
    assert post.params["text"].splitlines()[-2:] == ["• Design for Delight ($150)", "• CAD ($350)"]


async def test_a_click_slower_than_slacks_patience_gets_200_as_slack_never_retries_one(serve, slack_api):
    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(ACK_SECONDS + 0.5)
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    served = await serve(SlackChannel.from_env(slack_env(slack_api)), bot=slow)
    click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U20"}, "channel": {"id": "D20"},
             "message": {"ts": "8.1", "text": "pick one"},
             "actions": [{"type": "button", "value": "/affirm", "action_id": "a1"}]}
    status, _ = await asyncio.to_thread(slack_api.click, served.url + "/webhook", click)
    assert status == 200 and slack_api.calls_to("chat.postMessage") == []  # answered while the turn goes on
    call = await asyncio.to_thread(slack_api.wait_for, "chat.postMessage", timeout=10)
    assert call.params["text"] == "done"
