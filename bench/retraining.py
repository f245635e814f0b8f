"""Training from the desk beside `make train`, and chat latency while a desk training runs.

1. `make train`'s command, from an empty training cache: wall time and peak resident memory.
2. A stack as `make run` starts it (its own empty training cache): 40 catalog questions from one
   user, one after another (p50/p95); then an admin's "Train now", and the same questions again
   while it trains and while it checks the model; the job's own figures (training time and peak
   memory, the check's time, the whole job's peak).

Run: `.venv/bin/python -m bench.retraining` (about 10 minutes: two trainings and one held-out check).
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

from bench.latency import CATALOG_QUESTION, percentile, post
from bot.retraining import status
from tests.e2e.people import Coach
from tests.e2e.stack import ROOT, Stack

QUESTIONS = 40


def make_train(cache: Path) -> Dict[str, float]:
    """`make train`'s command (Makefile) with an empty training cache, in a child process of its own."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "train", "--fixed-model-name", "advisor", "--out", out,
                        "--domain", "domain"], cwd=ROOT / "bot", check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": str(cache)})
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def latencies(stack: Stack, count: int) -> List[float]:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    return [post(stack.url, sender, CATALOG_QUESTION) for _ in range(count)]


def stage(admin: Coach) -> str:
    return re.search(r'data-stage="(\w+)"', admin.get("/training")).group(1)


def while_in(stack: Stack, admin: Coach, wanted: str) -> List[float]:
    """Questions one after another for as long as the job is in that stage, QUESTIONS to a conversation as
    without a training (a conversation of hundreds of turns is slower to load whatever runs beside it)."""
    times: List[float] = []
    while stage(admin) == wanted:
        times.extend(latencies(stack, QUESTIONS))
    return times


def show(label: str, times: List[float], base: float = 0.0) -> None:
    if len(times) < 2:
        print(f"  {label:<34} too few replies ({len(times)})")
        return
    p95 = percentile(times, 0.95)
    ratio = f"  p95 x{p95 / base:.2f}" if base else ""
    print(f"  {label:<34} n={len(times):>4}  p50 {percentile(times, 0.5) * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-make-train", action="store_true", help="only the desk's side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        baseline = None if args.skip_make_train else make_train(work / "make-cache")
        if baseline:
            print(f"make train (empty cache): {baseline['seconds']:.0f} s, peak {baseline['peak_mb']:.0f} MB")
        stack = Stack(work / "stack", extra_env={"RASA_CACHE_DIRECTORY": str(work / "desk-cache")}).start()
        try:
            admin = Coach.created_on(stack, "bench-admin", admin=True)
            latencies(stack, 5)  # warm up
            quiet = latencies(stack, QUESTIONS)
            admin.post("/training", csrf=admin.csrf(admin.get("/training")))
            training = while_in(stack, admin, "training")
            checking = while_in(stack, admin, "checking")
            while stage(admin) in ("training", "checking"):
                time.sleep(2)
            job = status.read(sorted((Path(stack.env["MODEL_STORE_DIR"]) / "jobs").iterdir())[-1])
        finally:
            stack.stop()
    print(f"desk training: ended {job['stage']}; training {job['train_seconds']:.0f} s, peak "
          f"{job['train_peak_mb']:.0f} MB; held-out check {job.get('check_seconds', 0):.0f} s "
          f"({job.get('checked', 0)} messages); the whole job's peak {job.get('peak_mb', 0):.0f} MB")
    if baseline:
        print(f"  beside make train: time x{job['train_seconds'] / baseline['seconds']:.2f}, "
              f"peak memory x{job['train_peak_mb'] / baseline['peak_mb']:.2f} (aim: at most x1.10)")
    print("chat at 1 user, the catalog question:")
    base = percentile(quiet, 0.95)
    show("no training", quiet)
    show("while the desk trains", training, base)
    show("while the desk checks the model", checking, base)
    print("  (aim: p95 at most x2.00)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
