"""Every finding of issue 9, tried against the running stack as an attacker or an operator would.

Each test names the finding it reproduces; on the code before the fix each of them fails.
Slack and Telegram probes go through the loopback fakes, signed as the real services sign.
"""
import concurrent.futures
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from channels.conversation_ids import conversation_id
from tests.e2e.chat_support import fetch, handoff_ids, new_handoff, user_messages
from tests.e2e.people import PASSWORD, Coach
from tests.e2e.stack import ROOT
from tests.e2e.test_telegram import Learner as TelegramLearner


def rest(stack, sender: str, message: str, **extra) -> list:
    return json.loads(fetch(f"{stack.url}/webhooks/rest/webhook", "POST",
                           json.dumps({"sender": sender, "message": message, **extra}).encode(),
                           {"Content-Type": "application/json"})[2] or b"[]")


def text_of(messages: list) -> str:
    return "\n".join(message.get("text", "") for message in messages)


def cookie_header(person: Coach) -> str:
    jar = next(handler.cookiejar for handler in person.opener.handlers if hasattr(handler, "cookiejar"))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


# 1. REST impersonating Telegram (and Slack) learners; input_channel spoofing.

def test_1_a_rest_client_naming_a_telegram_chat_cannot_read_write_or_cancel_its_handoff(stack, telegram_api, coach):
    learner = TelegramLearner(telegram_api)
    known = handoff_ids(coach)
    learner.say("I want to talk to a human")
    learner.sent("coach")
    path = new_handoff(coach, "telegram", known)

    # The attacker posts as the chat's number, claiming Telegram, and tries to cancel.
    forged = rest(stack, str(learner.chat), "cancel", input_channel="telegram")
    assert "cancelled" not in text_of(forged).lower()
    coach.post(path + "/reply", csrf=coach.csrf(coach.get(path)), text="Only for the Telegram learner.")
    learner.sent("Only for the Telegram learner.")
    assert "Only for the Telegram learner." not in text_of(rest(stack, str(learner.chat), "anything for me?"))
    assert "anything for me?" not in coach.get(path)
    assert [row for row in json.loads(coach.get("/queue.json")) if row["url"].endswith(path)], "still open"
    assert user_messages(stack, learner.conversation) == ["I want to talk to a human"]
    coach.close(path)


def test_1_input_channel_in_a_rest_body_is_ignored(stack, coach):
    sender = f"spoof-{uuid.uuid4().hex[:8]}"
    known = handoff_ids(coach)
    rest(stack, sender, "I want to talk to a human", input_channel="slack")
    path = new_handoff(coach, "rest", known)
    assert "Slack" not in {row["channel"] for row in json.loads(coach.get("/queue.json"))
                           if row["url"].endswith(path)}
    events = stack.events(sender)
    assert {event.get("input_channel") for event in events if event["event"] == "user"} == {"rest"}
    coach.close(path)


# 2. The action server: loopback only, and nothing without the shared token.

