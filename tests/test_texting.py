"""Texting spellings written out before the pipeline reads a message (bot/nlu/texting.py)."""
import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.texting import TextingNormalizer, written_out


@pytest.mark.parametrize("typed, meant", [
    ("hw much", "how much"),
    ("what r u able to answer", "what are you able to answer"),
    ("R u online", "are you online"),
    ("give me ur email", "give me your email"),
    ("cost n length?", "cost and length?"),
    ("price w/o aid", "price without aid"),
    ("what microcreds are on offer rn?", "what microcreds are on offer right now?"),
])
def test_shortenings_are_written_out(typed, meant):
    assert written_out(typed)[0] == meant


@pytest.mark.parametrize("text", ["an r course", "r programming", "rn to bsn", "hr courses", "n/a", "urban planning",
                                  "how much is one u. s. d. in inr", "im an rn", "courses for an rn"])
def test_words_that_only_look_like_shortenings_stay(text):
    assert written_out(text)[0] == text


def test_a_training_example_s_entities_move_with_its_words():
    example = Message(data={TEXT: "hw much is ur welding course", ENTITIES: [
        {"entity": "subject", "value": "welding", "start": 14, "end": 21}]})
    TextingNormalizer().process_training_data(TrainingData(training_examples=[example]))
    entity = example.get(ENTITIES)[0]
    assert example.get(TEXT) == "how much is your welding course"
    assert example.get(TEXT)[entity["start"]:entity["end"]] == entity["value"] == "welding"


def test_a_message_without_shortenings_or_words_is_left_alone():
    messages = [Message(data={TEXT: "how much is the welding course"}), Message(data={TEXT: ""})]
    TextingNormalizer().process(messages)
    assert [m.get(TEXT) for m in messages] == ["how much is the welding course", ""]
