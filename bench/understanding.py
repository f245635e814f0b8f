"""How well the assistant understands messages it was never trained on, through the REST channel.

Starts the stack as `make run` does, sends every held-out message in a conversation of its own
(after its `before` messages, for follow-ups), reads from Rasa's record what the assistant did, and
prints for each set the share answered right and every miss:

- off-topic: a seeded sample of held-out hwu64 requests, and the off-topic messages of
  tests/heldout/test (other assistants' domains): the share declined, the share declined or
  answered as small talk, and how many replies carried a price, a program list, a questionnaire
  start, a phone number, a handoff or a general or program answer;
- conversational hwu64 requests ("yes", "stop", "say that again"): never a domain answer;
- small talk and in-domain phrasings of tests/heldout/dev (looked at while improving the
  assistant) and tests/heldout/test (written later, the fairer measure);
- tests/heldout/fresh: in-domain questions in the voices of other assistants' users, and
  off-topic messages that look like ours ("how much is a flight"), never looked at while working;
  tests/heldout/devsets: sets of the same kinds, written later by another hand, looked at while working;
- multi-turn conversations (tests/heldout/conversations: references, follow-ups, the
  questionnaire, two questions in one message), each turn judged in its conversation;
- other teams' phrasings (../shared/data/indomain, the measured half): answered in the right family,
  and refused ("outside what I can help with", "could you rephrase?").

Run: `make bench-understanding` (or `.venv/bin/python -m bench.understanding`).
"""
import argparse
import collections
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bench import heldout
from bench.heldout import play_all, run_all
from tests.e2e.stack import Stack

AIMS = {"off-topic": 0.97, "small talk": 0.95, "in-domain": 0.97, "conversations": 0.95, "other teams": 0.95}
FLAGS = ("price", "program list", "questionnaire", "phone number", "handoff", "general or program answer")


def conversations_report(label: str, conversations: Sequence[Dict[str, Any]], stack: Stack, workers: int,
                         catalog: Dict[str, heldout.Program]) -> float:
    """Each judged turn in its conversation's context; prints every miss with what came before."""
    played = play_all(stack, conversations, workers)
    right = judged = whole = 0
    per_kind: Dict[str, List[bool]] = collections.defaultdict(list)
    for conversation, turns in zip(conversations, played):
        context, all_right = heldout.Context(), True
        for number, (case, turn) in enumerate(zip(conversation["turns"], turns), 1):
            if "expect" in case:
                results = [heldout.judge(expect, turn, catalog, context) for expect in heldout.expectations(case)]
                judged += 1
                right += all(results)
                all_right &= all(results)
                per_kind[next(iter(heldout.expectations(case)[0]))].append(all(results))
                if not all(results):
                    print(f"   miss {conversation['id']} turn {number} {case['text']!r}: expected "
                          f"{' and '.join(map(heldout.describe, heldout.expectations(case)))}, "
                          f"got {','.join(turn.responses) or '(nothing)'}")
            context = context.after(turn, catalog)
        whole += all_right
    share = right / judged
    print(f"== {label}: {right}/{judged} = {share:.1%} turns answered right; "
          f"{whole}/{len(conversations)} conversations right throughout")
    print("   by kind: " + ", ".join(f"{kind} {sum(r)}/{len(r)}" for kind, r in sorted(per_kind.items())))
    return share


def other_teams_report(label: str, rows: Sequence[Dict[str, Any]], turns: Sequence[heldout.Turn]) -> float:
    """The share answered in the right family and the share refused; prints every miss."""
    right = sum(heldout.answered_in_family(row["label"], turn) for row, turn in zip(rows, turns))
    refused = [row for row, turn in zip(rows, turns) if heldout.refused(turn) and row["label"] != "off_domain"]
    in_domain = sum(row["label"] != "off_domain" for row in rows)
    for row, turn in zip(rows, turns):
        if not heldout.answered_in_family(row["label"], turn):
            print(f"   miss [{row['label']}] {row['text']!r} -> {','.join(turn.responses) or '(nothing)'}")
    print(f"== {label}: {right}/{len(rows)} = {right / len(rows):.1%} answered in the right family; "
          f"{len(refused)}/{in_domain} = {len(refused) / in_domain:.1%} of the in-domain ones refused (aim: at most 1%)")
    return right / len(rows)


