"""Scale-out mode (`make cluster`): two Rasa replicas and two action servers behind HAProxy, sharing
a PostgreSQL database (conversations, catalog, handoffs) and Redis (Rasa's lock store, the website's
socket.io rooms, Slack's retry memory), all of this test's own and removed at the end.
"""
import concurrent.futures
import json
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from channels.slack import slack_conversation
from tests.chat_fakes import slack_message
from tests.e2e.chat_support import new_handoff, user_messages
from tests.e2e.people import Coach
from tests.e2e.shared_stores import (
    REDIS_HOST,
    REDIS_PORT,
    redis_keys,
    scratch_database,
    scratch_redis_prefix,
)
from tests.e2e.stack import ROOT, Stack
from tests.e2e.test_widget import NODE_MODULES, SCRIPT, SHOTS

pytestmark = pytest.mark.skipif(not Path("/usr/sbin/haproxy").exists(), reason="HAProxy is installed by `make test`")

QUESTIONS = [("how much is the gen AI course?", "$10"), ("tell me about the lockout tagout training", "Lockout")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, slack_api):
    if not (ROOT / "bot" / "models" / "advisor.tar.gz").exists():
        pytest.fail("no trained model: run `make setup` first")
    with scratch_database() as database, scratch_redis_prefix() as prefix:
        running = Stack(tmp_path_factory.mktemp("cluster"), replicas=2, extra_env={
            "TRACKER_DB_URL": database, "CATALOG_DB_URL": database, "HANDOFF_DB_URL": database,
            "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": "0", "REDIS_KEY_PREFIX": prefix,
            "SLACK_BOT_TOKEN": slack_api.token, "SLACK_SIGNING_SECRET": slack_api.signing_secret,
            "SLACK_API_URL": slack_api.api_url,
        })
        running.redis_prefix = prefix
        try:
            yield running.start(seed_catalog=True)
        finally:
            running.stop()


@pytest.fixture(scope="module")
def coach(cluster):
    return Coach.created_on(cluster)


def test_twenty_conversations_at_once_through_the_load_balancer(cluster):
    def converse(number: int):
        question, expected = QUESTIONS[number % len(QUESTIONS)]
        return expected, cluster.reply(f"cluster-many-{number}-{uuid.uuid4().hex[:6]}", question)

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(converse, range(20)))
    assert all(expected in reply for expected, reply in answers), answers
    # Both replicas answered some of them.
    served = {row["svname"]: int(row["stot"]) for row in cluster.balancer_servers() if row["pxname"] == "rasa"}
    assert len(served) == 2 and all(total > 0 for total in served.values()), served


def test_a_conversation_alternating_between_replicas_keeps_its_context(cluster):
    sender = f"cluster-alternate-{uuid.uuid4().hex[:8]}"
    first, second = cluster.replica_url(0), cluster.replica_url(1)
    assert "Lockout" in cluster.reply(sender, "tell me about the lockout tagout training", via=first)
    assert "$99" in cluster.reply(sender, "how much is it?", via=second)  # "it": the program replica 0 heard of
    # Replica 0 remembers the conversation as it left it; it must see what replica 1 added since.
    assert "Generative AI" in cluster.reply(sender, "tell me about introduction to generative AI", via=second)
    answer = cluster.reply(sender, "how much is it?", via=first)
    assert "$10" in answer and "$99" not in answer, answer
    said = [e["text"] for e in cluster.events(sender) if e["event"] == "user"]
    assert said == ["tell me about the lockout tagout training", "how much is it?",
                    "tell me about introduction to generative AI", "how much is it?"]


def test_two_messages_at_once_in_one_conversation_run_one_after_the_other(cluster):
    sender = f"cluster-lock-{uuid.uuid4().hex[:8]}"
    cluster.reply(sender, "hello")  # the conversation exists before the race
    start = threading.Barrier(2)

    def send(replica: int):
        question, expected = QUESTIONS[replica]
        start.wait()
        return expected, cluster.reply(sender, question, via=cluster.replica_url(replica))

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, (0, 1)))
    assert all(expected in reply for expected, reply in answers), answers
    # In the record, each message's turn is whole: its answer, then listening, before the next message.
    events = [e for e in cluster.events(sender) if e["event"] in ("user", "bot", "action")]
    record = [(e["event"], e.get("name") or e.get("text")) for e in events]
    turns, current = [], None
    for event in events:
        if event["event"] == "user":
            current = {"text": event["text"], "bot": 0, "ended": False}
            turns.append(current)
        elif current is not None and not current["ended"]:
            current["bot"] += event["event"] == "bot"
            current["ended"] = event["event"] == "action" and event["name"] == "action_listen"
        elif current is not None:
            pytest.fail(f"an event after a finished turn, before the next message: {record}")
    assert sorted(t["text"] for t in turns) == sorted(["hello", QUESTIONS[0][0], QUESTIONS[1][0]])
    assert all(t["bot"] >= 1 and t["ended"] for t in turns), turns
    assert not [key for key in redis_keys(cluster.redis_prefix) if ":lock:" in key]  # released


