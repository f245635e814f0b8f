"""The intents, by what the conversation does with them: one list of each kind, used everywhere."""
from typing import Optional

from bot.understanding.facts import FACT_INTENTS

OUT_OF_SCOPE = "out_of_scope"
MISUNDERSTOOD = "nlu_fallback"
NON_ENGLISH = "non_english"
HUMAN_HANDOFF = "human_handoff"
CONTACT_INFO = "contact_info"
STOP = "stop"
CLARIFY = "clarify"  # "what do you mean?": what we asked was not followed
AFFIRM = "affirm"
DENY = "deny"

# General questions with one answer each (utter_faq_<topic>), whatever they are about.
FAQ_INTENT_PREFIX = "faq_"
# Questions the catalog or the general answers reply to (action_answer_question), beside the facts.
ASK_PROGRAM = "ask_program"  # "tell me about the CAD course": what it is, unless a fact is named
LIST_PROGRAMS = "list_programs"
ASK_OFFICE = "ask_office"  # a matter for the office (refunds, records, visas): a coach answers it
CATALOG_QUESTIONS = frozenset({ASK_PROGRAM, LIST_PROGRAMS, "compare_programs", ASK_OFFICE})
SMALL_TALK = frozenset({"greet", "how_are_you", "ask_capabilities", "goodbye", "thank", "bot_challenge",
                        "acknowledge", AFFIRM, DENY, STOP, CLARIFY})
INFORM_SITUATION = "inform_situation"
QUESTIONNAIRE = frozenset({"ask_recommendation", INFORM_SITUATION})
# Asking for a person costs a coach's time; asking for our number gives it out.
PERSON = frozenset({HUMAN_HANDOFF, CONTACT_INFO})


def is_faq(intent: Optional[str]) -> bool:
    return bool(intent) and intent.startswith(FAQ_INTENT_PREFIX)


def faq_answer(intent: Optional[str]) -> Optional[str]:
    """The response that answers a general question's intent, or None for any other intent."""
    return f"utter_{intent}" if is_faq(intent) else None


def is_question(intent: Optional[str]) -> bool:
    """A question about studying: a fact, a program, a list, a comparison, a general question."""
    return bool(intent) and (intent in FACT_INTENTS or intent in CATALOG_QUESTIONS or is_faq(intent))


def is_domain(intent: Optional[str]) -> bool:
    """An intent about what the assistant does (not small talk, not off-topic)."""
    return is_question(intent) or intent in QUESTIONNAIRE or intent in PERSON
