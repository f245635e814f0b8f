"""A policy that makes sure a learner's message never goes unanswered.

Rasa 3.6 drops a custom action's events when the action server cannot be reached or fails,
logs the error and carries on: the learner would see silence. This policy notices a custom
action that ran without any result since the last user message and answers with a response
that says something went wrong and how to reach a coach.
"""
from itertools import islice
from typing import Any, Dict, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, DEFAULT_ACTION_NAMES
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.base import UntrainedPolicy


def custom_action_failed_silently(tracker: DialogueStateTracker) -> bool:
    """True when the newest event is a custom action that left nothing behind for this turn.

    A custom action that ran but returned no event and no message is what Rasa leaves when the
    action server failed; actions that are quiet on purpose return at least one event.
    """
    if not tracker.events:
        return False
    newest = tracker.events[-1]
    if not isinstance(newest, ActionExecuted) or newest.action_name is None:
        return False
    name = newest.action_name
    if name in DEFAULT_ACTION_NAMES or name.startswith("utter_"):
        return False
    for event in islice(reversed(tracker.events), 1, None):  # events is a deque: no slicing
        if isinstance(event, BotUttered):
            return False
        if isinstance(event, UserUttered):
            # Test stories replay actions that never ran, for messages that came from no channel;
            # every real message arrives on one (rest, socketio, slack, telegram, cmdline).
            return event.input_channel is not None
    return False


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ReplyGuardPolicy(UntrainedPolicy):
    """Predicts an apology when a custom action failed without a word to the learner."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Priority above RulePolicy's 6, so its confident `action_listen` does not win the tie.
        return {"priority": 7, "failure_response": "utter_technical_problem"}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        failure_response = self.config["failure_response"]
        if custom_action_failed_silently(tracker):
            probabilities[domain.index_for_action(failure_response)] = 1.0
        elif tracker.latest_action_name == failure_response:
            # The apology ends the turn; without this the model would guess another action.
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