def test_widget_hears_a_coach_reply_pushed_through_the_other_replica(cluster, coach):
    """The widget's socket lives on replica 1 (replica 0 drained for new sockets); the desk's push
    reaches Rasa's API on replica 0 (replica 1 drained for API calls)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is installed by `make test`")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert cluster.haproxy("set server rasa_socketio/rasa-0 state drain").strip() == ""
    try:
        browser = subprocess.Popen(
            ["node", str(SCRIPT), cluster.web_url + "/", str(SHOTS / "cluster")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
        steps = {}
        for line in browser.stdout:
            step = json.loads(line)
            steps[step["step"]] = step
            if step["step"] == "handoff":
                path = new_handoff(coach, "socketio", set())
                assert cluster.haproxy("set server rasa/rasa-1 state drain").strip() == ""
                coach.post(path + "/reply", csrf=coach.csrf(coach.get(path)), text="Hi from the coach. How can I help?")
                browser.stdin.write("replied\n")
                browser.stdin.flush()
            if step["step"] == "error":
                break
        browser.wait(timeout=60)
    finally:
        for server in ("rasa_socketio/rasa-0", "rasa/rasa-1"):
            cluster.haproxy(f"set server {server} state ready")
    assert "error" not in steps, steps.get("error")
    for step in ("catalog_answer", "history_after_reload", "coach_reply_live"):
        assert step in steps


def test_a_slack_retry_reaching_the_other_replica_is_not_answered_twice(cluster, slack_api):
    tag = uuid.uuid4().hex[:10].upper()
    user, dm = f"U{tag}", f"D{tag}"
    event = slack_message("how much is the gen AI course?", user=user, channel=dm, ts=f"{time.time():.6f}",
                          event_id=f"Ev{uuid.uuid4().hex}")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # the retry arrives while the first is being answered
        first = pool.submit(slack_api.deliver, f"{cluster.replica_url(0)}/webhooks/slack/webhook", event)
        time.sleep(0.1)
        again = pool.submit(slack_api.deliver, f"{cluster.replica_url(1)}/webhooks/slack/webhook", event,
                            headers=retry)
        # Both acknowledged once the one turn is saved (or, were it slower than Slack waits, 503 to retry).
        assert {first.result()[0], again.result()[0]} <= {200, 503} and first.result()[0] == 200
    assert slack_api.deliver(f"{cluster.replica_url(1)}/webhooks/slack/webhook", event, headers=retry)[0] == 200
    slack_api.wait_for("chat.postMessage", lambda call: call.params["channel"] == dm
                       and "$10" in (call.params.get("text") or ""), timeout=30)
    time.sleep(3)  # long enough for a second answer to arrive, were there one
    answers = slack_api.calls_to("chat.postMessage", lambda call: call.params["channel"] == dm)
    assert len(answers) == 1, answers
    assert user_messages(cluster, slack_conversation("T1", user, dm, None)) == ["how much is the gen AI course?"]


def test_a_killed_replica_leaves_the_conversation_to_the_other(cluster):
    sender = f"cluster-kill-{uuid.uuid4().hex[:8]}"
    assert "Lockout" in cluster.reply(sender, "tell me about the lockout tagout training")
    victim = cluster.rasa_replicas[0]
    old_pid = victim.kill()
    try:
        # Through the load balancer, at once: HAProxy sends each message to the live replica.
        assert "$99" in cluster.reply(sender, "how much is it?")
        for _ in range(3):
            assert "$99" in cluster.reply(sender, "how much is it?")
    finally:
        victim.wait_restarted(old_pid)
        cluster.wait_balanced()
    # The restarted replica starts from the database, with the turns the other one answered.
    assert "$99" in cluster.reply(sender, "how much is it?", via=cluster.replica_url(0))
    said = [e["text"] for e in cluster.events(sender) if e["event"] == "user"]
    assert said == ["tell me about the lockout tagout training"] + ["how much is it?"] * 5
