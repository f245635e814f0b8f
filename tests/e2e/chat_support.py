"""What the Slack and Telegram end-to-end tests look up: Rasa's record of a conversation, new handoffs."""
import http.client
import json
import time
from typing import Dict, List, Optional, Set, Tuple

from handoff_db.handoffs import CHANNEL_NAMES
from tests.e2e.people import Coach
from tests.e2e.stack import Stack


def user_messages(stack: Stack, conversation: str) -> List[str]:
    """Every message of a conversation that reached the assistant, from Rasa's tracker (through its API)."""
    return [event.get("text") for event in stack.tracker_events(conversation) if event["event"] == "user"]


def handoff_ids(coach: Coach) -> Set[int]:
    return {row["id"] for row in json.loads(coach.get("/queue.json"))}


def new_handoff(coach: Coach, channel: str, known: Set[int], timeout: float = 15) -> str:
    """The desk path of the newest handoff from `channel` (an input channel's name) not among `known`, waiting
    for it to appear."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [row for row in json.loads(coach.get("/queue.json")) if row["channel"] == CHANNEL_NAMES[channel]
                and row["id"] not in known]
        if rows:
            return max(rows, key=lambda row: row["id"])["url"].removeprefix("/desk")
        time.sleep(0.5)
    raise AssertionError(f"no new handoff from {channel} reached the desk within {timeout} s")


def fetch(url: str, method: str = "GET", body: bytes = b"", headers: Optional[Dict[str, str]] = None,
         source: str = "127.0.0.1", timeout: float = 30) -> Tuple[int, Dict[str, str], bytes]:
    """One request from a chosen loopback address (127.0.0.0/8), so throttled addresses stay apart."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
