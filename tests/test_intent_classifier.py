"""The intent classifier answers for every message, with words or without."""
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import WordSafeLogisticRegressionClassifier


def counted(text: str, intent: str = None) -> Message:
    """A message with the sentence-level word counts a CountVectorsFeaturizer would give it."""
    message = Message(data={TEXT: text, **({"intent": intent} if intent else {})})
    counts = np.array([[text.count("hi"), text.count("cost")]], dtype=float)
    message.add_features(Features(scipy.sparse.coo_matrix(counts), "sentence", TEXT, "counts"))
    return message


def test_a_message_without_words_gets_no_intent_and_the_others_are_classified(tmp_path):
    classifier = WordSafeLogisticRegressionClassifier.create(
        {**WordSafeLogisticRegressionClassifier.get_default_config(), "random_state": 7},
        LocalModelStorage(tmp_path), Resource("classifier"), ExecutionContext({}, "node"))
    classifier.train(TrainingData([counted("hi", "greet"), counted("hi hi", "greet"),
                                   counted("cost", "ask_cost"), counted("cost cost", "ask_cost")]))
    blank, greeting = Message(data={TEXT: "   "}), counted("hi there")
    classifier.process([blank, greeting])
    assert blank.get("intent") == {"name": None, "confidence": 0.0} and blank.get("intent_ranking") == []
    assert greeting.get("intent")["name"] == "greet"
