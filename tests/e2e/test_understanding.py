"""Understanding of messages nobody trained on, through the REST channel, judged as bench/understanding.py does.

The sets are held out (tests/heldout, and the part of the real off-topic corpus left out of
training); these tests hold the assistant to a floor, the bench prints every number and miss.
"""
import pytest

from bench import heldout
from bench.understanding import run_all

OFFTOPIC_SAMPLE = 300
SEED = 300


@pytest.fixture(scope="module")
def trained():
    return heldout.trained_texts()


def test_real_off_topic_messages_are_declined_and_never_page_a_coach_or_quote_a_price(stack, trained):
    rows = heldout.seeded_sample(heldout.offtopic_heldout(heldout.hwu64_rows(), trained), OFFTOPIC_SAMPLE, SEED)
    turns = run_all(stack, [[text] for _, text in rows], workers=4)
    missed = [(text, turn.responses) for (_, text), turn in zip(rows, turns) if not turn.declined]
    assert len(turns) - len(missed) >= 0.95 * len(turns), missed
    for flag in ("handoff", "price", "questionnaire"):
        assert not [text for (_, text), turn in zip(rows, turns) if turn.flags()[flag]], flag


@pytest.mark.parametrize("name, floor", [("in_domain", 0.93), ("small_talk", 0.93)])
def test_unseen_phrasings_are_answered_right(stack, trained, name, floor):
    catalog = heldout.load_catalog()
    cases = [case for part in ("dev", "test")
             for case in heldout.split_trained(heldout.heldout_cases(f"{part}/{name}"), trained)[0]]
    turns = run_all(stack, [[*case.get("before", []), case["text"]] for case in cases], workers=4)
    misses = [f"{case['text']!r}: expected {heldout.describe(heldout.expectations(case)[0])}, got {turn.responses}"
              for case, turn in zip(cases, turns) if not heldout.judge(heldout.expectations(case)[0], turn, catalog)]
    share = 1 - len(misses) / len(cases)
    print(f"{name}: {share:.1%} of {len(cases)} answered right")
    assert share >= floor, "\n".join(misses)

