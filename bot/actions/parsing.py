"""Pure functions that read what a learner asked for out of a message's text."""
import re
from dataclasses import dataclass
from typing import Iterable, List, Optional

# Order matters: the first attribute whose pattern matches wins, so the more specific come first.
_ATTRIBUTE_PATTERNS = (
    ("aid", r"financial aid|fafsa|scholarship|\bgrants?\b|\bloans?\b"),
    ("stacking", r"\bstack|counts? (?:toward|towards|for)\b|build (?:up )?(?:to|toward)"),
    ("credits", r"\bcredits?\b|credit hours?"),
    ("eligibility", r"eligib|prerequisite|requirement|\bqualify|admission|need to (?:have|enter|apply|get in)"
                    r"|do i need (?:a|an|any)\b|(?:degree|diploma|experience) (?:required|needed)"
                    r"|can (?:i|anyone|everyone) (?:take|join|enrol|sign|apply|do)|who can (?:take|enrol|join|sign|apply)"),
    ("audience", r"who (?:is|'s) (?:it|this|that)? ?(?:for|aimed)|\baudience\b|who (?:would|should|can) benefit"
                 r"|who should (?:take|do|join|enrol|enroll|sign up|consider)"
                 r"|(?:meant|designed|aimed|intended|good) for (?:whom|who)|who is .* for\b|who'?s .* for\b"),
    ("cost", r"\bcosts?\b|\bprices?d?\b|pricing|how much|tuition|\bfees?\b|expensive|\bcheap|\bpay\b|\$|dollars?"),
    ("format", r"\bonline\b|in[- ]?person|\bhybrid\b|\bformat\b|on[- ]campus|\bremote|\bvirtual|face[- ]to[- ]face"
               r"|where is it (?:held|taught)|\bdelivered\b|\bdelivery\b"),
    ("duration", r"how long|duration|\blength\b|how many (?:weeks|days|hours|months|years)|\btakes?\b.*\b(?:finish|complete)"
                 r"|\bweeks?\b|\bdays?\b|\bmonths?\b|\byears?\b|how quick|how fast|time commitment"),
    ("overview", r"\blevel\b|grad(?:uate)? or undergrad|tell me (?:more )?about|\bwhat (?:is|'s)\b|\bwhats\b|\binfo\b|information|details|describe|overview"
                 r"|more about|learn about"),
)


def attribute_from_text(text: str) -> Optional[str]:
    """Which fact of a program the message asks about, or None when it names no fact."""
    lowered = text.lower()
    for attribute, pattern in _ATTRIBUTE_PATTERNS:
        if re.search(pattern, lowered):
            return attribute
    return None


_KIND_WORDS = r"micro[- ]?credentials?|microcredentials?|certificates?|certs?|courses?|programs?|programmes?|degrees?|classes?|trainings?|badges?"
_UNMATCHED_PHRASE = re.compile(
    rf"\b(?:the|a|an|your|in)\s+((?:[a-z0-9][\w'-]*\s+){{0,4}}?[a-z0-9][\w'-]*)\s+(?:{_KIND_WORDS})\b"
)
# Words that never name a program: they describe any program, or ask about one.
_NOT_A_NAME = frozenset(
    "a an the this that it one your my of for about on to in at with and or is are what how much "
    "online person hybrid new short long cheap cheapest shortest whole full same other first second "
    "last next any some all undergraduate graduate grad undergrad micro credential certificate degree "
    "course program cost price tuition fee length duration format credits".split()
)


def unmatched_program_phrase(text: str) -> Optional[str]:
    """The words a learner used to name a program ("the astrophysics course" → "astrophysics").

    Only the run of naming words just before the kind word counts ("the cost of the course" names
    nothing). Only letters, digits and hyphens survive, so the phrase is safe to show back.
    """
    match = _UNMATCHED_PHRASE.search(text.lower())
    if not match:
        return None
    naming: List[str] = []
    for word in reversed(re.findall(r"[a-z0-9][a-z0-9-]*", match.group(1))):
        if word in _NOT_A_NAME:
            break
        naming.insert(0, word)
    return " ".join(naming)[:60] or None


_MONEY_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|thousand\b|grand\b)?"
_WORD_NUMBERS = {
    "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100, "a hundred": 100, "one hundred": 100,
    "two hundred": 200, "three hundred": 300, "five hundred": 500, "a thousand": 1000,
    "one thousand": 1000, "two thousand": 2000, "five thousand": 5000,
}


def _amount(number: str, multiplier: Optional[str]) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if multiplier else value


