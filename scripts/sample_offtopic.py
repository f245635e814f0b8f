"""Writes the trained sample of real off-topic requests: bot/data/nlu/out_of_scope_hwu64.yml.

A fixed number of requests per hwu64 intent, drawn with a fixed seed, so the sample is the same on
every machine; everything not drawn stays held out for measuring (bench/understanding.py finds
it by leaving out every trained text). Intents about the conversation itself ("yes", "stop",
"say that again") are small talk for this assistant and are never drawn, nor are the "quirky"
remarks addressed to the assistant ("how did your day go", "are you real"): those are greetings
and bot questions here, which the assistant answers rather than declines.

Run: `.venv/bin/python scripts/sample_offtopic.py [--per-intent 40]`
"""
import argparse
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.heldout import CONVERSATIONAL_INTENTS, HWU64, hwu64_rows  # noqa: E402

OUTPUT = ROOT / "bot" / "data" / "nlu" / "out_of_scope_hwu64.yml"
SEED = 8
ADDRESSES_THE_ASSISTANT = re.compile(r"\b(?:you|your|yours|yourself|u|ur)\b")

HEADER = """\
version: "3.1"

# Real requests people wrote for a home assistant: none is about studying, so each gets the
# polite decline. {count} drawn from the HWU64 data set ({per_intent} per intent, seed {seed}) by
# scripts/sample_offtopic.py; the rest is held out to measure declining (bench/understanding.py).
# HWU64: X. Liu, A. Eshghi, P. Swietojanski and V. Rieser, "Benchmarking Natural Language
# Understanding Services for building Conversational Agents" (IWSDS 2019),
# github.com/xliuhw/NLU-Evaluation-Data, CC BY 4.0. Text unchanged.
nlu:
  - intent: out_of_scope
    examples: |
"""


def draw(per_intent: int) -> List[str]:
    by_intent: Dict[str, List[str]] = defaultdict(list)
    for intent, text in hwu64_rows(HWU64):
        if intent in CONVERSATIONAL_INTENTS or (intent == "general_quirky" and ADDRESSES_THE_ASSISTANT.search(text)):
            continue
        by_intent[intent].append(" ".join(text.split()))
    rng = random.Random(SEED)
    drawn: List[str] = []
    for intent in sorted(by_intent):
        texts = sorted(set(by_intent[intent]))
        drawn.extend(rng.sample(texts, min(per_intent, len(texts))))
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-intent", type=int, default=30)
    args = parser.parse_args()
    texts = draw(args.per_intent)
    lines = "".join(f"      - {text}\n" for text in texts)
    OUTPUT.write_text(HEADER.format(count=len(texts), per_intent=args.per_intent, seed=SEED) + lines)
    print(f"wrote {len(texts)} examples to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