def offtopic_report(label: str, rows: Sequence[Tuple[str, str]], turns: Sequence[heldout.Turn],
                    show_misses: bool) -> float:
    """Prints the shares declined and harmless; returns the share declined."""
    declined = sum(turn.declined for turn in turns) / len(turns)
    harmless = sum(turn.harmless for turn in turns) / len(turns)
    counts = collections.Counter(flag for turn in turns for flag, on in turn.flags().items() if on)
    print(f"\n== {label}: {len(turns)} messages, {declined:.1%} declined, "
          f"{harmless:.1%} declined or answered as small talk")
    print("   replies carrying " + ", ".join(f"{flag}: {counts[flag]}" for flag in FLAGS))
    by_response: Dict[str, int] = collections.Counter()
    for (kind, text), turn in zip(rows, turns):
        if not turn.harmless:
            by_response[",".join(turn.responses) or "(nothing)"] += 1
            if show_misses:
                print(f"   miss [{kind}] {text!r} -> {','.join(turn.responses) or '(nothing)'}")
    print("   not harmless, by reply: " + ", ".join(f"{name} {n}" for name, n in by_response.most_common()))
    return declined


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


def fresh_cases(name: str, trained: set) -> List[Dict[str, Any]]:
    cases, shared = heldout.split_trained(heldout.heldout_cases(name), trained)
    if shared:
        print(f"{name}: {len(shared)} phrasings also in training, left out: {sorted(shared)}")
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offtopic", type=int, default=2000, help="held-out hwu64 messages to send")
    parser.add_argument("--conversational", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=4, help="conversations at once")
    parser.add_argument("--sets", nargs="+", choices=("dev", "test"), default=["dev", "test"])
    parser.add_argument("--only", action="append",
                        choices=("offtopic", "smalltalk", "indomain", "fresh", "devsets", "conversations", "otherteams"))
    parser.add_argument("--quiet", action="store_true", help="do not print each off-topic miss")
    args = parser.parse_args()
    kinds = args.only or ["offtopic", "smalltalk", "indomain", "fresh", "devsets", "conversations", "otherteams"]
    trained = heldout.trained_texts()

    results: Dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start()
        try:
            if "offtopic" in kinds:
                rows = heldout.hwu64_rows()
                hwu64 = heldout.seeded_sample(heldout.offtopic_heldout(rows, trained), args.offtopic, args.seed)
                written = [(case["domain"], case["text"]) for case in fresh_cases("test/off_topic", trained)]
                for label, sample in (("off-topic, held-out hwu64", hwu64),
                                      ("off-topic, other assistants' domains (test)", written)):
                    turns = run_all(stack, [[text] for _, text in sample], args.workers)
                    results[label] = offtopic_report(label, sample, turns, show_misses=not args.quiet)
                chatter = heldout.seeded_sample(heldout.conversational_heldout(rows, trained),
                                                args.conversational, args.seed)
                turns = run_all(stack, [[text] for _, text in chatter], args.workers)
                offtopic_report("conversational hwu64 (yes, stop, say again...): never a domain answer",
                                chatter, turns, show_misses=not args.quiet)
            catalog = heldout.load_catalog()
            judged_sets = [(kind, f"{name}/{file}", f"{label} ({name})") for kind, file, label in (
                ("smalltalk", "small_talk", "small talk"), ("indomain", "in_domain", "in-domain")) for name in args.sets]
            judged_sets += [("fresh", "fresh/in_domain", "in-domain (fresh, other assistants' users)"),
                            ("devsets", "devsets/in_domain_other_voices", "in-domain (devsets, other voices)")]
            for kind, name, label in judged_sets:
                if kind in kinds:
                    cases = fresh_cases(name, trained)
                    turns = run_all(stack, [[*c.get("before", []), c["text"]] for c in cases], args.workers)
                    results[label] = judged_report(label, cases, turns, catalog)
            for kind, name in (("fresh", "fresh/off_topic_lookalikes"), ("devsets", "devsets/off_topic_lookalikes")):
                if kind in kinds:
                    label = f"off-topic, lookalikes of ours ({kind})"
                    rows = [(case["domain"], case["text"]) for case in fresh_cases(name, trained)]
                    turns = run_all(stack, [[text] for _, text in rows], args.workers)
                    results[label] = offtopic_report(label, rows, turns, show_misses=True)
            conversation_sets = [(f"conversations/{name}", name) for name in args.sets if "conversations" in kinds]
            conversation_sets += [("devsets/conversations", "devsets")] if "devsets" in kinds else []
            for name, label in conversation_sets:
                label = f"conversations ({label})"
                results[label] = conversations_report(label, heldout.heldout_cases(name), stack, args.workers, catalog)
            if "otherteams" in kinds:
                label = "other teams' phrasings (the measured half)"
                rows = heldout.other_teams_measured()
                turns = run_all(stack, [[row["text"]] for row in rows], args.workers)
                results[label] = other_teams_report(label, rows, turns)
        finally:
            stack.stop()

    print("\nsummary (aim):")
    for label, share in results.items():
        aim = next(value for key, value in AIMS.items() if label.startswith(key))
        print(f"  {label:<48} {share:6.1%}  ({aim:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
