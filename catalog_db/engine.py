"""Engines and sessions: a cached engine per URL (the catalog's by default), and sessions.

Shared by catalog_db and handoff_db. Nothing connects at import time; the first `get_engine()`
call creates the engine.

A SQLite file is opened, never created, unless the caller says it may create it: only the tools
whose job that is do (`python -m catalog_db load|ensure` for the catalog, the desk and the action
server for a handoff database of its own). A missing catalog file is then an error that says so,
not an empty database that SQLite made on the first query.
"""
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import quote, unquote

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'catalog.sqlite3'}"


def database_url() -> str:
    """The URL in CATALOG_DB_URL, else the SQLite file under var/."""
    return os.environ.get("CATALOG_DB_URL") or DEFAULT_URL


def sqlite_file(url: "str | URL") -> Optional[Path]:
    """The file of a SQLite URL (an engine's too, which names it in SQLite's URI form); None for other
    databases and SQLite in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and parsed.database.startswith("file:"):
        return Path(unquote(parsed.database.removeprefix("file:")))
    return Path(parsed.database)


@lru_cache(maxsize=None)
def _engine_for(url: str, create: bool) -> Engine:
    parsed, path = make_url(url), sqlite_file(url)
    if path is not None and create:
        path.parent.mkdir(parents=True, exist_ok=True)  # SQLite creates the file but not its directory
    elif path is not None:
        # SQLite's URI form with mode=rw opens the file for writing but fails when it does not exist.
        parsed = parsed.set(database=f"file:{quote(str(path))}", query={**parsed.query, "mode": "rw", "uri": "true"})
    # hide_parameters: a database error's message leaves out the statement's values, which are what
    # learners and coaches wrote (transcripts), so logging the error never logs their words.
    return create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)


def get_engine(url: Optional[str] = None, create: bool = False) -> Engine:
    """The engine for `url` (default: `database_url()`), created on first use and then reused; with
    `create`, a SQLite file that does not exist yet is created."""
    url = url or database_url()
    return _engine_for(url, create and sqlite_file(url) is not None)  # one engine (and pool) per server URL


def make_session(url: Optional[str] = None) -> Session:
    """A new session; the caller owns the transaction (`with make_session() as s, s.begin(): ...`)."""
    return Session(get_engine(url), future=True)


def limit_waiting(session: Session, seconds: float) -> None:
    """The session's statements give up after waiting `seconds` on another's lock (SQLite, whose own
    limit is 5 s) or on the server (PostgreSQL), for the rest of its transaction."""
    connection, milliseconds = session.connection(), max(1, round(seconds * 1000))
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
