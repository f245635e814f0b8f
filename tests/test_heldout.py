"""The held-out sets stay held out."""
from bench import heldout

SINGLE_MESSAGE_SETS = ("dev/in_domain", "dev/small_talk", "test/in_domain", "test/small_talk", "test/off_topic",
                       "fresh/in_domain", "fresh/off_topic_lookalikes", "devsets/in_domain_other_voices",
                       "devsets/off_topic_lookalikes")


def held_out_texts():
    for name in SINGLE_MESSAGE_SETS:
        yield from (case["text"] for case in heldout.heldout_cases(name))
    for name in ("conversations/dev", "conversations/test", "devsets/conversations"):
        yield from (turn["text"] for conversation in heldout.heldout_cases(name) for turn in conversation["turns"])
    yield from (row["text"] for row in heldout.other_teams_measured())


SHORT = 4  # words: "thanks a lot", "who won the game last night" is not


def test_no_held_out_sentence_is_in_training():
    """A held-out message found in bot/data measures nothing. Short everyday ones ("thanks a lot",
    "hi there") are bound to be written by both sides; the bench leaves those out of its counts
    (bench/heldout.py, split_trained). A longer one in both means one was copied."""
    trained = heldout.trained_texts()
    copied = [text for text in held_out_texts() if heldout.normalized(text) in trained and len(text.split()) > SHORT]
    assert not copied


def test_the_other_team_s_split_is_fixed_and_disjoint():
    rows = heldout.other_teams_rows("ugenie_glasgow")
    learn, measure = heldout.other_teams_split(rows)
    assert len(learn) + len(measure) == len(rows) and not {r["text"] for r in learn} & {r["text"] for r in measure}
    assert heldout.other_teams_split(list(reversed(rows))) == (learn, measure)  # the same however read
