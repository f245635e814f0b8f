"""The website's socket.io channel: each socket speaks only in the session the server confirmed."""
import asyncio

import socketio

from channels.website_chat import WebsiteChannel


async def connect(served, session_id=None):
    base = served.url.split("/webhooks/")[0]
    client = socketio.AsyncClient()
    heard: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", heard.put_nowait)
    client.on("session_confirm", confirmed.put_nowait)
    await client.connect(base, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    return client, heard, await asyncio.wait_for(confirmed.get(), 5)


async def test_messages_are_in_the_confirmed_session_whatever_session_id_they_claim(serve):
    served = await serve(WebsiteChannel(session_persistence=True))
    victim, victim_heard, victim_session = await connect(served, "victim-session-0001")
    attacker, attacker_heard, attacker_session = await connect(served)
    assert victim_session == "victim-session-0001" and attacker_session != victim_session
    await attacker.emit("user_uttered", {"message": "cancel", "session_id": victim_session})
    await served.wait_received()
    assert served.received[0].sender_id == f"web:{attacker_session}"
    assert (await asyncio.wait_for(attacker_heard.get(), 5))["text"] == "echo: cancel"
    await asyncio.sleep(0.3)
    assert victim_heard.empty()
    await victim.disconnect()
    await attacker.disconnect()


async def test_odd_session_ids_are_replaced_and_odd_messages_ignored(serve):
    served = await serve(WebsiteChannel(session_persistence=True))
    client, _, session = await connect(served, "../x?#%")
    assert session != "../x?#%" and len(session) == 32
    await client.emit("user_uttered", ["not", "a", "dict"])
    await client.emit("user_uttered", {"message": 42})
    await client.emit("user_uttered", {"message": "z" * 2001})
    await served.wait_received()
    assert [m.text for m in served.received] == ["/message_too_long"]
    await client.disconnect()


async def test_the_output_for_rasas_api_sends_to_the_sessions_room(serve):
    channel = WebsiteChannel(session_persistence=True)
    served = await serve(channel)
    client, heard, session = await connect(served, "room-of-session-1")
    await channel.get_output_channel().send_response(f"web:{session}", {"text": "A coach writes."})
    assert (await asyncio.wait_for(heard.get(), 5))["text"] == "A coach writes."
    await client.disconnect()
