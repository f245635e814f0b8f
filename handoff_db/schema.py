"""Creating the handoff tables, and the columns added since a table was created."""
from functools import lru_cache

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from handoff_db.models import Base


def create_schema(engine: Engine) -> None:
    """Create the handoff tables that do not exist yet; add columns older desks lack."""
    Base.metadata.create_all(engine)
    if "is_admin" not in {column["name"] for column in inspect(engine).get_columns("coaches")}:
        with engine.begin() as connection:  # desks from before the review queue: everyone a coach
            connection.exec_driver_sql("ALTER TABLE coaches ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT '0'")


@lru_cache(maxsize=None)
def ensure_schema(engine: Engine) -> None:
    """`create_schema` once per engine and process: a failure is not remembered, so the next call
    (the next request or action) tries again, and a database that comes back is used."""
    create_schema(engine)
