"""The facts a learner can ask about a program, each in one place: how it is asked, how it is
answered for one program, and how for the kinds of credential in general.

How a fact is asked is an intent (`ask_cost`, ...), learnt from bot/data/nlu/facts.yml, whatever
the question is about: "how much is the gen AI course", "how much is a certificate", "how much
does it cost to study biology" and "and the price?" are all `ask_cost`, and the frame says what
they are about. A new fact needs an entry here, its intent's examples, its responses in
bot/domain/facts.yml and, when the catalog holds it, a column and a formatter
(bot/actions/presenting.py).
"""
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence


@dataclass(frozen=True)
class Fact:
    name: str
    label: str                      # the words for it in "our catalog doesn't list the {label}"
    general: Dict[str, str] = field(default_factory=dict)  # kind ("" for none or several) → response
    listed: bool = False            # every program list already shows it

    @property
    def intent(self) -> str:
        return f"ask_{self.name}"

    @property
    def response(self) -> str:
        """The response answering it for one program (filled with `program` and `value`)."""
        return f"utter_program_{self.name}"

    def general_answer(self, kinds: Sequence[str]) -> Optional[str]:
        """The response answering it for a kind of credential, or for all kinds when none or several."""
        kind = kinds[0] if len(kinds) == 1 else ""
        return self.general.get(kind) or self.general.get("")


FACTS: Dict[str, Fact] = {fact.name: fact for fact in (
    Fact("cost", "price", {"": "utter_faq_compare_cost"}, listed=True),
    Fact("duration", "length", {"": "utter_faq_compare_time"}, listed=True),
    Fact("format", "format (online or in person)", {"": "utter_faq_compare_flexibility"}, listed=True),
    Fact("eligibility", "entry requirements", {"": "utter_faq_eligibility"}),
    Fact("audience", "intended audience",
         {"": "utter_faq_compare_audience", "micro-credential": "utter_faq_who_should"}),
    Fact("credits", "credit count", {"": "utter_faq_credits"}),
    Fact("stacking", "stacking options", {"": "utter_faq_stacking"}),
    Fact("aid", "financial-aid eligibility", {"": "utter_faq_financial_aid"}),
    Fact("enrol", "way to enroll", {"": "utter_faq_enroll"}),
    Fact("start", "start dates", {"": "utter_general_start"}),
    Fact("workload", "weekly workload", {"": "utter_general_workload"}),
    Fact("page", "web page", {"": "utter_general_page"}),
    Fact("overview", "description", {
        "": "utter_faq_difference_overview", "micro-credential": "utter_faq_what_is_microcredential",
        "certificate": "utter_faq_what_is_certificate", "degree": "utter_faq_what_is_degree"}),
)}
FACT_INTENTS: Dict[str, Fact] = {fact.intent: fact for fact in FACTS.values()}
ORDERABLE = ("cost", "duration")  # the facts a list can be ordered by (the cheapest, the longest)


def fact_of(intent: Optional[str]) -> Optional[Fact]:
    """The fact an intent asks for, or None for an intent that asks none."""
    return FACT_INTENTS.get(intent or "")
