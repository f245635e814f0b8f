"""A "yes" or "no" right after the assistant offered a coach answers that offer, nothing else.

The assistant offers a coach after a recommendation and after two misunderstandings in a row. Only
the learner's acceptance of that offer pages a coach: the same "yes" anywhere else must not.
Rules cannot see which response came last, so this policy reads it from the tracker.
"""
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.base import UntrainedPolicy
from bot.policies.reply_guard import custom_action_failed_silently


def offer_answered(tracker: DialogueStateTracker, offers: List[str]) -> Optional[str]:
    """The offer response the newest learner message answers: the assistant's last words before it."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            if seen_user:
                return None  # an earlier turn: the message before the newest got no offer
            seen_user = True
        elif isinstance(event, BotUttered) and seen_user:
            name = (event.metadata or {}).get("utter_action")
            return name if name in offers else None
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class CoachOfferPolicy(UntrainedPolicy):
    """Predicts the handoff for a "yes" to a coach offer, and a friendly follow-up for a "no"."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6), whose "yes out of context" rule would otherwise answer the offer.
        return {
            "priority": 7,
            "offers": ["utter_offer_coach", "utter_offer_coach_after_misunderstanding"],
            "accept_intent": "affirm",
            "decline_intent": "deny",
            "accept_action": "action_handoff",
            "decline_action": "utter_anything_else",
        }

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        config = self.config
        answers = {config["accept_intent"]: config["accept_action"], config["decline_intent"]: config["decline_action"]}
        intent = tracker.latest_message.intent.get("name") if tracker.latest_message else None
        answered = offer_answered(tracker, config["offers"]) if intent in answers else None
        if answered and tracker.latest_action_name == ACTION_LISTEN_NAME and not tracker.active_loop_name:
            probabilities[domain.index_for_action(answers[intent])] = 1.0
        elif answered and tracker.latest_action_name == answers[intent] and not custom_action_failed_silently(tracker):
            # The answer ends the turn (a handoff outside office hours continues by its own follow-up);
            # a handoff that failed silently is ReplyGuardPolicy's to apologise for.
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
