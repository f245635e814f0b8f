"""Declines a message the classifier placed in the domain when nothing in it is about the domain.

Rules would start the questionnaire for "recommend a good movie", page a coach for "do I need
vaccinations abroad?" and give our phone number for "what's Sarah's number". This policy checks
the words of the message (bot/relevance.py) for the intents whose answers cost most when wrong and
answers with the polite decline instead. Inside a form the form reads the answer; a button press
(an "/intent" payload) is always meant.
"""
from typing import Any, Callable, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker

from bot import relevance
from bot.actions.intents import is_faq
from bot.policies.base import ReplyThenListenPolicy

CHECKS: Dict[str, Callable[[str], bool]] = {
    "ask_recommendation": relevance.asks_for_a_recommendation,
    "inform_situation": relevance.tells_a_situation,
    "human_handoff": relevance.asks_for_a_person,
    "contact_info": relevance.asks_for_our_contact,
}


def off_the_subject(intent: Optional[str], text: str) -> bool:
    """Whether a message of this intent says nothing the intent is about."""
    if not intent or text.startswith("/"):
        return False
    check = relevance.asks_a_general_question if is_faq(intent) else CHECKS.get(intent)
    return check is not None and not check(text)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class RelevancePolicy(ReplyThenListenPolicy):
    """Predicts the decline for a domain intent whose message is off the subject."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6), whose rules would run the questionnaire, the handoff or the answer.
        return {"priority": 7, "decline_response": "utter_out_of_scope", "flag_slot": "handoff_active"}

    def reply(self, tracker: DialogueStateTracker) -> Optional[str]:
        message = tracker.latest_message
        declined = (
            message is not None
            and not tracker.active_loop_name
            and not tracker.get_slot(self.config["flag_slot"])  # during a handoff everything goes to the coach
            and off_the_subject(message.intent.get("name"), message.text or "")
        )
        return self.config["decline_response"] if declined else None
