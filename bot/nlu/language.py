"""A small, dependency-free guess at whether a message is written in English.

The assistant only speaks English; a message in another language gets a clear answer instead
of a guess at its meaning (the classifier happily maps Spanish onto English intents).
"""
import re
from typing import Optional

ENGLISH = frozenset(
    "the a an is are was be to of and or in on for with what how much who can do does i you my me it this "
    "that which when where why your there have has need want about course courses program cost price".split()
)
# Short, frequent words of the languages learners most often write in here.
OTHER = frozenset(
    # Spanish / Portuguese
    "el la los las un una es son de del que qué cuánto cuanto cuesta cómo como para por con en y o mi "
    "curso cursos programa precio quiero puedo tengo hola gracias não sim você quanto custa é "
    # French
    "le les des est et ou je vous tu combien coûte cours pour avec dans une qui quoi bonjour merci "
    # German / Italian
    "der die das ist und oder ich sie wie viel kostet kurs mit für ein eine nicht il lo gli è di che quanto costa corso".split()
)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def non_english(text: Optional[str]) -> bool:
    """True when the text is most likely in another language than English."""
    if not text:
        return False
    letters = LETTER.findall(text)
    if not letters:
        return False  # emoji, numbers, punctuation: not a language question
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if latin / len(letters) < 0.5:
        return True  # mostly Chinese, Arabic, Cyrillic... script
    if "¿" in text or "¡" in text:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(word in ENGLISH for word in words)
    other = sum(word in OTHER and word not in ENGLISH for word in words)
    return other >= 2 and other > english
