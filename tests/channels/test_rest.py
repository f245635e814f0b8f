"""The REST channel: conversation IDs set by the server, claims ignored, bad and huge bodies refused."""
import asyncio
import json

from channels.rest import RestChannel
from tests.chat_fakes import post


async def send(served, body: bytes):
    status, text = await asyncio.to_thread(post, served.url + "/webhook", body, {"Content-Type": "application/json"})
    return status, text


async def test_the_conversation_is_rest_namespaced_and_a_claimed_channel_is_ignored(serve):
    served = await serve(RestChannel())
    body = {"sender": "424242", "message": "hello", "input_channel": "telegram", "metadata": {"page": "/faq"}}
    status, text = await send(served, json.dumps(body).encode())
    assert status == 200 and json.loads(text)[0]["text"] == "echo: hello"
    [message] = served.received
    assert (message.sender_id, message.input_channel, message.metadata) == ("rest:424242", "rest", {"page": "/faq"})


async def test_bad_bodies_get_400_and_never_reach_the_assistant(serve):
    served = await serve(RestChannel())
    for body in (b"", b"[1]", b"not json", b'"text"', b'{"message": "hi"}', b'{"sender": "", "message": "hi"}',
                 b'{"sender": 7, "message": "hi"}', b'{"sender": "me"}', b'{"sender": "me", "message": null}',
                 b'{"sender": "me", "message": "hi", "metadata": [1]}', b'\xff\xfe',
                 json.dumps({"sender": "s" * 129, "message": "hi"}).encode()):
        status, text = await send(served, body)
        assert status == 400 and "error" in json.loads(text), body
    assert served.received == []


async def test_a_body_over_the_cap_gets_413_and_a_long_message_becomes_the_too_long_intent(serve):
    served = await serve(RestChannel())
    status, _ = await send(served, json.dumps({"sender": "me", "message": "x" * 70_000}).encode())
    assert status == 413
    status, _ = await send(served, json.dumps({"sender": "me", "message": "x" * 48_000}).encode())
    assert status == 200
    assert [m.text for m in served.received] == ["/message_too_long"]
