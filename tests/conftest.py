"""Shared fixtures: a fresh, empty catalog database per test, on SQLite and (when reachable) PostgreSQL."""
import os
import uuid
from typing import Iterator, Optional

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.actions.settings import settings
from catalog_db.engine import get_engine, make_session
from catalog_db.loader import SEED_PATH, CatalogData, load_catalog, parse_catalog
from catalog_db.migrations import upgrade_schema
from tests.e2e.stack import free_port

POSTGRES_URL = os.environ.get("CATALOG_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def fresh_action_settings() -> Iterator[None]:
    """The action server reads its environment once per process; each test sets its own."""
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Optional[Engine]]:
    """An engine on the test PostgreSQL server, or None when it cannot be reached."""
    engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        engine.connect().close()
    except OperationalError:
        engine.dispose()
        yield None
        return
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, postgres) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a PostgreSQL schema of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
        return
    if postgres is None:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    schema = f"catalog_test_{uuid.uuid4().hex[:12]}"
    with postgres.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    yield url
    # Close the cached engine's pooled connections before the schema goes.
    get_engine(url).dispose()
    with postgres.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def seed() -> CatalogData:
    return parse_catalog(SEED_PATH)


@pytest.fixture
def seeded_url(db_url, seed) -> str:
    """A database holding the shipped seed, committed."""
    upgrade_schema(get_engine(db_url, create=True))
    with make_session(db_url) as session, session.begin():
        load_catalog(session, seed)
    return db_url


@pytest.fixture
def seeded_session(seeded_url) -> Iterator[Session]:
    """A session on the seeded database."""
    with make_session(seeded_url) as session:
        yield session


class Inbox:
    """aiosmtpd's handler: keeps what the desk sent."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A local SMTP server on a free port: its inbox and the SMTP_URL that reaches it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()
