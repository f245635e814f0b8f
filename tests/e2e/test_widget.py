"""The website's chat widget in a real headless browser (Debian's Chromium, driven by playwright-core)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.people import Coach
from tests.e2e.stack import ROOT

SCRIPT = Path(__file__).with_name("chat.cjs")
NODE_MODULES = ROOT / "channels" / "website" / "node_modules"
SHOTS = ROOT / "artifacts" / "web"

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is installed by `make test`")


def test_widget_as_a_learner_sees_it(stack):
    coach = Coach.created_on(stack, "widget-coach", display_name="Robin Hale")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = subprocess.Popen(
        ["node", str(SCRIPT), stack.web_url + "/", str(SHOTS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    steps = {}
    for line in browser.stdout:
        step = json.loads(line)
        steps[step["step"]] = step
        if step["step"] == "handoff":
            queue = json.loads(coach.get("/queue.json"))
            row = [r for r in queue if r["last_message"] == "I want to talk to a human" and r["channel"] == "website"][-1]
            path = row["url"].removeprefix("/desk")
            handoff_id = row["id"]
            coach.post(path + "/reply", csrf=coach.csrf(coach.get(path)), text="Hi from the coach. How can I help?")
            browser.stdin.write("replied\n")
            browser.stdin.flush()
        if step["step"] == "error":
            break
    browser.wait(timeout=60)
    assert "error" not in steps, steps.get("error")
    assert {"Micro-credential or certificate?", "List micro-credentials", "Help me choose"} <= set(steps["greeting"]["buttons"])
    for step in ("catalog_answer", "button_clicked", "history_after_reload", "coach_reply_live"):
        assert step in steps
    # A program list shows one program per line (rasa-webchat renders the Markdown list), not one paragraph.
    listed = steps["button_clicked"]
    assert listed["items"] >= 5, listed
    assert any(line.strip().startswith("Lockout/Tagout Safety Training") for line in listed["lines"]), listed
    assert (SHOTS / "list.png").stat().st_size > 0
    assert steps["labels"]["input"] == "Your question"
    assert steps["phone"]["width"] and steps["phone"]["width"] <= 390
    assert (SHOTS / "desktop.png").stat().st_size > 0
    # The coach's reply is shown as the coach's: their name and a "coach" label, not the assistant's voice.
    reply = steps["coach_reply_live"]
    assert reply["coach"] == "Robin Hale", reply
    label, text = reply["text"].split("\n", 1)
    assert label.lower() == "robin hale coach" and text.strip() == "Hi from the coach. How can I help?", reply
    # "Talk to a person" opened a handoff for that visitor, on the website.
    pressed = steps["talk_to_a_person"]
    assert pressed["said"][-1] == "Talk to a person", pressed
    queue = json.loads(coach.get("/queue.json"))
    assert [row for row in queue if row["channel"] == "website" and row["reason"] == "asked for a person"
            and row["id"] > handoff_id], queue
