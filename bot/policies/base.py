"""What our policies share: they read the conversation and are never trained."""
from abc import abstractmethod
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class UntrainedPolicy(Policy):
    """A policy whose predictions follow from the conversation alone: training learns nothing."""

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource


class ReplyThenListenPolicy(UntrainedPolicy):
    """For a message it recognises, predicts one reply; after that reply, listens."""

    @abstractmethod
    def reply(self, tracker: DialogueStateTracker) -> Optional[str]:
        """The action answering the latest message, or None when this policy has nothing to say."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        reply = self.reply(tracker)
        if reply and tracker.latest_action_name == ACTION_LISTEN_NAME:
            probabilities[domain.index_for_action(reply)] = 1.0
        elif reply and tracker.latest_action_name == reply:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0  # the reply ends the turn
        return self._prediction(probabilities)
