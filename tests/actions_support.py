"""Small helpers to run rasa-sdk actions in unit tests with real trackers."""
import asyncio
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from channels.conversation_ids import conversation_id


def tracker_for(
    text: str = "",
    *,
    intent: str = "ask_cost",
    confidence: float = 0.95,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    channel: str = "rest",
    events: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[str] = None,
) -> Tracker:
    """A tracker whose latest message is `text`, built with keywords instead of eight positions.

    The conversation ID is the channel's, as the channels set it (`rest:learner-1`, `web:learner-1`).
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    return Tracker.from_dict({
        "sender_id": sender or conversation_id(channel, "learner-1"),
        "slots": slots or {},
        "latest_message": latest,
        "events": events or [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel,
                              "timestamp": time.time()}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def run(action: Action, tracker: Tracker, domain: Optional[dict] = None):
    """Run an action; returns (messages, events)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


def responses(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("response") for m in messages]
