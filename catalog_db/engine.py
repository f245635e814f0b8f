"""Engines and sessions: a cached engine per URL (the catalog's by default), sessions, the catalog's schema.

Shared by catalog_db and handoff_db. Nothing connects at import time; the first `get_engine()`
call creates the engine.
"""
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from catalog_db.models import Base

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'catalog.sqlite3'}"


def database_url() -> str:
    """The URL in CATALOG_DB_URL, else the SQLite file under var/."""
    return os.environ.get("CATALOG_DB_URL") or DEFAULT_URL


@lru_cache(maxsize=None)
def _engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # SQLite creates the file but not its directory.
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for `url` (default: `database_url()`), created on first use and then reused."""
    return _engine_for(url or database_url())


def make_session(url: Optional[str] = None) -> Session:
    """A new session; the caller owns the transaction (`with make_session() as s, s.begin(): ...`)."""
    return Session(get_engine(url), future=True)


def create_schema(engine: Engine) -> None:
    """Create the catalog's tables that do not exist yet (handoff_db.schema creates the handoffs')."""
    Base.metadata.create_all(engine)
