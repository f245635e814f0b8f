"""The desk's catalog pages at volume: 2,000 programs, edited by an admin.

For a SQLite file and for a scratch database on the local PostgreSQL (created and dropped here),
loads 2,000 programs (aliases, topics, every kind, 5 % retired) through the catalog's own loader,
then times the desk's catalog pages through HTTP on the real desk with a signed-in admin: the list
(first and a late page), a search, the filters, one program's form, the YAML export of all of them,
and the general answers' pages. Aim: the catalog's pages under 300 ms (the export is a download).
Run: `.venv/bin/python -m bench.catalog` (`--programs N`, `--rounds N`, `--only sqlite|postgresql`).
"""
import argparse
import asyncio
import random
import tempfile
from typing import Any, Dict, List

from sqlalchemy import text

from bench.desk import PASSWORD, on_scratch_databases, report, signed_in_timings
from catalog_db.engine import get_engine, make_session
from catalog_db.loader import CatalogData, load_catalog
from catalog_db.migrations import upgrade_schema
from catalog_db.models import DELIVERY_FORMATS, KINDS
from catalog_db.record_schema import check_program
from channels.config import ServerConfig
from handoff_db import desk_access
from handoff_db import schema as handoff_schema

SUBJECTS = ("Welding", "Nursing", "Data Analytics", "Cybersecurity", "Accounting", "Marketing", "Robotics",
            "Project Management", "Supply Chain", "Graphic Design", "Public Health", "Teaching", "Hospitality",
            "Geospatial Science", "Statistics", "Leadership", "Counselling", "Software Testing", "Finance")
STYLES = ("Foundations of", "Applied", "Advanced", "Introduction to", "Professional", "Essentials of")


def programs(count: int, rng: random.Random) -> List[Dict[str, Any]]:
    """`count` valid program records, checked by the record schema as the loader would."""
    records = []
    for n in range(count):
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        record = {"slug": f"program-{n:05}", "name": f"{rng.choice(STYLES)} {subject} {n:05}", "kind": kind,
                  "institution": "Bench University", "cost_usd": rng.choice((10, 99, 150, 800, 4200, 18000)),
                  "duration_min": 2, "duration_max": rng.randint(2, 24), "duration_unit": "weeks",
                  "delivery_format": rng.choice(DELIVERY_FORMATS), "summary": f"Learn {subject.lower()} at work.",
                  "retired": rng.random() < 0.05, "aliases": [f"{subject.lower()} course {n:05}"],
                  "topics": sorted({subject.lower(), rng.choice(SUBJECTS).lower()})}
        checked = check_program(record)
        assert not checked.errors, checked.errors
        records.append(checked.values)
    return records


def fill(url: str, count: int) -> None:
    engine = get_engine(url, create=True)
    upgrade_schema(engine)
    handoff_schema.create_schema(engine)
    institution = {"name": "Bench University", "phone": None, "email": None, "website": None}
    with make_session(url) as session, session.begin():
        load_catalog(session, CatalogData((institution,), tuple(programs(count, random.Random(17)))))
        desk_access.create_coach(session, "bench-admin", PASSWORD, admin=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


PAGES = {
    "catalog page (first 100 of all offered)": "catalog",
    "catalog: page 10": "catalog?page=10",
    "catalog: search a word": "catalog?q=robotics",
    "catalog: kind and retired": "catalog?kind=degree&status=retired",
    "one program's form": "catalog/programs/program-01000",
    "general answers": "answers",
    "one general answer": "answers/utter_faq_compare_cost",
}
# A download, not a page: it runs in a worker thread, so the desk keeps answering meanwhile.
EXPORT = {"export (YAML, every program)": "catalog/export"}


def run(name: str, url: str, count: int, rounds: int) -> Dict[str, float]:
    fill(url, count)
    print(f"{name}: {count} programs")
    with tempfile.TemporaryDirectory() as scratch:
        config = ServerConfig(session_secret="bench", database_url=url, catalog_db_url=url, rasa_url="http://127.0.0.1:9",
                              tracker_db_url=f"sqlite:///{scratch}/tracker.sqlite3")
        timings = asyncio.run(signed_in_timings(config, {**PAGES, **EXPORT}, rounds, "bench-admin"))
    medians = report(name, timings, rounds, aimed=PAGES)
    get_engine(url).dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    on_scratch_databases(lambda name, url: run(name, url, args.programs, args.rounds), "catalog", args.only)


if __name__ == "__main__":
    main()