def parse_money(text: str) -> Optional[float]:
    """The first amount of money in the text in dollars: "$1.5k" → 1500, "two hundred dollars" → 200."""
    lowered = text.lower()
    match = re.search(r"\$\s*" + _MONEY_NUMBER, lowered) or re.search(
        _MONEY_NUMBER + r"\s*(?:dollars?|usd|bucks)\b", lowered
    )
    if match:
        return _amount(match.group(1), match.group(2))
    for words in sorted(_WORD_NUMBERS, key=len, reverse=True):
        if re.search(rf"\b{words}\b(?: dollars?| bucks)?", lowered) and re.search(r"dollar|buck|\$|budget|spend|afford", lowered):
            return float(_WORD_NUMBERS[words])
    return None


_MAX_COST_CUE = re.compile(
    r"(?:under|less than|below|cheaper than|at most|max(?:imum)?|up to|no more than|within|<|budget (?:of|is)"
    r"|or less|or under|and under)"
)


@dataclass(frozen=True)
class ProgramFilter:
    """What a learner asked the program list to be narrowed to."""

    kind: Optional[str] = None
    level: Optional[str] = None
    topic: Optional[str] = None
    max_cost: Optional[float] = None
    delivery_format: Optional[str] = None
    order_by: Optional[str] = None
    limit: Optional[int] = None


def kind_from_text(text: str) -> Optional[str]:
    """The kind of credential a message is about, when it names exactly one."""
    lowered = text.lower()
    kinds = [
        kind
        for kind, pattern in (
            ("micro-credential", r"micro[- ]?credential|microcredential|\bbadges?\b"),
            ("certificate", r"certificate|\bcerts?\b"),
            ("degree", r"\bdegrees?\b|bachelor|master'?s|\bba\b|\bbs\b|\bms\b"),
        )
        if re.search(pattern, lowered)
    ]
    return kinds[0] if len(kinds) == 1 else None


def delivery_format_from_text(text: str) -> Optional[str]:
    lowered = text.lower()
    if re.search(r"in[- ]?person|on[- ]campus|face[- ]to[- ]face|hands[- ]on", lowered):
        return "in_person"
    if re.search(r"\bhybrid\b|blended", lowered):
        return "hybrid"
    if re.search(r"\bonline\b|remote|virtual|from home", lowered):
        return "online"
    return None


def topic_from_text(text: str, topics: Iterable[str]) -> Optional[str]:
    """The longest catalog topic named in the text, matched on whole words."""
    lowered = text.lower()
    for topic in sorted(topics, key=len, reverse=True):
        if re.search(rf"\b{re.escape(topic.lower())}\b", lowered):
            return topic
    return None


def parse_program_filters(text: str, topics: Iterable[str]) -> ProgramFilter:
    """Turn "anything in person under $100 about safety?" into a filter for the catalog."""
    lowered = text.lower()
    max_cost = None
    cue = _MAX_COST_CUE.search(lowered)
    if cue or re.search(r"\$|dollar|budget", lowered):
        max_cost = parse_money(lowered)
    order_by, limit = None, None
    if re.search(r"cheapest|least expensive|lowest (?:cost|price)|most affordable|cheaper ones", lowered):
        order_by = "cost"
    elif re.search(r"shortest|quickest|fastest|least time", lowered):
        order_by = "duration"
    if order_by and re.search(r"\b(?:the|which is the|what is the|what's the)\s+(?:cheapest|shortest|quickest|fastest|least|lowest|most affordable)\b", lowered):
        limit = 1
    level = None
    if re.search(r"\bgrad(?:uate)?\b|master", lowered):
        level = "graduate"
    elif re.search(r"undergrad|bachelor", lowered):
        level = "undergraduate"
    return ProgramFilter(
        kind=kind_from_text(lowered),
        level=level,
        topic=topic_from_text(lowered, topics),
        max_cost=max_cost,
        delivery_format=delivery_format_from_text(lowered),
        order_by=order_by,
        limit=limit,
    )


# A question about a kind of program in general ("how long do degrees take") is not a request
# for a list; these are the FAQ answers that fit it.
_GENERAL_ANSWERS = {"duration": "utter_faq/compare_time", "cost": "utter_faq/compare_cost"}
_WANTS_A_LIST = re.compile(
    r"\b(?:list|show|which|any|available|offer|have|options|programs|courses|classes)\b")


def general_answer_for(text: str, selection: ProgramFilter) -> Optional[str]:
    """The FAQ response for "how long/how much is a <kind>" asked with no filter, else None."""
    if selection.topic or selection.max_cost is not None or selection.delivery_format or selection.order_by:
        return None
    if _WANTS_A_LIST.search(text.lower()):
        return None
    return _GENERAL_ANSWERS.get(attribute_from_text(text))
