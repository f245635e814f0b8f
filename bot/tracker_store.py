"""Rasa's SQL tracker store, configured by one SQLAlchemy URL (TRACKER_DB_URL in endpoints.yml).

Rasa's own `SQLTrackerStore` already accepts a whole URL as its host; this adds what a SQLite file
needs to be a safe default: its directory is created, and it runs in write-ahead-log mode so the
desk's analytics can read conversations while Rasa writes them (in SQLite's default journal mode a
long read makes Rasa's commit wait and, after the busy timeout, fail). Errors never show the events.
"""
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from catalog_db.engine import sqlite_file


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
            with self.engine.connect() as connection:  # WAL is a property of the file: set once, kept
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
