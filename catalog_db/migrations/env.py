"""Alembic's environment for the catalog's tables.

`upgrade_schema` (catalog_db/migrations/__init__.py) hands it an open connection; the alembic
command line (alembic.ini at the repository's root, for writing new revisions) gets the database
at CATALOG_DB_URL.
"""
from alembic import context
from sqlalchemy.engine import Connection

from catalog_db.engine import get_engine
from catalog_db.migrations import VERSION_TABLE, is_catalog_table
from catalog_db.models import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        include_name=is_catalog_table,
        # Revisions run on SQLite too, which changes a table only by copying it: autogenerate then
        # writes batch operations, which copy on SQLite and ALTER elsewhere.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is None:
    with get_engine().connect() as opened:
        run_migrations(opened)
else:
    run_migrations(given)
