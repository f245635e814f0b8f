"""What issue 9's limits cost and save: over-long messages, and sign-in guessing beside normal use.

Starts the stack as `make run` does and prints:
- the reply time and Rasa's memory growth for one 2,000-character and one 48 KB REST message;
- the time a catalog question (REST) and the desk's sign-in page take alone, and while 40 wrong
  sign-ins run in parallel (from 40 loopback addresses, so no per-address throttle helps).
Run: `.venv/bin/python -m bench.security`. For the numbers before the fix, copy this file into a
checkout of the older commit and run it there with PYTHONPATH set to that checkout.
"""
import concurrent.futures
import functools
import json
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Tuple

from bench.latency import group_rss_mb
from tests.e2e import chat_support
from tests.e2e.stack import Stack

QUESTION = "How much is Introduction to Generative AI?"
SENTENCE = "I work full time and wonder whether a certificate in project management fits my week. "
GUESSES = 40


# The requests of the tests, given longer: before the limits a 48 KB message took 36 s.
fetch = functools.partial(chat_support.fetch, timeout=120)


def ask(stack: Stack, message: str) -> Tuple[float, str]:
    body = json.dumps({"sender": f"bench-{uuid.uuid4().hex[:8]}", "message": message}).encode()
    started = time.perf_counter()
    status, _, reply = fetch(f"{stack.url}/webhooks/rest/webhook", "POST", body, {"Content-Type": "application/json"})
    elapsed = time.perf_counter() - started
    texts = " ".join(m.get("text", "") for m in json.loads(reply or b"[]")) if status == 200 else f"HTTP {status}"
    return elapsed, texts


def rasa_group(stack: Stack) -> int:
    """The process group of Rasa (supervisord starts each service in its own; older code, run.sh's)."""
    pid = getattr(stack.rasa, "pid", None)
    return pid() if callable(pid) else stack.rasa.process.pid


def wrong_sign_in(stack: Stack, source: str) -> int:
    _, headers, page = fetch(f"{stack.web_url}/desk/login", source=source)
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
    form = f"username=nobody-{uuid.uuid4().hex[:6]}&password=wrong-guess-123&csrf={csrf}".encode()
    return fetch(f"{stack.web_url}/desk/login", "POST", form,
                 {"Content-Type": "application/x-www-form-urlencoded",
                  "Cookie": headers["Set-Cookie"].split(";", 1)[0]}, source=source)[0]


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start()
        try:
            ask(stack, QUESTION)  # warm-up
            print(f"{'message':<24} {'reply time':>11} {'Rasa memory growth':>19}  reply")
            for label, length in (("2,000 characters", 2000), ("48 KB", 48_000)):
                message = (SENTENCE * (length // len(SENTENCE) + 1))[:length]
                before = group_rss_mb(rasa_group(stack))
                elapsed, reply = ask(stack, message)
                time.sleep(1)
                grown = group_rss_mb(rasa_group(stack)) - before
                print(f"{label:<24} {elapsed:>10.2f}s {grown:>16.0f} MB  {reply[:60]!r}")
            print(f"Rasa resident memory now: {group_rss_mb(rasa_group(stack)):.0f} MB")

            alone_question = min(timed(lambda: ask(stack, QUESTION)) for _ in range(3))
            alone_page = min(timed(lambda: fetch(f"{stack.web_url}/desk/login")) for _ in range(3))
            with concurrent.futures.ThreadPoolExecutor(GUESSES) as pool:
                guesses = [pool.submit(wrong_sign_in, stack, f"127.0.2.{n + 1}") for n in range(GUESSES)]
                time.sleep(0.2)
                with concurrent.futures.ThreadPoolExecutor(2) as probes:
                    question = probes.submit(timed, lambda: ask(stack, QUESTION))
                    page = probes.submit(timed, lambda: fetch(f"{stack.web_url}/desk/login"))
                    loaded_question, loaded_page = question.result(), page.result()
                started = time.perf_counter()
                statuses = [guess.result() for guess in guesses]
                guessing = time.perf_counter() - started
            print(f"{'':<24} {'alone':>8} {f'during {GUESSES} wrong sign-ins':>28}")
            print(f"{'catalog question (REST)':<24} {alone_question:>7.2f}s {loaded_question:>27.2f}s")
            print(f"{'desk sign-in page':<24} {alone_page:>7.2f}s {loaded_page:>27.2f}s")
            print(f"the wrong sign-ins answered {sorted(set(statuses))}, the last {guessing:.2f} s after the probes")
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
