"""The coach desk's queue and search at volume: 10,000 handoffs with 50,000 transcript lines.

For a SQLite file and for a scratch database on the local PostgreSQL (created and dropped here),
writes 10,000 handoffs over 90 days (2 % still waiting or claimed, the rest closed or cancelled,
twenty coaches, the catalog's programs, learners' messages of everyday words), then times the desk's
pages through HTTP on the real desk with a signed-in coach: the queue (page and JSON), the alerts,
search by a word of what learners wrote, by a program, by a coach, with filters, a date range, a
late page of results, and one handoff's page. Aim: every page under 300 ms.
Run: `.venv/bin/python -m bench.desk` (`--handoffs N`, `--rounds N`, `--only sqlite|postgresql`).
"""
import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, insert, select, text

from catalog_db.engine import get_engine, make_session
from catalog_db.loader import SEED_PATH, parse_catalog
from channels.config import ServerConfig
from channels.desk.app import create_desk_app
from handoff_db import desk_access
from handoff_db import schema as handoff_schema
from handoff_db.models import Handoff, HandoffMessage

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
PASSWORD = "bench password 1"
LINES_PER_HANDOFF = 5  # learner, assistant, learner, coach, and the close (or the learner again)
CHANNELS = ("socketio", "socketio", "slack", "telegram", "rest")
WORDS = ("tuition", "deadline", "credits", "transfer", "online", "evening", "weekend", "employer", "refund",
         "schedule", "nursing", "welding", "portfolio", "badge", "transcript", "veteran", "scholarship", "laptop",
         "prerequisite", "internship", "payment", "plan", "certificate", "degree", "cost", "start", "hybrid")
AIM_MS = 300


def learner_text(rng: random.Random) -> str:
    return f"Hi, about the {rng.choice(WORDS)} and {rng.choice(WORDS)}: can you help with my {rng.choice(WORDS)}?"


def fill(url: str, count: int, rng: random.Random) -> float:
    """`count` handoffs and LINES_PER_HANDOFF lines each, written in batches; returns seconds."""
    started = time.perf_counter()
    engine = get_engine(url, create=True)
    handoff_schema.create_schema(engine)
    programs = [p["name"] for p in parse_catalog(SEED_PATH).programs]
    coaches = [f"coach{n:02}" for n in range(20)]
    with make_session(url) as session, session.begin():
        desk_access.create_coach(session, "bench", PASSWORD)
        for name in coaches:
            desk_access.create_coach(session, name, PASSWORD)
    now = datetime.now(timezone.utc)
    handoffs, lines = [], []
    for n in range(1, count + 1):
        opened = now - timedelta(seconds=rng.uniform(0, 90 * 86400))
        active = rng.random() < 0.02
        status = rng.choice(("open", "claimed")) if active else ("cancelled" if rng.random() < 0.1 else "closed")
        coach = rng.choice(coaches) if status != "open" else None
        focus, other = rng.sample(programs, 2)
        handoffs.append({
            "id": n, "sender_id": f"{rng.choice(CHANNELS)}:{uuid.UUID(int=rng.getrandbits(128)).hex}", "status": status,
            "channel": rng.choice(CHANNELS), "reason": "asked for a person", "created_at": opened,
            "summary": {"program": focus, "other_programs": [other], "asked": [], "answers": [], "recommendation": None},
            "programs": f"{focus}; {other}", "claimed_by": coach, "announced": True, "emailed": True,
            "closed_at": None if active else opened + timedelta(minutes=rng.uniform(5, 600)),
            "outcome": None if status != "closed" else rng.choice(("answered", "enrolled", "referred", "no_response"))})
        said = [("learner", learner_text(rng)), ("bot", "I've passed our whole conversation to an admissions coach."),
                ("learner", learner_text(rng)), ("coach", "Happy to help: here is what I know."),
                ("system", "The coach closed the conversation.") if not active else ("learner", learner_text(rng))]
        for offset, (role, line) in enumerate(said):
            lines.append({"handoff_id": n, "role": role, "text": line, "author": coach if role == "coach" else None,
                          "created_at": opened + timedelta(minutes=offset), "delivered": True})
        if len(lines) >= 20_000 or n == count:
            with engine.begin() as connection:
                connection.execute(insert(Handoff), handoffs)
                connection.execute(insert(HandoffMessage), lines)
            handoffs, lines = [], []
    if engine.dialect.name == "postgresql":  # ids were given: move the sequence past them
        with engine.begin() as connection:
            connection.execute(text("SELECT setval('handoffs_id_seq', (SELECT max(id) FROM handoffs))"))
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def pages(handoff_id: int, since: str, until: str) -> Dict[str, str]:
    return {
        "queue page": "",
        "queue (JSON, every 2 s)": "queue.json",
        "alerts (JSON, every 3 s)": "alerts.json?handoffs=0&messages=0",
        "search: a word learners wrote": "handoffs?q=scholarship",
        "search: a program": "handoffs?q=generative",
        "search: a coach": "handoffs?q=coach07",
        "filters: channel, status, coach": "handoffs?channel=telegram&status=closed&coach=coach03",
        "filters: a week of dates": f"handoffs?since={since}&until={until}",
        "search: everything, page 100": "handoffs?page=100",
        "one handoff": f"handoffs/{handoff_id}",
    }


