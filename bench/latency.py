"""Reply latency, throughput and CPU per reply through the REST channel: our catalog answer against a
bare `rasa init` assistant, in one run.

Starts our stack as `make run` does (action server, Rasa with its durable SQLite tracker store, and
the desk, which folds new conversations into its analytics as it runs) and a bare `rasa init`
assistant (Rasa's in-memory store, no action server) from the same virtual environment, then sends
the same load to both, one assistant after the other and in alternating order each round, so that
other work on the machine weighs on both alike. Prints p50/p95 at 1 user and at N users, replies/s
at N users, the CPU time Rasa and the action server spent per reply, each as our / bare ratio,
resident memory after the run, and the load average before and after.

The catalog question is the same text every time, as in the issue that set the aim; a second load
of our assistant asks catalog questions whose texts never repeat ("new texts"), so that a cache
of repeated texts does not flatter the numbers.
Run: `make bench` (or `.venv/bin/python -m bench.latency`; about 6 minutes with the defaults on 2 busy cores).
"""
import argparse
import concurrent.futures
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

import yaml

from tests.e2e.stack import ROOT, Stack, free_port, wait_for

CATALOG_QUESTION = "How much is Introduction to Generative AI?"
BARE_QUESTION = "hello"
PHRASINGS = ("How much is {}?", "what does {} cost", "How long does {} take?", "is {} online?")
LEAD_INS = ("", "Hi, ", "One more question: ")


def post(url: str, sender: str, message: str) -> float:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read())
    elapsed = time.perf_counter() - started
    if not replies:
        raise RuntimeError(f"no reply to {message!r}")
    return elapsed


def measure(url: str, messages: Callable[[], str], users: int, requests_per_user: int) -> List[float]:
    """Each simulated user sends its messages one after another; users run concurrently."""
    def one_user(_: int) -> List[float]:
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        return [post(url, sender, messages()) for _ in range(requests_per_user)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=users) as pool:
        return [t for times in pool.map(one_user, range(users)) for t in times]


