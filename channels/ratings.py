"""The rating buttons' vocabulary, shared by the action that offers them (bot/actions/rating.py), the
channels that draw them (an inline keyboard on Telegram) and the desk's analytics that count them.

A tap sends `/rate_answer{"rating": "up"}` (or "down"): Rasa reads it as the `rate_answer` intent
with a `rating` entity, without the NLU pipeline.
"""
import json
from typing import Any, Dict, List, Optional

RATING_INTENT = "rate_answer"
RATING_ENTITY = "rating"
VALUES = ("up", "down")


def payload(value: str) -> str:
    return f"/{RATING_INTENT}{json.dumps({RATING_ENTITY: value})}"


BUTTONS: List[Dict[str, str]] = [{"title": "👍 Helpful", "payload": payload("up")},
                                 {"title": "👎 Not helpful", "payload": payload("down")}]


def is_rating_offer(buttons: Any) -> bool:
    """Whether a message's buttons are the rating buttons."""
    return isinstance(buttons, list) and any(
        isinstance(b, dict) and str(b.get("payload", "")).startswith(f"/{RATING_INTENT}") for b in buttons)


def rating_of(parse_data: Dict[str, Any]) -> Optional[str]:
    """"up" or "down" for a rating message (as Rasa parsed it), None for any other message."""
    if (parse_data.get("intent") or {}).get("name") != RATING_INTENT:
        return None
    values = [e.get("value") for e in parse_data.get("entities") or [] if e.get("entity") == RATING_ENTITY]
    return values[0] if values and values[0] in VALUES else None