def listening_addresses(port: int) -> set:
    """The local addresses with a listening TCP socket on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_2_the_action_server_listens_on_loopback_and_refuses_calls_without_the_token(stack):
    assert listening_addresses(stack.action_port) == {"0100007F"}  # 127.0.0.1 only
    forged = json.dumps({"next_action": "action_relay_to_coach", "sender_id": "telegram:1", "version": "3.6.21",
                         "tracker": {"sender_id": "telegram:1", "latest_message": {"text": "forged"},
                                     "events": [], "slots": {}}, "domain": {}}).encode()
    url = f"http://127.0.0.1:{stack.action_port}/webhook"
    for headers in ({}, {"X-Action-Token": "guessed"}):
        status, _, body = fetch(url, "POST", forged, {"Content-Type": "application/json", **headers})
        assert status == 401, body
    assert fetch(f"http://127.0.0.1:{stack.action_port}/actions")[0] == 401


# 3. IDs pasted into Rasa API paths.

def test_3_a_sender_named_like_a_path_cannot_make_the_coach_act_in_another_conversation(stack, coach):
    victim = f"victim-{uuid.uuid4().hex[:8]}"
    known = handoff_ids(coach)
    rest(stack, victim, "I want to talk to a human")
    victim_path = new_handoff(coach, "rest", known)
    attacker = f"x/../{conversation_id('rest', victim)}"
    known = handoff_ids(coach)
    rest(stack, attacker, "I want to talk to a human")
    attacker_path = new_handoff(coach, "rest", known)

    coach.close(attacker_path)
    assert "back with me" in text_of(rest(stack, attacker, "hello?"))
    # The victim was told nothing, and their messages still reach the coach.
    assert text_of(rest(stack, victim, "still waiting for a coach")) == "Sent to your coach."
    assert "still waiting for a coach" in coach.get(victim_path)
    assert not [e for e in stack.events(victim) if e["event"] == "bot" and "back with me" in (e.get("text") or "")]
    assert [e["value"] for e in stack.events(victim) if e.get("name") == "handoff_active"][-1] is True
    coach.close(victim_path)


@pytest.mark.parametrize("odd", ["a/b", "..", "what?x=1", "hash#tag", "100%", "two words"])
def test_3_odd_sender_ids_get_their_coach_reply_and_only_theirs(stack, coach, odd):
    sender = f"{odd}-{uuid.uuid4().hex[:6]}"
    known = handoff_ids(coach)
    rest(stack, sender, "I want to talk to a human")
    path = new_handoff(coach, "rest", known)
    coach.post(path + "/reply", csrf=coach.csrf(coach.get(path)), text=f"Reply for {odd}")
    assert f"Reply for {odd}" in text_of(rest(stack, sender, "thanks"))
    coach.close(path)


def test_3_a_thousand_character_sender_is_a_clear_400(stack):
    status, _, body = fetch(f"{stack.url}/webhooks/rest/webhook", "POST",
                           json.dumps({"sender": "s" * 1000, "message": "hi"}).encode())
    assert status == 400 and b"sender" in body


# 4. One crash does not stop everything: supervisord restarts the service, the others go on.

def test_4_killing_the_action_server_gives_the_safety_net_within_3_s_and_it_comes_back(stack):
    sender = f"kill-actions-{uuid.uuid4().hex[:6]}"
    old = stack.actions.kill()
    started = time.monotonic()
    reply = text_of(rest(stack, sender, "How much is Lockout/Tagout Safety Training?"))
    assert time.monotonic() - started < 3
    assert "something went wrong" in reply.lower() and "253-2762" in reply
    stack.actions.wait_restarted(old, timeout=30)
    assert "$99" in text_of(rest(stack, sender, "How much is Lockout/Tagout Safety Training?"))
    assert "actions" in (Path(stack.env["LOG_DIR"]) / "supervisord.log").read_text()


def test_4_killing_the_desk_leaves_chat_untouched_and_it_comes_back(stack):
    sender = f"kill-web-{uuid.uuid4().hex[:6]}"
    old = stack.web.kill()
    assert "$10" in text_of(rest(stack, sender, "how much is Introduction to Generative AI?"))
    stack.web.wait_restarted(old, timeout=30)
    desk = Coach(stack.web_url)
    desk.sign_in()


def test_4_killing_rasa_restarts_it_and_the_desk_stays_up(stack):
    old = stack.rasa.kill()
    assert fetch(f"{stack.web_url}/desk/login")[0] == 200
    stack.rasa.wait_restarted(old, timeout=120)
    assert "$10" in text_of(rest(stack, f"after-{uuid.uuid4().hex[:6]}", "how much is Introduction to Generative AI?"))


# 5. A learner message during a handoff while the action server is down.

def test_5_a_message_to_the_coach_while_the_action_server_is_down_is_kept_and_delivered(stack, coach):
    sender = f"kept-{uuid.uuid4().hex[:8]}"
    known = handoff_ids(coach)
    rest(stack, sender, "I want to talk to a human")
    path = new_handoff(coach, "rest", known)
    stack.actions.stop()
    try:
        told = text_of(rest(stack, sender, "my question while you were away"))
        assert "saved" in told and "reach" in told
        # The desk collects it from Rasa on its own, with the action server still down.
        deadline = time.monotonic() + 25
        while "my question while you were away" not in coach.get(path) and time.monotonic() < deadline:
            time.sleep(1)
        assert "my question while you were away" in coach.get(path)
    finally:
        stack.actions.start()
    assert text_of(rest(stack, sender, "and one more thing")) == "Sent to your coach."
    page = coach.get(path)
    assert page.index("my question while you were away") < page.index("and one more thing")
    assert page.count("my question while you were away") == 1
    coach.close(path)


# 6. Sign-in: throttled per account and address, logged, hashing off the event loop.

def sign_in_attempt(stack, username: str, password: str, source: str) -> int:
    status, headers, body = fetch(f"{stack.web_url}/desk/login", source=source)
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    csrf = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
    form = f"username={username}&password={password}&csrf={csrf}".encode()
    return fetch(f"{stack.web_url}/desk/login", "POST", form,
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}, source=source)[0]


def create_coach(stack, name: str) -> None:
    subprocess.run([sys.executable, "-m", "channels.desk", "create-coach", name, "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=stack.env, cwd=ROOT, check=True, capture_output=True)


def test_6_thirty_wrong_passwords_then_the_right_one_is_refused(stack):
    name = f"target-{uuid.uuid4().hex[:6]}"
    create_coach(stack, name)
    statuses = [sign_in_attempt(stack, name, "wrong-password-1", "127.0.0.2") for _ in range(30)]
    assert statuses.count(401) == 5 and statuses[5:] == [429] * 25
    assert sign_in_attempt(stack, name, PASSWORD.replace(" ", "+"), "127.0.0.2") == 429
    # Another address guessing the same account is refused too: the account's limit holds.
    assert sign_in_attempt(stack, name, PASSWORD.replace(" ", "+"), "127.0.0.3") == 429


def test_6_forty_parallel_wrong_sign_ins_do_not_slow_the_desk_for_others(stack):
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        guesses = [pool.submit(sign_in_attempt, stack, f"nobody-{n}", "wrong-password-1", f"127.0.1.{n + 1}")
                   for n in range(40)]
        time.sleep(0.3)
        started = time.monotonic()
        assert fetch(f"{stack.web_url}/desk/login")[0] == 200
        waited = time.monotonic() - started
        assert {guess.result() for guess in guesses} == {401}
    assert waited < 0.5, f"the sign-in page took {waited:.2f} s during the guessing"


# 7. A copied cookie after sign-out.

def test_7_a_cookie_copied_before_sign_out_no_longer_works(stack, coach):
    desk = Coach(stack.web_url)
    desk.sign_in()
    copied = cookie_header(desk)
    assert fetch(f"{stack.web_url}/desk/queue.json", headers={"Cookie": copied})[0] == 200
    desk.post("/logout", csrf=desk.csrf(desk.get("/")))
    assert fetch(f"{stack.web_url}/desk/queue.json", headers={"Cookie": copied})[0] == 401


# 8. Size limits: bodies, messages, logs.

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_8_a_48_kb_message_gets_please_shorten_at_once_and_is_neither_parsed_nor_logged(stack):
    sender = f"huge-{uuid.uuid4().hex[:6]}"
    marker = "Z" + uuid.uuid4().hex
    before = rss_mb(stack.rasa.pid())
    started = time.monotonic()
    reply = text_of(rest(stack, sender, (marker + " ") * (48_000 // (len(marker) + 1))))
    assert time.monotonic() - started < 2
    assert "shorten" in reply
    assert rss_mb(stack.rasa.pid()) - before < 50
    parsed = [e["parse_data"]["intent"]["name"] for e in stack.events(sender) if e["event"] == "user"]
    assert parsed == ["message_too_long"]
    logs = "".join(path.read_text(errors="replace") for path in Path(stack.env["LOG_DIR"]).glob("*.log"))
    assert marker * 2 not in logs.replace(" ", "") and logs.count(marker) <= 3


def raw_request(port: int, head: str) -> bytes:
    """Headers only, announcing a body that never comes: what the server answers before reading it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode())
        return connection.recv(4096)