def percentile(values: List[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(fraction * 100) - 1]


def _group_stats(group: int) -> Iterator[Path]:
    """/proc/<pid>/stat of every process in a process group (a service and its children)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == group:  # after state and parent
                yield stat
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in a process group, in MB."""
    total_kb = 0
    for stat in _group_stats(group):
        try:
            total_kb += sum(int(line.split()[1]) for line in stat.with_name("status").read_text().splitlines()
                            if line.startswith("VmRSS:"))
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024


def group_cpu_seconds(group: int) -> float:
    """User and system CPU time of every process in a process group."""
    ticks = 0
    for stat in _group_stats(group):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def new_texts() -> Callable[[], str]:
    """Catalog questions about every program of the shipped catalog, no text twice."""
    catalog = yaml.safe_load((ROOT / "catalog_db" / "seed" / "catalog.yml").read_text())
    texts = iter([lead + phrasing.format(program["name"]) for lead in LEAD_INS for phrasing in PHRASINGS
                  for program in catalog["programs"]])
    return lambda: next(texts)  # next() on one iterator from many threads: each text goes out once


@dataclass
class Load:
    """What one assistant did under one load level, over every round."""

    latencies: List[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0

    def add(self, latencies: List[float], seconds: float, cpu: float) -> None:
        self.latencies += latencies
        self.seconds += seconds
        self.cpu += cpu

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_per_reply(self) -> float:
        return self.cpu / len(self.latencies)

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


@dataclass
class Assistant:
    label: str
    url: str
    messages: Callable[[], str]
    groups: Sequence[int]  # process groups whose CPU time a reply costs

    def run(self, load: Load, users: int, per_user: int) -> None:
        post(self.url, f"warm-{uuid.uuid4().hex[:8]}", self.messages())
        before = sum(group_cpu_seconds(g) for g in self.groups)
        started = time.perf_counter()
        latencies = measure(self.url, self.messages, users, per_user)
        seconds = time.perf_counter() - started
        load.add(latencies, seconds, sum(group_cpu_seconds(g) for g in self.groups) - before)


def start_bare_assistant(workdir: Path) -> Tuple[str, Callable[[], None], int]:
    """`rasa init` in a new folder, trained, served on a free port; returns its URL, a stop function
    and its process group."""
    rasa = str(ROOT / ".venv" / "bin" / "rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    workdir.mkdir(parents=True)  # `rasa init` wants the folder to exist
    subprocess.run([rasa, "init", "--no-prompt", "--init-dir", str(workdir)], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir.parent)
    port = free_port()
    process = subprocess.Popen([rasa, "run", "--port", str(port)], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/webhooks/rest/")

    def stop() -> None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    return url, stop, process.pid


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests of the single user, each round")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--per-user", type=int, default=5, help="requests per concurrent user, each round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each assistant's order alternating")
    args = parser.parse_args()
    levels = (("1 user", 1, args.requests), (f"{args.users} users", args.users, args.per_user))
    print(f"load average before: {load_average()}", file=sys.stderr)

    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        ours = Stack(scratch_path).start()  # the desk runs, as `make run` starts it
        bare_url, stop_bare, bare_group = start_bare_assistant(scratch_path / "bare")
        try:
            our_groups = (ours.rasa.pid(), ours.actions.pid())
            assistants = [Assistant("ours", ours.url, lambda: CATALOG_QUESTION, our_groups),
                          Assistant("bare", bare_url, lambda: BARE_QUESTION, (bare_group,))]
            fresh = Assistant("ours, new texts", ours.url, new_texts(), our_groups)
            results: Dict[Tuple[str, str], Load] = {}
            desk_cpu = group_cpu_seconds(ours.web.pid())
            for round_number in range(args.rounds):
                order = assistants if round_number % 2 == 0 else assistants[::-1]
                for (label, users, per_user), assistant in itertools.product(levels, order):
                    assistant.run(results.setdefault((assistant.label, label), Load()), users, per_user)
                    print(f"round {round_number + 1}, {assistant.label}, {label}: done", file=sys.stderr)
            for label, users, per_user in levels:
                fresh.run(results.setdefault((fresh.label, label), Load()), users, per_user)
            desk_cpu = group_cpu_seconds(ours.web.pid()) - desk_cpu
            memory = {"Rasa": group_rss_mb(ours.rasa.pid()), "action server": group_rss_mb(ours.actions.pid()),
                      "desk": group_rss_mb(ours.web.pid()), "bare rasa init": group_rss_mb(bare_group)}
        finally:
            stop_bare()
            ours.stop()

    print_results(results, levels, args.rounds)
    print(f"the desk's CPU during the run: {desk_cpu:.1f} s")
    print("resident memory after the run: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))
    print(f"load average before: see above; after: {load_average()} (2 cores)")
    return 0


def print_results(results: Dict[Tuple[str, str], Load], levels: Sequence[Tuple[str, int, int]], rounds: int) -> None:
    print(f"Catalog question {CATALOG_QUESTION!r} (ours: SQLite tracker store, the desk running) against "
          f"{BARE_QUESTION!r} to a bare `rasa init`; {rounds} rounds.")
    print(f"{'load':<10}{'assistant':<17}{'p50':>9}{'p95':>9}{'replies/s':>11}{'CPU/reply':>11}")
    for label, _, _ in levels:
        for name in ("ours", "bare", "ours, new texts"):
            load = results[(name, label)]
            print(f"{label:<10}{name:<17}{load.p(0.5) * 1000:>7.0f}ms{load.p(0.95) * 1000:>7.0f}ms"
                  f"{load.throughput:>11.1f}{load.cpu_per_reply * 1000:>9.1f}ms")
    print("ours / bare (aim: p95 at most 1.00, replies/s at least 1.00 at the top load, CPU per reply at most 1.00):")
    for name in ("ours", "ours, new texts"):
        for label, _, _ in levels:
            mine, bare = results[(name, label)], results[("bare", label)]
            print(f"  {name:<17}{label:<10} p95 x{mine.p(0.95) / bare.p(0.95):.2f}   "
                  f"replies/s x{mine.throughput / bare.throughput:.2f}   "
                  f"CPU/reply x{mine.cpu_per_reply / bare.cpu_per_reply:.2f}")


if __name__ == "__main__":
    sys.exit(main())
