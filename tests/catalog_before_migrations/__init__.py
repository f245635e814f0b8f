"""A catalog database as the code before migrations left it: its tables (recorded as SQL, one file
per database) and a program in them."""
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent
INSTITUTION = {"name": "Marshall University", "phone": "(304) 696-3170"}
# Columns of that time only.
PROGRAM = {
    "slug": "welding-basics",
    "name": "Welding Basics",
    "name_normalized": "welding basics",
    "kind": "micro-credential",
    "cost_usd": 120,
    "duration_min": 3,
    "duration_max": 3,
    "duration_unit": "days",
    "delivery_format": "in_person",
    "summary": "Safe arc welding for beginners.",
}
ALIAS, TOPIC = "welding", "manufacturing"


def create_tables(engine: Engine) -> None:
    """The catalog's tables as `create_all` made them before migrations, with no version table."""
    ddl = (HERE / f"{engine.dialect.name}.sql").read_text(encoding="utf-8")
    with engine.begin() as connection:
        for statement in re.split(r";\s*$", ddl, flags=re.M):
            if statement.strip():
                connection.exec_driver_sql(statement)


def _insert(connection, table: str, values: dict) -> int:
    columns = ", ".join(values)
    placeholders = ", ".join(f":{column}" for column in values)
    statement = text(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id")
    return connection.execute(statement, values).scalar_one()


def create_catalog(engine: Engine) -> None:
    """Those tables holding one institution and one program with an alias and a topic."""
    create_tables(engine)
    with engine.begin() as connection:
        institution_id = _insert(connection, "institutions", INSTITUTION)
        program_id = _insert(connection, "programs", {**PROGRAM, "institution_id": institution_id})
        alias = {"program_id": program_id, "alias": ALIAS, "alias_normalized": ALIAS}
        _insert(connection, "program_aliases", alias)
        connection.execute(
            text("INSERT INTO program_topics (program_id, topic) VALUES (:program_id, :topic)"),
            {"program_id": program_id, "topic": TOPIC},
        )
