"""Reply latency through the REST channel: our catalog answer against a bare `rasa init` assistant.

Starts our stack (action server + Rasa, as `make run` does, with its SQL tracker store; the desk
stopped) and a bare `rasa init` assistant (in-memory store) from the same virtual environment,
then sends the same load to both and prints p50/p95 and ratios.
Run: `make bench` (or `.venv/bin/python -m bench.latency`).
"""
import argparse
import concurrent.futures
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
from pathlib import Path
from typing import Callable, List, Tuple

from tests.e2e.stack import ROOT, Stack, free_port, wait_for

CATALOG_QUESTION = "How much is Introduction to Generative AI?"
BARE_QUESTION = "hello"


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


def measure(url: str, message: str, users: int, requests_per_user: int) -> List[float]:
    """Each simulated user sends its messages one after another; users run concurrently."""
    def one_user(_: int) -> List[float]:
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        return [post(url, sender, message) for _ in range(requests_per_user)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=users) as pool:
        return [t for times in pool.map(one_user, range(users)) for t in times]


def percentile(values: List[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(fraction * 100) - 1]


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in a process group (a service and its children), in MB."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:  # the field after state and parent: the process group
                continue
            for line in status.with_name("status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return total_kb / 1024


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests for the single user")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--per-user", type=int, default=5, help="requests per concurrent user")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        ours = Stack(scratch_path).start()
        # Rasa's own cost only: the desk folds new conversations into its analytics every 5 s on
        # the same two cores, which the bare assistant has no counterpart for (as in bench/scale.py).
        ours.web.stop()
        bare_url, stop_bare, bare_group = start_bare_assistant(scratch_path / "bare")
        try:
            rows = []
            for label, users, count in (("1 user", 1, args.requests), (f"{args.users} users", args.users, args.per_user)):
                post(ours.url, "warm-up", CATALOG_QUESTION)
                post(bare_url, "warm-up", BARE_QUESTION)
                mine = measure(ours.url, CATALOG_QUESTION, users, count)
                bare = measure(bare_url, BARE_QUESTION, users, count)
                rows.append((label, mine, bare))
            memory = {"Rasa": group_rss_mb(ours.rasa.pid()), "action server": group_rss_mb(ours.actions.pid()),
                      "bare rasa init": group_rss_mb(bare_group)}
        finally:
            stop_bare()
            ours.stop()

    print(f"{'load':<10} {'catalog p50':>12} {'catalog p95':>12} {'bare p50':>10} {'bare p95':>10} {'p95 ratio':>10}")
    for label, mine, bare in rows:
        p50, p95 = percentile(mine, 0.5) * 1000, percentile(mine, 0.95) * 1000
        b50, b95 = percentile(bare, 0.5) * 1000, percentile(bare, 0.95) * 1000
        print(f"{label:<10} {p50:>10.0f}ms {p95:>10.0f}ms {b50:>8.0f}ms {b95:>8.0f}ms {p95 / b95:>10.2f}")
    print("aim: p95 ratio at most 1.30 (catalog answer = NLU + action server + database)")
    print("resident memory after the load: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
