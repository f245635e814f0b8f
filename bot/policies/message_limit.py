"""A message longer than the channels accept is answered with "please shorten that", nothing else.

The input channels (channels/limits.py) replace such a message with the `message_too_long` intent
before Rasa sees it, so neither the NLU pipeline nor a form, a rule or a handoff relay ever gets
the text. This policy answers that intent whatever the conversation is doing, then listens.
"""
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class MessageLimitPolicy(Policy):
    """Predicts the "please shorten that" response for an over-long message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above the handoff policy: an over-long message is not relayed to a coach either.
        return {"priority": 9, "intent": "message_too_long", "response": "utter_message_too_long"}

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        response = self.config["response"]
        too_long = tracker.latest_message and tracker.latest_message.intent.get("name") == self.config["intent"]
        if tracker.latest_action_name == ACTION_LISTEN_NAME and too_long:
            probabilities[domain.index_for_action(response)] = 1.0
        elif tracker.latest_action_name == response:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
