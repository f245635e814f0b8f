"""Questions of one message, and the frame's round trip through parse data."""
import pytest

from bot.understanding import clauses
from bot.understanding.frame import Frame, Reference
from bot.understanding.lexicon import Superlative


@pytest.mark.parametrize("text, questions", [
    ("how much is it and is it online?", ["how much is it", "is it online"]),
    ("is the digital evidence course online, also can micro credentials be stacked",
     ["is the digital evidence course online", "can micro credentials be stacked"]),
    ("what's the difference between a certificate and a degree", None),   # one question
    ("I'm into AI, what have you got?", None),                           # says something, asks one thing
    ("tell me about gen ai and cad", None),
    ("how much? how long? is it online? who is it for?", ["how much", "how long", "is it online"]),
    ("price and duration of the cad course", ["price of the cad course", "duration of the cad course"]),
    ("cost + format for gis", ["cost for gis", "format for gis"]),
    ("compare cost and length of the two", None),                         # one comparison
    ("time and money are tight", None),
])
def test_questions(text, questions):
    assert clauses.questions(text) == (questions or [text])


def test_the_frame_survives_parse_data():
    frame = Frame(text="how much is the 2nd one", intent="ask_cost", fact="cost", programs=(("a", "b"),),
                  kinds=("certificate",), superlative=Superlative("cost", False),
                  reference=Reference("the 2nd one", ordinal=2), situation={"budget": {"usd": 100}})
    assert Frame.of({"frame": frame.as_dict()}) == frame
    assert frame.program_slugs == ["a", "b"]


def test_a_button_payload_has_a_frame_of_its_intent_alone():
    frame = Frame.of({"text": "/ask_cost", "intent": {"name": "ask_cost", "confidence": 1.0}})
    assert (frame.intent, frame.fact, frame.verdict) == ("ask_cost", "cost", "answer")


def test_questions_of_a_message():
    one = {"frame": Frame(text="hi", intent="greet").as_dict()}
    assert [f.intent for f in Frame.questions_of(one)] == ["greet"]
    two = {**one, "questions": [Frame(intent="ask_cost").as_dict(), Frame(intent="ask_format").as_dict()]}
    assert [f.intent for f in Frame.questions_of(two)] == ["ask_cost", "ask_format"]
