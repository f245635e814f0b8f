"""What the Slack and Telegram end-to-end tests look up: Rasa's record of a conversation, new handoffs."""
import json
import time
from typing import List, Set

from tests.e2e.people import Coach
from tests.e2e.stack import Stack


def user_messages(stack: Stack, conversation: str) -> List[str]:
    """Every message of a conversation that reached the assistant, from Rasa's tracker (through its API)."""
    return [event.get("text") for event in stack.tracker_events(conversation) if event["event"] == "user"]


def handoff_ids(coach: Coach) -> Set[int]:
    return {row["id"] for row in json.loads(coach.get("/queue.json"))}


def new_handoff(coach: Coach, channel: str, known: Set[int], timeout: float = 15) -> str:
    """The desk path of the newest handoff from `channel` not among `known`, waiting for it to appear."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [row for row in json.loads(coach.get("/queue.json")) if row["channel"] == channel
                and row["id"] not in known]
        if rows:
            return max(rows, key=lambda row: row["id"])["url"].removeprefix("/desk")
        time.sleep(0.5)
    raise AssertionError(f"no new handoff from {channel} reached the desk within {timeout} s")
