"""The intent names the actions reason about, in one place."""
from typing import Optional

# Each general question has an intent of its own, faq_<topic>, answered by utter_faq_<topic>.
FAQ_INTENT_PREFIX = "faq_"


def is_faq(intent: Optional[str]) -> bool:
    return bool(intent) and intent.startswith(FAQ_INTENT_PREFIX)


def faq_answer(intent: Optional[str]) -> Optional[str]:
    """The response that answers a general question's intent, or None for any other intent."""
    return f"utter_{intent}" if is_faq(intent) else None
