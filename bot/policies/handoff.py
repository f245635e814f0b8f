"""While a coach has the conversation, every learner message goes to the coach, nothing else."""
from typing import Any, Dict, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.base import UntrainedPolicy
from bot.policies.reply_guard import custom_action_failed_silently


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class HandoffPolicy(UntrainedPolicy):
    """Predicts the relay action for a new learner message during an open handoff.

    When the relay fails (the action server is down), the message is still in the conversation's
    record: the next relay passes on everything the desk does not have yet. The learner is told so.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above every other policy: an open handoff outranks rules, forms and the model.
        return {"priority": 8, "relay_action": "action_relay_to_coach", "flag_slot": "handoff_active",
                "kept_response": "utter_handoff_message_kept"}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        waiting_message = tracker.latest_action_name == ACTION_LISTEN_NAME
        relay, kept = self.config["relay_action"], self.config["kept_response"]
        if waiting_message and tracker.get_slot(self.config["flag_slot"]) and not tracker.active_loop_name:
            probabilities[domain.index_for_action(relay)] = 1.0
        elif tracker.latest_action_name == relay and custom_action_failed_silently(tracker):
            probabilities[domain.index_for_action(kept)] = 1.0
        elif tracker.latest_action_name in (relay, kept):
            # Relaying ends the turn; without this the model would guess a reply of its own.
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
