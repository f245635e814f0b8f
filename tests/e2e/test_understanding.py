"""Understanding of messages nobody trained on, through the REST channel, judged as bench/understanding.py does.

The sets are held out (tests/heldout, the part of the real off-topic corpus left out of training,
the measured half of another team's phrasings); these tests hold the assistant to a floor, the
bench prints every number and miss.
"""
import pytest

from bench import heldout
from bench.understanding import play_all, run_all

OFFTOPIC_SAMPLE = 300
SEED = 300


@pytest.fixture(scope="module")
def trained():
    return heldout.trained_texts()


@pytest.fixture(scope="module")
def catalog():
    return heldout.load_catalog()


def test_real_off_topic_messages_are_declined_and_never_page_a_coach_or_quote_a_price(stack, trained):
    rows = heldout.seeded_sample(heldout.offtopic_heldout(heldout.hwu64_rows(), trained), OFFTOPIC_SAMPLE, SEED)
    turns = run_all(stack, [[text] for _, text in rows], workers=4)
    missed = [(text, turn.responses) for (_, text), turn in zip(rows, turns) if not turn.declined]
    assert len(turns) - len(missed) >= 0.95 * len(turns), missed
    for flag in ("handoff", "price", "questionnaire"):
        assert not [text for (_, text), turn in zip(rows, turns) if turn.flags()[flag]], flag


@pytest.mark.parametrize("name, floor", [("in_domain", 0.93), ("small_talk", 0.93)])
def test_unseen_phrasings_are_answered_right(stack, trained, catalog, name, floor):
    cases = [case for part in ("dev", "test")
             for case in heldout.split_trained(heldout.heldout_cases(f"{part}/{name}"), trained)[0]]
    turns = run_all(stack, [[*case.get("before", []), case["text"]] for case in cases], workers=4)
    misses = [f"{case['text']!r}: expected {heldout.describe(heldout.expectations(case)[0])}, got {turn.responses}"
              for case, turn in zip(cases, turns) if not heldout.judge(heldout.expectations(case)[0], turn, catalog)]
    share = 1 - len(misses) / len(cases)
    print(f"{name}: {share:.1%} of {len(cases)} answered right")
    assert share >= floor, "\n".join(misses)


def test_conversations_follow_up_on_what_was_said(stack, catalog):
    """References, follow-ups, the questionnaire and two questions in one message, each turn in its context."""
    conversations = heldout.heldout_cases("conversations/test")
    played = play_all(stack, conversations, workers=4)
    judged, misses = 0, []
    for conversation, turns in zip(conversations, played):
        context = heldout.Context()
        for case, turn in zip(conversation["turns"], turns):
            if "expect" in case:
                judged += 1
                if not all(heldout.judge(e, turn, catalog, context) for e in heldout.expectations(case)):
                    misses.append(f"{conversation['id']}: {case['text']!r} got {turn.responses}")
            context = context.after(turn, catalog)
    share = 1 - len(misses) / judged
    print(f"conversations: {share:.1%} of {judged} turns answered right")
    assert share >= 0.93, "\n".join(misses)


def test_other_teams_phrasings_are_answered_in_their_family_and_almost_never_refused(stack):
    rows = heldout.other_teams_measured()
    turns = run_all(stack, [[row["text"]] for row in rows], workers=4)
    wrong = [f"{row['text']!r} ({row['label']}) got {turn.responses}" for row, turn in zip(rows, turns)
             if not heldout.answered_in_family(row["label"], turn)]
    refused = [row["text"] for row, turn in zip(rows, turns) if heldout.refused(turn) and row["label"] != "off_domain"]
    assert len(wrong) <= 0.05 * len(rows), "\n".join(wrong)
    # Issue 14 aims at 1 %; 5.3 % is where it stands (README.md, Understanding): the floor keeps it there.
    assert len(refused) <= 0.06 * len(rows), refused
