"""Where one message asks several questions: "how much is it and is it online?" is two.

A message is split where a new question starts: after a question mark, or at "and", "also",
"plus" or a comma followed by a question word. Each part must itself start with a question word
and hold two words or more, so "what's the difference between a certificate and a degree" and
"I'm into AI, what have you got?" stay one question. The question words and joining words are a
closed class; what each part asks is read by the whole pipeline again (bot/rasa_server.py).
"""
import re
from typing import List

from bot.understanding.lexicon import FACT_NOUN_PATTERN, facts_named

MAX_QUESTIONS = 3  # a message of more questions gets the first three answered
_QUESTION_START = (r"(?:what|whats|what's|wat|how|hw|who|whos|who's|which|where|when|why|is|are|can|could|do|does"
                   r"|will|would|should|any|tell me|give me|list|show me)\b")
_BOUNDARY = re.compile(r"\?\s*(?=\S)|[,;.]?\s+(?:and also|and then|and|also|plus|oh and|btw|n|\+|&)\s+(?=" + _QUESTION_START + ")"
                       r"|[,;.]\s+(?=" + _QUESTION_START + ")", re.IGNORECASE)


_LEADING_WORDS = r"(?:\s*(?:ok|okay|so|and|but|wait|btw|hey|hi|well|also|oh|hmm|um|sorry|lol|then)\b[\s,.!]*){0,3}"


# A question put after what it is about: "for the fusion 360 class how much".
_ASKED_WITHIN = re.compile(r"\b(?:how much|how long|how many|when does|when do|is it|are they)\b", re.IGNORECASE)


def is_put_as_a_question(text: str) -> bool:
    """"is financial aid available for certificates" and "wait, who won the game" are; "I have two
    kids" is not."""
    return "?" in text or any(re.match(_LEADING_WORDS + r"\s*" + _QUESTION_START, part, re.IGNORECASE)
                              for part in _CLAUSE_BREAK.split(text))


# Where a new clause may start a question of its own: "my cat knocked over my coffee, do you know...".
_CLAUSE_BREAK = re.compile(r"[,;.!]\s+")


# Two facts asked in one breath: "cost and length?", "price + format of the gis cert".
_FACT_PAIR = re.compile(rf"\b({FACT_NOUN_PATTERN})\s*(?:,|and|&|\+|/|n)\s*({FACT_NOUN_PATTERN})\b", re.IGNORECASE)


_COMPARES = re.compile(r"\b(?:compare|comparison|vs|versus|difference|differ|between)\b", re.IGNORECASE)


def questions(text: str) -> List[str]:
    """The questions a message asks, in order; the whole text when it asks one (or none). What is
    said before a question stays with it: "I'm into AI, what do you have" is one question. Two
    facts named together are two questions about the same thing: "cost and length of the cad
    course?" asks "cost of the cad course?" and "length of the cad course?"."""
    asked = _questions(text)
    if len(asked) == 1 and not _COMPARES.search(text):  # "compare cost and length" is one comparison
        pair = _FACT_PAIR.search(text)
        if pair and facts_named(pair.group(1)) != facts_named(pair.group(2)):
            return [text[:pair.start()] + fact + text[pair.end():] for fact in pair.groups()]
    return asked


def _questions(text: str) -> List[str]:
    asked: List[str] = []
    said = ""
    for part in (part.strip(" ?,.;") for part in _BOUNDARY.split(text)):
        if len(part.split()) >= 2 and (re.match(_QUESTION_START, part, re.IGNORECASE) or _ASKED_WITHIN.search(part)):
            asked.append(f"{said}, {part}" if said else part)
            said = ""
        elif part:
            said = f"{said}, {part}" if said else part
    return asked[:MAX_QUESTIONS] if len(asked) > 1 else [text]