def test_8_big_bodies_are_refused_before_they_are_read_on_every_channel(stack, telegram_api):
    twenty_mb = 20 * 1024 * 1024
    for path, extra in (("/webhooks/telegram/webhook", ""), ("/webhooks/slack/webhook", ""),
                        ("/webhooks/rest/webhook", ""), ("/model/parse", ""),
                        ("/webhooks/telegram/webhook", f"X-Telegram-Bot-Api-Secret-Token: {telegram_api.webhook['secret_token']}\r\n")):
        answer = raw_request(stack.rasa_port, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                              f"{extra}Content-Length: {twenty_mb}\r\n\r\n")
        assert re.match(rb"HTTP/1.1 (401|413)", answer), (path, answer[:80])
    desk = raw_request(stack.web_port, f"POST /desk/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                       f"application/x-www-form-urlencoded\r\nContent-Length: {twenty_mb}\r\n\r\n")
    assert desk.startswith(b"HTTP/1.1 413"), desk[:80]


# 9. Secrets not in `ps` nor in URLs; files owner-only.

def test_9_no_secret_is_on_a_command_line_and_the_stacks_files_are_owner_only(stack, coach):
    secrets_ = [stack.env[name] for name in ("RASA_JWT_SECRET", "ACTION_SERVER_TOKEN", "DESK_SESSION_SECRET")]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        assert not any(secret in args for secret in secrets_), args
    workdir = Path(stack.env["LOG_DIR"]).parent
    files = [workdir / "handoffs.sqlite3", workdir / "env", *Path(stack.env["LOG_DIR"]).glob("*.log")]
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


# 10. Malformed requests: 4xx, never 500, never a shared conversation.

def test_10_malformed_requests_get_4xx_and_no_shared_default_conversation(stack, telegram_api, coach):
    url = f"{stack.url}/webhooks/rest/webhook"
    for body in (b"", b"[]", b'{"message": "hi"}', b'{"sender": "me", "message": 5}'):
        assert fetch(url, "POST", body, {"Content-Type": "application/json"})[0] == 400, body
    for conversation in ("default", conversation_id("rest", "default")):
        assert user_messages(stack, conversation) == []
    telegram = telegram_api.webhook["url"]
    secret = {"Content-Type": "application/json",
              "X-Telegram-Bot-Api-Secret-Token": telegram_api.webhook["secret_token"]}
    bad_text = telegram_api.update(777, "x")
    bad_text["message"]["text"] = ["not", "text"]
    for body in (b"[]", json.dumps(bad_text).encode()):
        assert fetch(telegram, "POST", body, secret)[0] == 400
    status, _, _ = fetch(f"{stack.web_url}/desk/handoffs/1/messages?after=abc",
                        headers={"Cookie": cookie_header(coach)})
    assert status == 400


# 11. The desk and website run on an aiohttp without the 2025-2026 advisories.

def test_11_the_desk_and_website_run_on_aiohttp_3_13_3_or_later(stack):
    _, headers, _ = fetch(f"{stack.web_url}/")
    version = re.search(r"aiohttp/(\d+)\.(\d+)\.(\d+)", headers["Server"]).groups()
    assert tuple(map(int, version)) >= (3, 13, 3), headers["Server"]
