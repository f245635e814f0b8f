"""Rasa's SQL tracker store, configured by one SQLAlchemy URL (TRACKER_DB_URL in endpoints.yml),
keeping the conversations it served in memory.

Rasa's own `SQLTrackerStore` already accepts a whole URL as its host; this adds what a SQLite file
needs to be a safe default: its directory is created, and it runs in write-ahead-log mode on one
connection kept open (`_sqlite_modes`). Errors never show the events.

Rasa reads every event of a conversation's session back and rebuilds them from JSON on each turn,
and counts them again before it saves. Here each process remembers the session's events of the
conversations it served, with the conversation's stamp in the database: how many rows it has and
its newest row ID. Before a turn one indexed query reads the stamp; when it is what this process
last saw, nothing more is read; when it only grew (another replica, or Rasa's API, added events), only
the rows after the newest one known are read; anything else (rows deleted by the desk's
retention, rows this process cannot account for) reads the session afresh, as Rasa does. A save
writes only the new events, as Rasa does. A process that dies takes its memory with it, so a
restarted one starts from the database.
"""
import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import bindparam, create_engine, event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool

from catalog_db.engine import sqlite_file

CACHED_CONVERSATIONS = 2000  # the most recently served; 40 turns of bench/scale.py --store-calls take 90 KB


@dataclass(frozen=True)
class Stamp:
    """What the database holds of one conversation: its rows (all sessions) and the newest row's ID."""

    rows: int
    newest: Optional[int]


@dataclass(frozen=True)
class Served:
    """A conversation as this process last read or wrote it: the latest session's events (what
    Rasa's `retrieve` returns), and the stamp of the rows they were read from or written to."""

    stamp: Stamp
    events: Tuple[Event, ...]


def _sqlite_modes(connection: Any, _: Any) -> None:
    """Write-ahead logging, so the desk's analytics read conversations while Rasa writes them (in
    SQLite's default journal mode a long read makes Rasa's commit wait and, after the busy timeout,
    fail); the mode is the file's, kept once set. And a commit that waits for the disk only at
    checkpoints, not at every turn (SQLite's advice for WAL): a killed Rasa loses nothing committed,
    a power cut may lose the last turns."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def latest_session(events: Sequence[Event]) -> Tuple[Event, ...]:
    """The events from the last `session_started` on (all of them without one), as Rasa's query keeps."""
    starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
    return tuple(events[starts[-1]:] if starts else events)


class URLTrackerStore(SQLTrackerStore):
    """Conversations in the database at `url` (any SQLAlchemy URL: a SQLite file, PostgreSQL...)."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None,
                 event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        if not host or "://" not in host:
            raise ValueError(f"the tracker store needs a SQLAlchemy URL (TRACKER_DB_URL), not {host!r}")
        path = sqlite_file(host)
        if path is not None:  # the tracker store is Rasa's own, created on first start
            path.parent.mkdir(parents=True, exist_ok=True)  # SQLite creates the file but not its directory
        super().__init__(domain=domain, host=host, event_broker=event_broker, **kwargs)
        # A database error's message leaves out the statement's values: the events, which hold what
        # learners wrote, so that logging the error never logs their words.
        self.engine.hide_parameters = True
        if self.engine.dialect.name == "sqlite":
            # One connection kept open (SQLAlchemy 1.4 opens the file anew for every session, and
            # closing the last connection of a WAL file checkpoints it to disk: a turn then waited
            # for two disk flushes). Rasa uses its store from the event loop's thread only.
            self.engine.dispose()
            self.engine = create_engine(self.engine.url, poolclass=SingletonThreadPool, hide_parameters=True)
            event.listen(self.engine, "connect", _sqlite_modes)
            self.engine.connect().close()  # the file is in WAL mode from the start, for the desk too
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._served: OrderedDict[str, Served] = OrderedDict()
        # Built once: SQLAlchemy keys its cache of compiled statements on each statement's structure,
        # and building that key for new statement objects cost more than running them.
        events = self.SQLEvent.__table__
        self._stamp_query = select(func.count(events.c.id), func.max(events.c.id)) \
            .where(events.c.sender_id == bindparam("sender_id"))
        self._rows_between = select(events.c.data).where(
            events.c.sender_id == bindparam("sender_id"), events.c.id > bindparam("after"),
            events.c.id <= bindparam("until")).order_by(events.c.id)
        self._insert_row = insert(events)

    def _stamp(self, session: Session, sender_id: str) -> Stamp:
        rows, newest = session.execute(self._stamp_query, {"sender_id": sender_id}).one()
        return Stamp(rows, newest)

    def _read(self, session: Session, sender_id: str, served: Optional[Served], stamp: Stamp) -> Tuple[Event, ...]:
        """The latest session's events as of `stamp`: the rows after it are left for the next turn,
        so that what is remembered is exactly what the stamp counts."""
        if stamp.newest is None:
            return ()
        if served is not None and served.stamp == stamp:
            return served.events
        if served is not None and served.stamp.newest is not None and stamp.newest > served.stamp.newest:
            rows = session.execute(self._rows_between, {"sender_id": sender_id, "after": served.stamp.newest,
                                                        "until": stamp.newest}).scalars().all()
            if served.stamp.rows + len(rows) == stamp.rows:  # nothing deleted, nothing committed out of order
                return latest_session(served.events + tuple(deserialise_events([json.loads(r) for r in rows])))
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False) \
            .filter(self.SQLEvent.id <= stamp.newest).all()
        return tuple(deserialise_events([json.loads(row.data) for row in rows]))

    def _remember(self, sender_id: str, served: Served) -> None:
        self._served[sender_id] = served
        self._served.move_to_end(sender_id)
        while len(self._served) > CACHED_CONVERSATIONS:
            self._served.popitem(last=False)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session of the conversation, reading only what this process has not seen."""
        served = self._served.pop(sender_id, None)  # trusted again only once read or written below
        with self.session_scope() as session:
            stamp = self._stamp(session, sender_id)
            events = self._read(session, sender_id, served, stamp)
        if not events or self.domain is None:
            return None
        self._remember(sender_id, Served(stamp, events))
        # Rebuilt from the same event objects, as Rasa's own `DialogueStateTracker.copy` does: a turn
        # appends new events to its tracker and never changes one it was given.
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events the database does not hold yet (those after the ones it holds, as Rasa's does)."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        served = self._served.pop(sender_id, None)
        with self.session_scope() as session:
            stamp = self._stamp(session, sender_id)
            if stamp.rows == 0:  # a new conversation: every event is new
                served = Served(stamp, ())
            elif served is None or served.stamp != stamp:  # not known, or changed elsewhere: count, as Rasa does
                served = None
            stored = len(served.events) if served else \
                self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            new = list(itertools.islice(tracker.events, stored, None))
            ids = [self._insert(session, sender_id, event) for event in new]
            session.commit()
        if served is not None:
            self._remember(sender_id, Served(Stamp(stamp.rows + len(ids), max(ids, default=stamp.newest)),
                                             latest_session(served.events + tuple(new))))

    def _insert(self, session: Session, sender_id: str, event: Event) -> int:
        """One row, as Rasa's `save` writes it; returns its ID."""
        data = event.as_dict()
        return session.execute(self._insert_row, {
            "sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data),
        }).inserted_primary_key[0]

