"""Creating the handoff tables, and the columns added since a table was created."""
from functools import lru_cache

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateColumn

from handoff_db.models import Base


def create_schema(engine: Engine) -> None:
    """Create the handoff tables that do not exist yet; add the columns older desks lack."""
    Base.metadata.create_all(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column for column in table.columns if column.name not in present]
        if not missing:
            continue
        with engine.begin() as connection:
            for column in missing:  # each new column has a server default or may be empty
                connection.exec_driver_sql(
                    f"ALTER TABLE {table.name} ADD COLUMN {CreateColumn(column).compile(dialect=engine.dialect)}")
            if table.name == "handoff_messages" and any(column.name == "delivery_failed" for column in missing):
                # Lines stored before deliveries were tracked: system lines were never meant to be sent.
                connection.exec_driver_sql("UPDATE handoff_messages SET delivered = true WHERE role = 'system'")


@lru_cache(maxsize=None)
def ensure_schema(engine: Engine) -> None:
    """`create_schema` once per engine and process: a failure is not remembered, so the next call
    (the next request or action) tries again, and a database that comes back is used."""
    create_schema(engine)
