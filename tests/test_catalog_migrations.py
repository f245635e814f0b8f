"""The catalog's schema migrations (catalog_db/migrations/) on SQLite, and on PostgreSQL databases
the tests create and drop: a new database, one made before migrations with data in it, and
upgrading twice."""
import itertools
from contextlib import ExitStack
from typing import Any, Callable, Dict, Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from catalog_db import queries
from catalog_db.engine import get_engine, make_session
from catalog_db.migrations import (
    BASELINE,
    VERSION_TABLE,
    alembic_config,
    current_revision,
    is_catalog_table,
    upgrade_schema,
)
from catalog_db.models import Base, Program
from handoff_db import schema as handoff_schema
from tests import catalog_before_migrations as before_migrations
from tests.e2e.shared_stores import scratch_database

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
NEW_COLUMNS = {"start_dates", "page_url", "how_to_enrol"}


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path, postgres) -> Iterator[Callable[[], str]]:
    """Makes empty databases (SQLite files, or PostgreSQL databases of their own, dropped
    afterwards) and gives their URLs."""
    if request.param == "postgresql" and postgres is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    numbers = itertools.count()
    with ExitStack() as cleanup:

        def make() -> str:
            if request.param == "sqlite":
                url = f"sqlite:///{tmp_path / f'catalog-{next(numbers)}.sqlite3'}"
            else:
                url = cleanup.enter_context(scratch_database())
            # Runs before the database is dropped: the cached engine's connections would block it.
            cleanup.callback(get_engine(url, create=True).dispose)
            return url

        yield make


def tables_of(url: str) -> Dict[str, Dict[str, Any]]:
    """Everything the database says about the catalog's tables: columns, keys, indexes, constraints."""
    inspector = inspect(get_engine(url, create=True))
    described = {}
    for table in sorted(set(inspector.get_table_names()) - {VERSION_TABLE}):
        described[table] = {
            "columns": [(column["name"], str(column["type"]), column["nullable"], column["default"])
                        for column in inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (key["constrained_columns"], key["referred_table"], key["referred_columns"], key["options"])
                for key in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted((index["name"], index["column_names"], bool(index["unique"]))
                              for index in inspector.get_indexes(table)),
            "unique": sorted((unique["name"] or "", unique["column_names"])
                             for unique in inspector.get_unique_constraints(table)),
            "checks": sorted((check["name"], check["sqltext"]) for check in inspector.get_check_constraints(table)),
        }
    return described


def differences_from_the_models(url: str) -> list:
    """What Alembic's autogenerate finds between the database's catalog tables and the models."""
    with get_engine(url, create=True).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": is_catalog_table})
        return compare_metadata(context, Base.metadata)


def revision_of(url: str) -> str:
    with get_engine(url, create=True).connect() as connection:
        return current_revision(connection)


def test_a_new_database_gets_every_revision_and_matches_the_models(new_database):
    url = new_database()
    upgrade = upgrade_schema(get_engine(url, create=True))
    assert (upgrade.before, upgrade.after, upgrade.recognised) == (None, HEAD, False)
    assert revision_of(url) == HEAD
    assert differences_from_the_models(url) == []


def test_the_first_revision_makes_exactly_the_tables_of_before_migrations(new_database):
    made_before, migrated = new_database(), new_database()
    before_migrations.create_tables(get_engine(made_before, create=True))
    with get_engine(migrated, create=True).begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
    assert tables_of(migrated) == tables_of(made_before)
    assert {column["name"] for column in inspect(get_engine(migrated, create=True)).get_columns("programs")}.isdisjoint(
        NEW_COLUMNS
    )


def test_a_database_made_before_migrations_is_upgraded_in_place_keeping_its_data(new_database):
    old, new = new_database(), new_database()
    before_migrations.create_catalog(get_engine(old, create=True))
    upgrade = upgrade_schema(get_engine(old, create=True))
    assert (upgrade.before, upgrade.after, upgrade.recognised) == (BASELINE, HEAD, True)
    upgrade_schema(get_engine(new, create=True))
    assert tables_of(old) == tables_of(new)  # as if it had been made by the migrations
    with make_session(old) as session:
        program = queries.program_by_slug(session, before_migrations.PROGRAM["slug"])
    assert program.name == before_migrations.PROGRAM["name"] and program.cost_usd == 120
    assert program.institution_phone == before_migrations.INSTITUTION["phone"]
    assert program.aliases == (before_migrations.ALIAS,) and program.topics == (before_migrations.TOPIC,)
    assert (program.start_dates, program.page_url, program.how_to_enrol) == (None, None, None)


def test_a_database_holding_only_the_handoff_tables_gets_the_catalog_from_the_migrations(new_database):
    url = new_database()
    handoff_schema.create_schema(get_engine(url, create=True))  # the desk or action server started first
    upgrade = upgrade_schema(get_engine(url, create=True))
    assert (upgrade.before, upgrade.after, upgrade.recognised) == (None, HEAD, False)
    assert differences_from_the_models(url) == []
    assert {"handoffs", "coaches", "programs"} <= set(inspect(get_engine(url, create=True)).get_table_names())


def test_upgrading_twice_changes_nothing(new_database):
    url = new_database()
    before_migrations.create_catalog(get_engine(url, create=True))
    upgrade_schema(get_engine(url, create=True))
    tables = tables_of(url)
    again = upgrade_schema(get_engine(url, create=True))
    assert (again.before, again.after, again.recognised) == (HEAD, HEAD, False)
    assert tables_of(url) == tables
    with make_session(url) as session:
        assert session.scalar(select(func.count()).select_from(Program)) == 1


def test_downgrading_to_the_first_revision_gives_back_the_tables_of_before_migrations(new_database):
    url, made_before = new_database(), new_database()
    upgrade_schema(get_engine(url, create=True))
    with get_engine(url, create=True).begin() as connection:
        command.downgrade(alembic_config(connection), BASELINE)
    before_migrations.create_tables(get_engine(made_before, create=True))
    assert tables_of(url) == tables_of(made_before)
