"""`TextingNormalizer`: texting spellings written out before anything reads the message.

People type on phones: "hw much", "wat r the reqs", "do u have evening classes", "cost n length?".
Word and letter counts, the tagger and the sentence vector learn the words they were shown, so one
shortening nobody wrote into the training data ("hw") made "hw much" read as "thanks". These
shortenings are a small closed set, written out here once for training and for every message, so
the models see one spelling. Entity positions of training examples are moved with the words.
"""
import re
from typing import Any, Callable, Dict, List, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Shortenings with no other sense in a message to us ("hr" is human resources, "rn" a registered nurse).
SPELLINGS: Dict[str, str] = {
    "hw": "how", "hws": "how's", "wat": "what", "wut": "what", "wht": "what", "wot": "what", "wats": "what's",
    "u": "you", "ur": "your", "abt": "about", "bout": "about", "bc": "because", "cuz": "because", "coz": "because",
    "b4": "before", "tmrw": "tomorrow", "2day": "today", "btw": "by the way",
    "idk": "i don't know", "dunno": "don't know", "wanna": "want to", "gonna": "going to", "gotta": "have to",
    "cud": "could", "cld": "could", "wud": "would", "wld": "would", "shud": "should", "cn": "can", "n": "and",
    "w/": "with", "w/o": "without", "yr": "year", "yrs": "years", "hrs": "hours", "wk": "week",
    "wks": "weeks", "mins": "minutes", "tht": "that", "thn": "than", "ppl": "people", "sum1": "someone",
    "some1": "someone", "any1": "anyone", "ne1": "anyone", "uni": "university", "dept": "department",
    "prog": "program", "progs": "programs", "pls": "please", "plz": "please", "thx": "thanks", "thnx": "thanks",
    "ty": "thank you", "nvm": "never mind", "tbh": "to be honest", "imo": "in my opinion", "asap": "as soon as possible",
}
# "r" is "are" only beside the words it joins ("what r the fees", "r u online"): alone it can be the
# language R ("an r course").
_ARE = re.compile(r"\b(?:what|how|where|when|who|which|why|u|you|they|we|there|these|those) (r)\b"
                  r"|\b(r)(?= (?:u|you|they|we|there|these|those|the|any|all)\b)", re.IGNORECASE)
# "rn" is "right now" as a message's last word ("whats on offer rn"); "an rn", "rn to bsn" are a nurse.
_RIGHT_NOW = re.compile(r"(?<![\w'])rn(?=[\s?!.]*$)", re.IGNORECASE)
_NURSE_BEFORE = re.compile(r"\b(?:a|an|the|for|to|of|as|become|becoming|im|i'm)\s+$", re.IGNORECASE)
_WORD = re.compile(r"(?<![\w/'])(?:" + "|".join(sorted((re.escape(word) for word in SPELLINGS), key=len, reverse=True))
                   + r")(?![\w/'])(?!\.\s*\w\.)", re.IGNORECASE)  # "u. s. d." is an abbreviation


def written_out(text: str) -> Tuple[str, Callable[[int], int]]:
    """The text with its texting spellings written out, and where each old position lands in it."""
    edits: List[Tuple[int, int, str]] = [(match.start(), match.end(), SPELLINGS[match.group(0).lower()])
                                         for match in _WORD.finditer(text)]
    edits += [(match.start(group), match.end(group), "are") for match in _ARE.finditer(text)
              for group in (1, 2) if match.group(group)]
    edits += [(match.start(), match.end(), "right now") for match in _RIGHT_NOW.finditer(text)
              if not _NURSE_BEFORE.search(text[:match.start()])]
    edits.sort()
    pieces, shifts, position = [], [], 0
    for start, end, replacement in edits:
        if start < position:
            continue  # overlapping edits: the first wins
        pieces += [text[position:start], replacement]
        shifts.append((end, len(replacement) - (end - start)))
        position = end
    pieces.append(text[position:])

    def moved(offset: int) -> int:
        return offset + sum(shift for end, shift in shifts if end <= offset)

    return "".join(pieces), moved


def _write_out(message: Message) -> None:
    text = message.get(TEXT)
    if not text:
        return
    new_text, moved = written_out(text)
    if new_text == text:
        return
    entities: List[Dict[str, Any]] = []
    for entity in message.get(ENTITIES) or []:
        start, end = moved(entity[ENTITY_ATTRIBUTE_START]), moved(entity[ENTITY_ATTRIBUTE_END])
        value = entity.get(ENTITY_ATTRIBUTE_VALUE)
        same_words = value == text[entity[ENTITY_ATTRIBUTE_START]:entity[ENTITY_ATTRIBUTE_END]]
        entities.append({**entity, ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end,
                         ENTITY_ATTRIBUTE_VALUE: new_text[start:end] if same_words else value})
    message.set(TEXT, new_text)
    if entities:
        message.set(ENTITIES, entities)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextingNormalizer(GraphComponent):
    """First in the pipeline: every message and training example with its shortenings written out."""

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextingNormalizer":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            _write_out(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            _write_out(example)
        return training_data
