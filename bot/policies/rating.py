"""A learner's rating of an answer is thanked, whatever the conversation is doing, and changes nothing else.

The rating buttons (channels/ratings.py) send the `rate_answer` intent with a `rating` entity; the
user event holding it is the rating, which the desk's analytics read. During a form the form goes on
with the learner's next message; during a handoff the rating is not relayed to the coach.
"""
from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.base import ReplyThenListenPolicy
from channels.ratings import RATING_INTENT, rating_of


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class RatingPolicy(ReplyThenListenPolicy):
    """Predicts "thanks" for a thumbs up and "sorry, try again" for a thumbs down."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above the handoff policy (a rating is not a message for the coach), beside the message limit's 9
        # (a tap is never over-long); Rasa wants every priority different.
        return {"priority": 10, "responses": {"up": "utter_rating_thanks", "down": "utter_rating_sorry"}}

    def reply(self, tracker: DialogueStateTracker) -> Optional[str]:
        message = tracker.latest_message
        if not message or message.intent.get("name") != RATING_INTENT:
            return None
        return self.config["responses"]["down" if rating_of(message.parse_data) == "down" else "up"]
