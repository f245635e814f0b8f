"""Scale-out: throughput and reply latency through HAProxy for 1 and 2 Rasa replicas, and what the
durable tracker store costs against Rasa's in-memory one.

Starts the stack as `make cluster` does (REPLICAS=1, then 2) on a scratch PostgreSQL database and
Redis key prefix (both removed at the end), sends 20 and 50 concurrent users through the load
balancer, then starts the single-process stack (`make run`) with the in-memory, SQLite (the
default) and PostgreSQL tracker stores at 1 and 20 users (the desk stopped). Prints p50/p95, throughput, the ratios,
Rasa's CPU time per reply and PostgreSQL transactions per turn; last, what one turn's tracker
store calls (retrieve, save) cost in this process, without the rest of Rasa.
Run: `.venv/bin/python -m bench.scale` (about 10 minutes on 2 cores; `--store-calls` for the last part only).
"""
import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import psycopg2
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from sqlalchemy.engine import make_url

from bench.latency import CATALOG_QUESTION, group_cpu_seconds, measure, percentile, post
from bot.tracker_store import URLTrackerStore
from tests.e2e.shared_stores import POSTGRES, REDIS_HOST, REDIS_PORT, scratch_database, scratch_redis_prefix
from tests.e2e.stack import ROOT, Stack

IN_MEMORY_ENDPOINTS = """action_endpoint:
  url: ${ACTION_SERVER_URL}
  headers:
    X-Action-Token: ${ACTION_SERVER_TOKEN}
  enable_selective_domain: true
"""


def transactions(database_url: str) -> int:
    """PostgreSQL's count of committed and rolled-back transactions in one database so far."""
    name = make_url(database_url).database
    with psycopg2.connect(dbname="test", **POSTGRES) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,))
        return int(cursor.fetchone()[0])


class Load:
    """One load level's measurements: every reply's latency and the wall time they took."""

    def __init__(self, latencies: List[float], seconds: float, cpu: float = 0.0, transactions: int = 0):
        self.latencies, self.seconds, self.cpu, self.transactions = latencies, seconds, cpu, transactions

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def run_load(stack: Stack, users: int, per_user: int, database_url: str = "") -> Load:
    post(stack.url, "warm-up", CATALOG_QUESTION)
    groups = [s.pid() for s in (stack.rasa_replicas or [stack.rasa])]
    cpu_before = sum(group_cpu_seconds(g) for g in groups)
    time.sleep(1)  # PostgreSQL's statistics collector reports about twice a second
    tx_before = transactions(database_url) if database_url else 0
    started = time.perf_counter()
    latencies = measure(stack.url, lambda: CATALOG_QUESTION, users, per_user)
    seconds = time.perf_counter() - started
    cpu = sum(group_cpu_seconds(g) for g in groups) - cpu_before
    time.sleep(1)
    tx = (transactions(database_url) - tx_before) if database_url else 0
    return Load(latencies, seconds, cpu, tx)


async def store_calls(store: TrackerStore, turns: int = 40) -> Tuple[List[float], List[float]]:
    """Seconds of `retrieve` and of `save` for each turn of one conversation growing to `turns`
    catalog questions (five events a turn, as Rasa records them)."""
    retrieved, saved = [], []
    for _ in range(turns):
        started = time.perf_counter()
        tracker = await store.get_or_create_tracker("rest:bench-store")
        retrieved.append(time.perf_counter() - started)
        intent = {"name": "ask_program_fact", "confidence": 0.9}
        for event in (UserUttered(CATALOG_QUESTION, intent, parse_data={"text": CATALOG_QUESTION, "intent": intent}),
                      ActionExecuted("action_program_fact"), BotUttered("Introduction to Generative AI costs $10."),
                      SlotSet("program", "Introduction to Generative AI"), ActionExecuted("action_listen")):
            tracker.update(event)
        started = time.perf_counter()
        await store.save(tracker)
        saved.append(time.perf_counter() - started)
    return retrieved, saved


