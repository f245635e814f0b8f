"""How well the assistant understands messages it was never trained on, through the REST channel.

Starts the stack as `make run` does, sends every held-out message in a conversation of its own
(after its `before` messages, for follow-ups), reads from Rasa's record what the assistant did, and
prints for each set the share answered right and every miss:

- off-topic: a seeded sample of held-out hwu64 requests; the share declined and how many replies
  carried a price, a program list, a questionnaire start, a phone number or a handoff;
- conversational hwu64 requests ("yes", "stop", "say that again"): never a price or a handoff;
- small talk (tests/heldout/small_talk.yml) and in-domain phrasings (tests/heldout/in_domain.yml).

Run: `make bench-understanding` (or `.venv/bin/python -m bench.understanding`).
"""
import argparse
import collections
import concurrent.futures
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bench import heldout
from tests.e2e.stack import Stack

AIMS = {"off-topic declined": 0.97, "small talk": 0.95, "in-domain": 0.95}


def converse(stack: Stack, messages: Sequence[str]) -> heldout.Turn:
    """Send the messages in one new conversation; what the assistant did after the last one."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for message in messages:
        stack.say(sender, message)
    return heldout.last_turn(stack.events(sender))


def run_all(stack: Stack, conversations: Sequence[Sequence[str]], workers: int) -> List[heldout.Turn]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda messages: converse(stack, messages), conversations))


def offtopic_report(label: str, rows: Sequence[Tuple[str, str]], turns: Sequence[heldout.Turn],
                    show_misses: bool) -> float:
    declined = sum(turn.declined for turn in turns)
    counts = collections.Counter(flag for turn in turns for flag, on in turn.flags().items() if on)
    share = declined / len(turns)
    print(f"\n== {label}: {len(turns)} messages, {share:.1%} declined")
    print("   replies carrying " + ", ".join(f"{flag}: {counts[flag]}" for flag in
                                            ("price", "program list", "questionnaire", "phone number", "handoff")))
    if show_misses:
        by_response = collections.Counter()
        for (intent, text), turn in zip(rows, turns):
            if not turn.declined:
                by_response[",".join(turn.responses) or "(nothing)"] += 1
                print(f"   miss [{intent}] {text!r} -> {','.join(turn.responses) or '(nothing)'}")
        print("   misses by reply: " + ", ".join(f"{name} {n}" for name, n in by_response.most_common()))
    return share


def judged_report(label: str, cases: Sequence[Dict[str, Any]], turns: Sequence[heldout.Turn],
                  catalog: Dict[str, heldout.Program]) -> float:
    """Right when the first question is answered; messages asking two are also scored on both."""
    per_kind: Dict[str, List[bool]] = collections.defaultdict(list)
    both: List[bool] = []
    right = 0
    for case, turn in zip(cases, turns):
        expects = heldout.expectations(case)
        results = [heldout.judge(expect, turn, catalog) for expect in expects]
        per_kind[next(iter(expects[0]))].append(results[0])
        right += results[0]
        if len(expects) > 1:
            both.append(all(results))
        if not results[0]:
            before = f"{case['before']} then " if case.get("before") else ""
            print(f"   miss {before}{case['text']!r}: expected {heldout.describe(expects[0])}, "
                  f"got {','.join(turn.responses) or '(nothing)'}")
    share = right / len(cases)
    print(f"== {label}: {right}/{len(cases)} = {share:.1%} answered right")
    print("   by kind: " + ", ".join(f"{kind} {sum(r)}/{len(r)}" for kind, r in sorted(per_kind.items())))
    if both:
        print(f"   two questions in one message: both answered in {sum(both)}/{len(both)}")
    return share


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offtopic", type=int, default=2000, help="held-out off-topic messages to send")
    parser.add_argument("--conversational", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=4, help="conversations at once")
    parser.add_argument("--only", choices=("offtopic", "smalltalk", "indomain"), action="append")
    parser.add_argument("--quiet", action="store_true", help="do not print each off-topic miss")
    args = parser.parse_args()
    sets = args.only or ["offtopic", "smalltalk", "indomain"]

    trained = heldout.trained_texts()
    cases = {}
    for name, file in (("smalltalk", "small_talk"), ("indomain", "in_domain")):
        if name in sets:
            fresh, shared = heldout.split_trained(heldout.heldout_cases(file), trained)
            if shared:
                print(f"{file}: {len(shared)} phrasings also in training, left out: {sorted(shared)}")
            cases[name] = fresh

    results: Dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start()
        try:
            if "offtopic" in sets:
                rows = heldout.hwu64_rows()
                for label, chosen, size in (
                    ("off-topic (held-out hwu64)", heldout.offtopic_heldout(rows, trained), args.offtopic),
                    ("conversational hwu64 (yes, stop, say again...): anything but a domain answer",
                     heldout.conversational_heldout(rows, trained), args.conversational),
                ):
                    sample = heldout.seeded_sample(chosen, size, args.seed)
                    turns = run_all(stack, [[text] for _, text in sample], args.workers)
                    share = offtopic_report(label, sample, turns, show_misses=not args.quiet)
                    results.setdefault("off-topic declined", share)
            catalog = heldout.load_catalog()
            for name, label in (("smalltalk", "small talk"), ("indomain", "in-domain")):
                if name in cases:
                    turns = run_all(stack, [[*c.get("before", []), c["text"]] for c in cases[name]], args.workers)
                    results[label] = judged_report(label, cases[name], turns, catalog)
        finally:
            stack.stop()

    print("\nsummary (aim):")
    for label, share in results.items():
        print(f"  {label:<20} {share:6.1%}  ({AIMS[label]:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