async def time_pages(config: ServerConfig, handoff_id: int, rounds: int) -> Dict[str, List[float]]:
    """Seconds of each page over `rounds` loads, through HTTP with a signed-in coach."""
    week_ago = datetime.now(timezone.utc).date() - timedelta(days=7)
    return await signed_in_timings(config, pages(handoff_id, (week_ago - timedelta(days=6)).isoformat(),
                                                 week_ago.isoformat()), rounds)


async def signed_in_timings(config: ServerConfig, wanted: Dict[str, str], rounds: int,
                            username: str = "bench") -> Dict[str, List[float]]:
    """Seconds of each of the desk's `wanted` pages (name: path) over `rounds` loads, through HTTP on a
    real desk, signed in as `username` (whose password is PASSWORD)."""
    server = TestServer(create_desk_app(config))
    await server.start_server()
    timings: Dict[str, List[float]] = {name: [] for name in wanted}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:  # an IP address
            base = str(server.make_url("/"))
            page = await (await client.get(base + "login")).text()
            csrf = page.split('name="csrf" value="')[1].split('"')[0]
            await client.post(base + "login", data={"username": username, "password": PASSWORD, "csrf": csrf})
            for _ in range(rounds):
                for name, path in wanted.items():
                    started = time.perf_counter()
                    response = await client.get(base + path)
                    body = await response.read()
                    timings[name].append(time.perf_counter() - started)
                    assert response.status == 200 and body, (name, response.status)
    finally:
        await server.close()
    return timings


def run(name: str, url: str, count: int, rounds: int) -> Dict[str, float]:
    filling = fill(url, count, random.Random(16))
    with make_session(url) as session:
        lines = session.execute(select(text("count(*)")).select_from(HandoffMessage)).scalar_one()
        active = session.execute(select(text("count(*)")).select_from(Handoff).where(
            Handoff.status.in_(("open", "claimed")))).scalar_one()
    print(f"{name}: {count} handoffs ({active} waiting or claimed), {lines} transcript lines written in {filling:.0f} s")
    with tempfile.TemporaryDirectory() as scratch:
        config = ServerConfig(session_secret="bench", database_url=url, catalog_db_url=url, rasa_url="http://127.0.0.1:9",
                              tracker_db_url=f"sqlite:///{scratch}/tracker.sqlite3")
        timings = asyncio.run(time_pages(config, count // 2, rounds))
    medians = report(name, timings, rounds, aimed=timings)
    get_engine(url).dispose()
    return medians


def report(name: str, timings: Dict[str, List[float]], rounds: int, aimed: Iterable[str]) -> Dict[str, float]:
    """Print each page's median and slowest load in ms, flagging those of `aimed` over the aim; the medians."""
    medians = {}
    for page, seconds in timings.items():
        medians[page] = statistics.median(seconds) * 1000
        over = page in aimed and medians[page] >= AIM_MS
        print(f"{name}: {page:40} median {medians[page]:6.1f} ms, slowest {max(seconds) * 1000:6.1f} ms over "
              f"{rounds} loads{'  (over the aim)' if over else ''}")
    return medians


def on_scratch_databases(run: Callable[[str, str], Any], prefix: str, only: Optional[str]) -> None:
    """`run(name, url)` on a scratch SQLite file and a scratch PostgreSQL database, each gone afterwards."""
    if only != "postgresql":
        with tempfile.TemporaryDirectory() as scratch:
            run("SQLite", f"sqlite:///{scratch}/{prefix}.sqlite3")
    if only != "sqlite":
        database = f"{prefix}_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        try:
            run("PostgreSQL", f"{POSTGRES}/{database}")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handoffs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    on_scratch_databases(lambda name, url: run(name, url, args.handoffs, args.rounds), "desk", args.only)


if __name__ == "__main__":
    main()
