"""`SubjectTagger`: Rasa's CRF entity extractor, learning only from examples someone annotated.

It marks the words naming what a question is about (`subject`: "how much does it cost to study
[biology]", "what are the requirements for [mechatronics]") and the words pointing back at what was
just said (`reference`: "how much is [the second one]", but not the "it" of "does it cost a lot to
study biology"). Which words those are depends on where they stand in the question, which is
what a CRF over the words around each word learns. Beside the lookup tables' words, each word
carries whether it is a word for a course or credential and whether it is of a closed class
(grammar, what is asked, time, format...; lexicon.py): "an [hvac] certification", "what [media]
courses" name their subject, a word of no closed class, just before one.

A subject is known by its place, not by its words: a learner may name any field, so the tagger
also trains on each annotated example with its subject replaced by another (`substitutes` copies,
drawn from the lookup tables' subjects and from made-up words no one types), so that "do you have
a [python] course" is read like "do you have a [welding] course" though only welding was trained.

The real off-topic requests trained as `out_of_scope` (bot/data/nlu/out_of_scope_hwu64.yml) keep
their text as the corpus wrote it, with no annotation: to the CRF they would say that "how much is
the ticket to London" names nothing. They are left out of its training; off-topic examples we
annotated ourselves stay in.
"""
import random
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.understanding import lexicon
from bot.understanding.code_fingerprint import source_fingerprint
from bot.understanding.intents import OUT_OF_SCOPE

PATTERN = "pattern"  # the token attribute Rasa's RegexFeaturizer fills and the CRF reads
STUDY_WORD, CLOSED_CLASS = "study_word", "closed_class"


def annotated_or_in_domain(example: Message) -> bool:
    return example.get(INTENT) != OUT_OF_SCOPE or bool(example.get(ENTITIES))


SUBJECT = "subject"
SUBJECT_LOOKUPS = ("study_field", "everyday_thing")
_SYLLABLES = ("ka", "lo", "mi", "ter", "zan", "bri", "vo", "quel", "nor", "phy", "dex", "tra", "gul", "sen", "ox")


def made_up_subject(rng: random.Random) -> str:
    """A subject no one has typed yet: one to three words of made-up syllables."""
    return " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
                    for _ in range(rng.choice((1, 1, 2, 3))))


def with_subject(example: Message, entity: Dict[str, Any], subject: str) -> Message:
    """The example with one subject's words replaced by `subject`: text, tokens and entities."""
    start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
    text = example.get(TEXT)
    shift = len(subject) - (end - start)
    tokens: List[Token] = []
    for token in example.get(TOKENS_NAMES[TEXT]):
        if token.end <= start:
            tokens.append(token)
        elif token.start >= end:
            tokens.append(Token(token.text, token.start + shift, token.end + shift, dict(token.data)))
    at = start
    for word in subject.split():
        tokens.append(Token(word, at, at + len(word)))
        at += len(word) + 1
    tokens.sort(key=lambda token: token.start)
    entities = []
    for other in example.get(ENTITIES):
        if other is entity:
            other = {**other, ENTITY_ATTRIBUTE_VALUE: subject, ENTITY_ATTRIBUTE_END: start + len(subject)}
        elif other[ENTITY_ATTRIBUTE_START] >= end:
            other = {**other, ENTITY_ATTRIBUTE_START: other[ENTITY_ATTRIBUTE_START] + shift,
                     ENTITY_ATTRIBUTE_END: other[ENTITY_ATTRIBUTE_END] + shift}
        entities.append(other)
    copy = Message(data={**example.data, TEXT: text[:start] + subject + text[end:], TOKENS_NAMES[TEXT]: tokens,
                         ENTITIES: entities}, features=example.features)
    return copy


def substituted(examples: List[Message], pool: List[str], copies: int, rng: random.Random) -> List[Message]:
    """`copies` of each example naming a subject, that subject replaced by another (see the module)."""
    made = []
    for example in examples:
        subjects = [e for e in example.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) == SUBJECT]
        for _ in range(copies if subjects else 0):
            replacement = rng.choice(pool) if pool and rng.random() < 0.5 else made_up_subject(rng)
            made.append(with_subject(example, rng.choice(subjects), replacement))
    return made


def mark_word_classes(messages: List[Message]) -> None:
    for message in messages:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            word = token.text.lower()
            token.set(PATTERN, {**(token.get(PATTERN) or {}), STUDY_WORD: lexicon.names_study([word]),
                                CLOSED_CLASS: lexicon.is_closed_class(word)})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SubjectTagger(CRFEntityExtractor):
    """Trains the CRF on every example but the unannotated off-topic corpus, and on copies of the
    annotated ones with other subjects (see the module)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**CRFEntityExtractor.get_default_config(), "substitutes": 2, "random_seed": 7}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return source_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        annotated = training_data.filter_training_examples(annotated_or_in_domain)
        pool = [str(element) for table in training_data.lookup_tables if table["name"] in SUBJECT_LOOKUPS
                for element in table["elements"]]
        rng = random.Random(self.component_config["random_seed"])
        examples = annotated.training_examples + substituted(
            annotated.training_examples, pool, self.component_config["substitutes"], rng)
        augmented = TrainingData(examples, annotated.entity_synonyms, annotated.regex_features,
                                 annotated.lookup_tables)
        mark_word_classes(augmented.training_examples)
        return super().train(augmented)

    def process(self, messages: List[Message]) -> List[Message]:
        mark_word_classes(messages)
        return super().process(messages)
