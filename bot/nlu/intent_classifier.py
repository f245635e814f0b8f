"""Rasa's LogisticRegressionClassifier, made safe for a message with no words at all.

An empty or blank message has no features, and scikit-learn refuses a row of zero columns: the
whole message failed and the learner got no reply. Such a message gets no intent here, which the
FallbackClassifier after it turns into `nlu_fallback` ("could you rephrase that?").
"""
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


def has_words(message: Message) -> bool:
    """Whether the word and letter counts saw anything: every trained row has them."""
    return message.get_sparse_features(TEXT)[1] is not None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WordSafeLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Classifies every message that has words; a message without any gets no intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        with_words = [message for message in messages if has_words(message)]
        if with_words:
            super().process(with_words)
        for message in messages:
            if not has_words(message):
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
