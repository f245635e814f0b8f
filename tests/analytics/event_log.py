"""A hand-built event log in Rasa's tracker-store table, shaped as Rasa 3.6 stores each kind of event."""
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from channels import ratings
from channels.desk.analytics.tracker_events import events, metadata


@dataclass
class EventLog:
    """Appends events as Rasa would for each turn; `store` writes them to a tracker database."""

    clock: datetime
    rows: List[Dict[str, Any]] = field(default_factory=list)
    channels: Dict[str, str] = field(default_factory=dict)

    def _add(self, sender: str, type_name: str, data: Dict[str, Any], intent: Optional[str] = None,
             action: Optional[str] = None) -> None:
        self.clock += timedelta(seconds=1)
        timestamp = self.clock.timestamp()
        self.rows.append({"sender_id": sender, "type_name": type_name, "timestamp": timestamp,
                          "intent_name": intent, "action_name": action,
                          "data": json.dumps({"event": type_name, "timestamp": timestamp, **data})})

    def at(self, moment: datetime) -> "EventLog":
        self.clock = moment
        return self

    def session(self, sender: str, channel: str, carried: Optional[Dict[str, Any]] = None) -> "EventLog":
        self.channels[sender] = channel
        self.action(sender, "action_session_start")
        self._add(sender, "session_started", {})
        for name, value in (carried or {}).items():
            self.slot(sender, name, value)
        return self.action(sender, "action_listen")

    def action(self, sender: str, name: str) -> "EventLog":
        self._add(sender, "action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)
        return self

    def user(self, sender: str, text: str, intent: str, confidence: float = 0.99) -> "EventLog":
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
                 "intent_ranking": [{"name": intent, "confidence": confidence}]}
        self._add(sender, "user", {"text": text, "parse_data": parse, "input_channel": self.channels[sender]},
                  intent=intent)
        self._add(sender, "user_featurization", {"use_text_for_featurization": False})
        return self

    def bot(self, sender: str, response: str, text: str = "…", buttons: Optional[List[Dict[str, str]]] = None,
            **metadata: Any) -> "EventLog":
        self._add(sender, "bot", {"text": text, "data": {"buttons": buttons or []},
                                  "metadata": {"utter_action": response, **metadata}})
        return self

    def rate(self, sender: str, value: str) -> "EventLog":
        """A tap on a rating button (channels/ratings.py), and RatingPolicy's thanks."""
        parse = {"intent": {"name": "rate_answer", "confidence": 1.0}, "text": ratings.payload(value),
                 "entities": [{"entity": "rating", "value": value, "start": 0, "end": 0}]}
        self._add(sender, "user", {"text": ratings.payload(value), "parse_data": parse,
                                   "input_channel": self.channels[sender]}, intent="rate_answer")
        self.action(sender, "utter_rating_thanks" if value == "up" else "utter_rating_sorry")
        self.bot(sender, "utter_rating_thanks" if value == "up" else "utter_rating_sorry")
        return self.listen(sender)

    def undelivered(self, sender: str, count: int) -> "EventLog":
        """The outbox's note of replies Slack or Telegram never took (channels/outbox.py)."""
        self._add(sender, "agent", {"text": None, "data": {"undelivered_replies": count}})
        return self

    def slot(self, sender: str, name: str, value: Any) -> "EventLog":
        self._add(sender, "slot", {"name": name, "value": value}, action=name)
        return self

    def loop(self, sender: str, name: Optional[str]) -> "EventLog":
        self._add(sender, "active_loop", {"name": name}, action=name)
        return self

    def listen(self, sender: str) -> "EventLog":
        return self.action(sender, "action_listen")

    def turn(self, sender: str, text: str, intent: str, action: str, *responses: str, confidence: float = 0.99,
             **slots: Any) -> "EventLog":
        """One ordinary turn: the message, the action, its responses, its slots, back to listening."""
        self.user(sender, text, intent, confidence).action(sender, action)
        for response in responses:
            self.bot(sender, response)
        for name, value in slots.items():
            self.slot(sender, name, value)
        return self.listen(sender)

    def store(self, engine: Engine) -> None:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(events), self.rows)
        self.rows = []


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)
