"""A message longer than the channels accept is answered with "please shorten that", nothing else.

The input channels (channels/limits.py) replace such a message with the `message_too_long` intent
before Rasa sees it, so neither the NLU pipeline nor a form, a rule or a handoff relay ever gets
the text. This policy answers that intent whatever the conversation is doing, then listens.
"""
from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.base import ReplyThenListenPolicy


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class MessageLimitPolicy(ReplyThenListenPolicy):
    """Predicts the "please shorten that" response for an over-long message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above the handoff policy: an over-long message is not relayed to a coach either.
        return {"priority": 9, "intent": "message_too_long", "response": "utter_message_too_long"}

    def reply(self, tracker: DialogueStateTracker) -> Optional[str]:
        message = tracker.latest_message
        return self.config["response"] if message and message.intent.get("name") == self.config["intent"] else None
