"""The catalog's schema, built and changed only by the Alembic revisions in versions/.

`upgrade_schema` brings a database to the newest revision. A database made before the catalog had
migrations holds the first revision's tables but no version table: it is stamped with that
revision first, so its data stays and only the later revisions run.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from catalog_db.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent
# The revision that creates the tables the catalog had before it had migrations.
BASELINE = "0001_catalog_tables"
# The database also holds the handoff and desk tables, which may get migrations of their own one
# day: a version table named for the catalog keeps the two histories apart.
VERSION_TABLE = "catalog_alembic_version"


@dataclass(frozen=True)
class SchemaUpgrade:
    """What `upgrade_schema` found and left."""

    before: Optional[str]  # None: the database had no catalog tables
    after: str
    recognised: bool  # the tables predate migrations and were stamped as BASELINE


def alembic_config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration for the catalog; env.py runs on `connection` when one is given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def is_catalog_table(name: Optional[str], type_: str, parent_names: dict) -> bool:
    """Alembic's include_name hook: compare only the catalog's own tables with the models, so
    autogenerate never offers to drop the handoff and desk tables beside them."""
    return type_ != "table" or name in Base.metadata.tables


def current_revision(connection: Connection) -> Optional[str]:
    """The revision recorded in the database, or None when it has no version table."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade_schema(engine: Engine) -> SchemaUpgrade:
    """Upgrade the catalog's tables to the newest revision (creating them in a new database), in one
    transaction where the database allows DDL in one (PostgreSQL does)."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        before = current_revision(connection)
        # `programs` stands for the four tables, which were always created together.
        recognised = before is None and inspect(connection).has_table("programs")
        if recognised:
            command.stamp(config, BASELINE)
            before = BASELINE
        command.upgrade(config, "head")
        return SchemaUpgrade(before=before, after=current_revision(connection), recognised=recognised)
