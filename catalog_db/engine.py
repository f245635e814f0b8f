"""Where the catalog lives: the database URL, a cached engine per URL, sessions and the schema.

Nothing connects at import time; the first `get_engine()` call creates the engine.
"""
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, inspect
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
    """Create the tables that do not exist yet, and the columns added since a table was created."""
    Base.metadata.create_all(engine)
    if "is_admin" not in {column["name"] for column in inspect(engine).get_columns("coaches")}:
        with engine.begin() as connection:  # desks from before the review queue: everyone a coach
            connection.exec_driver_sql("ALTER TABLE coaches ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT '0'")
