"""Real conversations through REST show up on the desk's analytics; a label teaches the next training.

The stack's own reviewed file (REVIEWED_NLU_FILE in tests/e2e/stack.py) is written, never bot/data/.
"""
import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests.e2e.people import PASSWORD, Coach
from tests.e2e.stack import ROOT

ADMIN = "admin-e2e"
OFF_TOPIC = "order me a pizza"
WEEK = "days=7"
SCRIPT = Path(__file__).with_name("analytics.cjs")
RATING_SCRIPT = Path(__file__).with_name("rating.cjs")
NODE_MODULES = ROOT / "channels" / "website" / "node_modules"
SHOTS = ROOT / "artifacts" / "desk"


@pytest.fixture(scope="module")
def admin(stack):
    return Coach.created_on(stack, ADMIN, admin=True)


def figures(desk: Coach) -> dict:
    page = desk.get(f"/analytics?{WEEK}")
    found = {name: value for name, value in re.findall(r'data-(?:figure|count)="(\w+)">([^<]*)<', page)}
    found.update({f"channel {name}": value for name, value in re.findall(r'data-channel="([^"]+)">(\d+)<', page)})
    found.update({f"reason {name}": value for name, value in re.findall(r'data-reason="([^"]+)">(\d+)<', page)})
    return found


def csv_rows(desk: Coach, chart: str) -> dict:
    rows = list(csv.reader(io.StringIO(desk.get(f"/analytics/data/{chart}.csv?{WEEK}"))))
    return {row[0]: int(row[1]) for row in rows[1:]}


def test_conversations_reach_the_overview_and_the_review(stack, admin, tmp_path):
    before = figures(admin)
    faq_before, programs_before = csv_rows(admin, "faq"), csv_rows(admin, "programs")
    tag = uuid.uuid4().hex[:8]
    assert "skill" in stack.reply(f"an-faq-{tag}", "what is a micro-credential?")
    assert "$99" in stack.reply(f"a-program-{tag}", "How much is Lockout/Tagout Safety Training?")
    assert "outside what I can help with" in stack.reply(f"off-topic-{tag}", OFF_TOPIC)
    assert "coach" in stack.reply(f"a-handoff-{tag}", "can a coach call me?").lower()

    after = figures(admin)
    assert int(after["conversations"]) == int(before["conversations"]) + 4
    assert int(after["channel API"]) == int(before.get("channel API", 0)) + 4
    assert int(after["handoffs"]) == int(before["handoffs"]) + 1
    assert int(after["reason asked for a person"]) == int(before["reason asked for a person"]) + 1
    assert int(after["off_topic"]) == int(before["off_topic"]) + 1
    assert csv_rows(admin, "faq")["what is microcredential"] == faq_before.get("what is microcredential", 0) + 1
    assert csv_rows(admin, "programs")["Lockout/Tagout Safety Training"] == \
        programs_before.get("Lockout/Tagout Safety Training", 0) + 1

    review = admin.get(f"/analytics/review?{WEEK}")
    row = re.search(r'<tr data-key="(\w+)">\s*<td>[^\n]*</td>\s*<td class="message">' + re.escape(OFF_TOPIC) + r"</td>(.*?)</tr>",
                    review, re.S)
    assert row, "the off-topic message is not in the review queue"
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', row.group(2)))
    done = admin.post("/analytics/review/label", **fields, decision="off_topic")
    assert "Added as an example of out_of_scope" in done
    assert OFF_TOPIC not in admin.get(f"/analytics/review?{WEEK}").split("<tbody>")[1]

    reviewed = Path(stack.env["REVIEWED_NLU_FILE"])
    assert {"intent": "out_of_scope", "examples": f"- {OFF_TOPIC}\n"} in yaml.safe_load(reviewed.read_text())["nlu"]
    data = tmp_path / "data"
    shutil.copytree(ROOT / "bot" / "data", data)
    shutil.copy(reviewed, data / "nlu" / "reviewed.yml")
    validate = subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "data", "validate", "--data", str(data), "--domain", "domain",
         "--config", "config.yml"], cwd=ROOT / "bot", capture_output=True, text=True, timeout=300,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is installed by `make test`")
