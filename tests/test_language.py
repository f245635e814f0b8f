"""Guessing whether a message is in English."""
import pytest

from bot.nlu.language import non_english


@pytest.mark.parametrize("text", [
    "¿Cuánto cuesta el curso de inteligencia artificial?", "这个课程多少钱", "combien coûte le cours",
    "wie viel kostet der Kurs", "que es un microcredencial", "Сколько стоит курс",
])
def test_other_languages(text):
    assert non_english(text)


@pytest.mark.parametrize("text", [
    "how much is the course", "what is a micro-credential?", "Design for Delight", "🎓🤔💸", "",
    "1 OR 1=1; DROP TABLE programs; --", "is the CAD course in person", "café courses?",
])
def test_english_and_no_language(text):
    assert not non_english(text)