def print_store_calls(database_url: str) -> None:
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    print("One turn's tracker store calls, alone (a conversation growing to 40 turns):")
    print(f"{'store':<12}{'retrieve p50':>14}{'at turn 40':>12}{'save p50':>10}{'at turn 40':>12}")
    with tempfile.TemporaryDirectory() as scratch:
        for label, store in (("in memory", InMemoryTrackerStore(domain)),
                             ("SQLite", URLTrackerStore(domain, host=f"sqlite:///{scratch}/tracker.sqlite3")),
                             ("PostgreSQL", URLTrackerStore(domain, host=database_url))):
            retrieved, saved = asyncio.run(store_calls(store))
            print(f"{label:<12}{statistics.median(retrieved) * 1000:>12.1f}ms{retrieved[-1] * 1000:>10.1f}ms"
                  f"{statistics.median(saved) * 1000:>8.1f}ms{saved[-1] * 1000:>10.1f}ms")
            if isinstance(store, URLTrackerStore):
                store.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-user", type=int, default=4, help="messages per concurrent user")
    parser.add_argument("--single-requests", type=int, default=40, help="messages of the single user")
    parser.add_argument("--store-calls", action="store_true", help="only the tracker store calls, no stacks")
    args = parser.parse_args()
    if args.store_calls:
        with scratch_database() as database:
            print_store_calls(database)
        return 0
    scaled: Dict[Tuple[int, int], Load] = {}
    stores: Dict[Tuple[str, int], Load] = {}
    with tempfile.TemporaryDirectory() as scratch, scratch_database() as database, \
            scratch_redis_prefix() as prefix:
        shared = {"TRACKER_DB_URL": database, "CATALOG_DB_URL": database, "HANDOFF_DB_URL": database,
                  "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": "0",
                  "REDIS_KEY_PREFIX": prefix}
        seeded = False
        for replicas in (1, 2):
            stack = Stack(Path(scratch) / f"cluster{replicas}", extra_env=shared, replicas=replicas)
            stack.start(seed_catalog=not seeded)
            seeded = True
            try:
                for users in (20, 50):
                    scaled[(replicas, users)] = run_load(stack, users, args.per_user, database)
                    print(f"{replicas} replica(s), {users} users: {scaled[(replicas, users)].throughput:.1f} replies/s",
                          file=sys.stderr)
            finally:
                stack.stop()
        in_memory = Path(scratch) / "endpoints.memory.yml"
        in_memory.write_text(IN_MEMORY_ENDPOINTS)
        for store, env in (("in memory", {"RASA_ENDPOINTS": str(in_memory)}), ("SQLite", {}),
                           ("PostgreSQL", {"TRACKER_DB_URL": database})):
            stack = Stack(Path(scratch) / store.replace(" ", "-"), extra_env=env).start()
            # Rasa alone: the desk would fold the new conversations into its analytics every 5 s,
            # on the same two cores, with the durable stores only.
            stack.web.stop()
            try:
                for users, count in ((1, args.single_requests), (20, args.per_user)):
                    stores[(store, users)] = run_load(stack, users, count,
                                                      database if store == "PostgreSQL" else "")
                    print(f"{store}, {users} users: p95 {stores[(store, users)].p(0.95):.0f} ms", file=sys.stderr)
            finally:
                stack.stop()
        print_results(scaled, stores)
        print()
        print_store_calls(database)
    return 0


def print_results(scaled: Dict[Tuple[int, int], Load], stores: Dict[Tuple[str, int], Load]) -> None:
    print("Through HAProxy (make cluster), catalog question, PostgreSQL + Redis:")
    print(f"{'replicas':<9}{'users':>6}{'replies/s':>11}{'p50':>9}{'p95':>9}{'Rasa CPU/reply':>16}{'DB tx/turn':>12}")
    for (replicas, users), load in sorted(scaled.items()):
        print(f"{replicas:<9}{users:>6}{load.throughput:>11.1f}{load.p(0.5):>7.0f}ms{load.p(0.95):>7.0f}ms"
              f"{load.cpu / len(load.latencies) * 1000:>14.0f}ms{load.transactions / len(load.latencies):>12.1f}")
    for users in (20, 50):
        one, two = scaled[(1, users)], scaled[(2, users)]
        print(f"2 replicas / 1 replica at {users} users: throughput x{two.throughput / one.throughput:.2f}, "
              f"p50 x{two.p(0.5) / one.p(0.5):.2f}, p95 x{two.p(0.95) / one.p(0.95):.2f}")
    print("aim: throughput at least x1.5 at 50 users")
    print()
    print("Tracker store, one Rasa process (make run):")
    print(f"{'store':<12}{'users':>6}{'p50':>9}{'p95':>9}{'p95 / in memory':>17}")
    for (store, users), load in stores.items():
        base = stores[("in memory", users)]
        print(f"{store:<12}{users:>6}{load.p(0.5):>7.0f}ms{load.p(0.95):>7.0f}ms{load.p(0.95) / base.p(0.95):>17.2f}")
    print("aim: the durable store costs at most 10% at p95 (ratio at most 1.10)")


if __name__ == "__main__":
    sys.exit(main())