def test_the_overview_in_a_browser(stack, admin):
    SHOTS.mkdir(parents=True, exist_ok=True)
    stack.reply(f"browser-{uuid.uuid4().hex[:8]}", "what is a micro-credential?")  # something in every run
    result = subprocess.run(
        ["node", str(SCRIPT), f"{stack.web_url}/desk/", ADMIN, PASSWORD, WEEK, str(SHOTS)], capture_output=True,
        text=True, timeout=120, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    charts = json.loads(result.stdout.strip().splitlines()[-1])["charts"]
    assert set(charts) == {"conversations", "rates", "faq", "programs", "funnel", "satisfaction",
                           "satisfaction_topics", "satisfaction_programs"}
    for name, chart in charts.items():
        assert chart["loaded"] and chart["width"] > 0, name  # the image decoded and has a size
    channels = len(charts["conversations"]["header"]) - 1
    assert charts["conversations"]["bars"] == 7 * channels and charts["conversations"]["rows"] == 7
    days_with_conversations = sum(1 for row in charts["rates"]["cells"] if row[1] != "0")
    assert charts["rates"]["points"] == {"containment": days_with_conversations, "handoff-rate": days_with_conversations}
    assert charts["faq"]["bars"] == charts["faq"]["rows"] >= 1
    assert charts["programs"]["bars"] == charts["programs"]["rows"] >= 1
    assert charts["funnel"]["bars"] == charts["funnel"]["rows"] == 7
    assert [row[0] for row in charts["funnel"]["cells"]] == ["started", "goal", "time", "family and work", "budget",
                                                             "education", "recommendation"]
    assert (SHOTS / "analytics.png").stat().st_size > 0


def unhelpful_rows(desk: Coach, channel: str) -> list:
    """(message, what happened, the answer) of each row of the review's unhelpful answers on a channel."""
    page = desk.get(f"/analytics/review?{WEEK}&kind=unhelpful&channel={channel}&order=newest")
    return [(html.unescape(text).strip(), kinds, html.unescape(answer)) for text, answer, kinds in re.findall(
        r'<td class="message">([^<]*)<details class="answer"><summary>[^<]*</summary><p>([^<]*)</p></details></td>'
        r"\s*<td>\d+</td>\s*<td>([^<]*)</td>", page)]


def test_a_thumbs_down_through_rest_reaches_the_analytics_and_the_review(stack, admin):
    before = figures(admin)
    sender = f"rates-{uuid.uuid4().hex[:8]}"
    question = "How much is Lockout/Tagout Safety Training?"
    answer = stack.say(sender, question)
    rated = answer[-1]
    assert "$99" in rated["text"]
    buttons = {button["title"]: button["payload"] for button in rated["buttons"]}
    assert set(buttons) == {"👍 Helpful", "👎 Not helpful"}
    assert "didn't help" in stack.reply(sender, buttons["👎 Not helpful"])
    after = figures(admin)
    assert int(after["unhelpful"]) == int(before["unhelpful"]) + 1
    assert int(after["learner_messages"]) == int(before["learner_messages"]) + 1  # the tap is not a message
    rows = unhelpful_rows(admin, "rest")
    assert rows and rows[0][0] == question and "rated unhelpful" in rows[0][1] and "$99" in rows[0][2]
    programs = {row[0]: row[1:] for row in csv.reader(io.StringIO(
        admin.get(f"/analytics/data/satisfaction_programs.csv?{WEEK}")))}
    assert int(programs["Lockout/Tagout Safety Training"][2]) >= 1  # not helpful


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is installed by `make test`")
def test_a_thumbs_down_in_the_widget_reaches_the_analytics_and_the_review(stack, admin):
    before = figures(admin)
    result = subprocess.run(["node", str(RATING_SCRIPT), stack.web_url + "/"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"👍 Helpful", "👎 Not helpful"} <= set(seen["buttons"])
    assert seen["said"][-1] == "👎 Not helpful"  # the tap shows as the learner's, by the button's title
    after = figures(admin)
    assert int(after["unhelpful"]) == int(before["unhelpful"]) + 1
    rows = unhelpful_rows(admin, "socketio")
    assert rows and rows[0][0] == "How much is Introduction to Generative AI?" and "$10" in rows[0][2]
