"""The coach desk in a real headless browser (Debian's Chromium, driven by playwright-core): alerts
and the layout on a phone."""
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.e2e.chat_support import handoff_ids, new_handoff
from tests.e2e.people import PASSWORD, Coach
from tests.e2e.stack import ROOT

SCRIPT = Path(__file__).with_name("desk.cjs")
NODE_MODULES = ROOT / "channels" / "website" / "node_modules"
SHOTS = ROOT / "artifacts" / "desk"

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is installed by `make test`")


def test_a_new_handoff_alerts_the_coach_and_the_desk_fits_a_phone(stack):
    coach = Coach.created_on(stack, f"alerted-{uuid.uuid4().hex[:6]}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = subprocess.Popen(
        ["node", str(SCRIPT), coach.desk, coach.username, PASSWORD, str(SHOTS)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    steps = {}
    for line in browser.stdout:
        step = json.loads(line)
        steps[step["step"]] = step
        if step["step"] == "ready":
            known = handoff_ids(coach)
            stack.reply(f"alert-{uuid.uuid4().hex[:6]}", "I want to talk to a human")
            path = new_handoff(coach, "rest", known)
            browser.stdin.write("handoff opened\n")
            browser.stdin.flush()
        if step["step"] == "notified":
            browser.stdin.write(path + "\n")
            browser.stdin.flush()
        if step["step"] == "error":
            break
    browser.wait(timeout=60)
    assert "error" not in steps, steps.get("error")
    assert steps["ready"] == {"step": "ready", "permission": "granted", "enableButtonHidden": True}
    assert {"title": "New handoff from API", "body": "asked for a person"} in steps["notified"]["notifications"]
    assert steps["handoff_page"]["replyBelowTranscript"] and steps["handoff_page"]["replyInView"], steps["handoff_page"]
    assert steps["phone"]["sideways"] == {"queue": 0, "handoff": 0, "search": 0}, steps["phone"]
    assert (SHOTS / "phone-queue.png").stat().st_size > 0
