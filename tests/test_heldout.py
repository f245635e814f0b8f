"""The held-out sets stay held out."""
from bench import heldout


def test_no_held_out_sentence_is_in_training():
    """A held-out message found in bot/data measures nothing. Short everyday ones ("thanks a lot")
    are bound to be written by both sides: the held-out sets were cut of those already trained
    when they were written, and training examples added later that repeat one are left out."""
    trained = heldout.trained_texts()
    copied = [case["text"] for part, name in (("dev", "in_domain"), ("dev", "small_talk"), ("test", "in_domain"),
                                              ("test", "small_talk"), ("test", "off_topic"))
              for case in heldout.heldout_cases(f"{part}/{name}")
              if heldout.normalized(case["text"]) in trained]
    assert not copied
