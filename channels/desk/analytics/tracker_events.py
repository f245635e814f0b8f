"""Rasa's SQL tracker store as the analytics read it: the `events` table of `SQLTrackerStore`.

Declared here rather than imported from Rasa, so the desk does not load Rasa to read a table.
Only the retention purge writes to it.
"""
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine

from catalog_db.engine import sqlite_file

metadata = MetaData()
events = Table(  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),  # an action's name; for a slot event, the slot's
    Column("data", Text),
)


@dataclass(frozen=True)
class Event:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    action_name: Optional[str]
    data: Dict[str, Any]  # parsed only for the kinds the summary reads; else empty


def has_events(engine: Engine) -> bool:
    """False until Rasa has started once on this store and created its table (or its SQLite file,
    which the desk never creates)."""
    path = sqlite_file(engine.url)
    if path is not None and not path.exists():
        return False
    return inspect(engine).has_table("events")


def read_after(connection: Connection, after_id: int, limit: int, slots: Sequence[str]) -> List[Event]:
    """The next `limit` events after `after_id`, in the order Rasa stored them.

    Only learner and bot messages, the named slots and the outbox's notes of replies it gave up on
    (`agent` events) need their JSON parsed, which is most of the work; the other events are read
    from their columns.
    """
    wanted = (events.c.type_name.in_(("user", "bot", "agent"))
              | ((events.c.type_name == "slot") & events.c.action_name.in_(list(slots))))
    rows = connection.execute(
        select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.action_name,
               case((wanted, events.c.data), else_=None))
        .where(events.c.id > after_id).order_by(events.c.id).limit(limit)
    )
    return [Event(id=row[0], sender_id=row[1], type_name=row[2], timestamp=row[3] or 0.0, action_name=row[4],
                  data=json.loads(row[5]) if row[5] else {}) for row in rows]


def last_id(connection: Connection) -> int:
    return connection.execute(select(func.max(events.c.id))).scalar() or 0


def texts(connection: Connection, event_ids: Sequence[int]) -> Dict[int, str]:
    """The text of each of these learner messages."""
    if not event_ids:
        return {}
    rows = connection.execute(select(events.c.id, events.c.data).where(events.c.id.in_(list(event_ids))))
    return {row[0]: json.loads(row[1]).get("text") or "" for row in rows}


def answer(connection: Connection, message_id: int, answer_event_id: int) -> str:
    """What the assistant said to one learner message, up to the event that carried its rating buttons."""
    sender = select(events.c.sender_id).where(events.c.id == message_id).scalar_subquery()
    rows = connection.execute(
        select(events.c.data).where(events.c.sender_id == sender, events.c.id > message_id,
                                    events.c.id <= answer_event_id, events.c.type_name == "bot").order_by(events.c.id))
    return "\n\n".join(filter(None, (json.loads(row[0]).get("text") for row in rows)))


def conversation(connection: Connection, sender_id: str, first_id: int, last_id: int) -> List[Dict[str, Any]]:
    """The learner's and the assistant's messages of one conversation session, in order."""
    rows = connection.execute(
        select(events.c.data).where(events.c.sender_id == sender_id, events.c.id.between(first_id, last_id),
                                    events.c.type_name.in_(("user", "bot"))).order_by(events.c.id))
    return [json.loads(row[0]) for row in rows]


def purge_before(connection: Connection, cutoff: float) -> int:
    """Delete every event older than `cutoff` (seconds since the epoch): the retention limit.

    Looks before it deletes: on SQLite a DELETE holds the write lock while it scans, and Rasa would wait.
    """
    if connection.execute(select(events.c.id).where(events.c.timestamp < cutoff).limit(1)).first() is None:
        return 0
    return connection.execute(delete(events).where(events.c.timestamp < cutoff)).rowcount
