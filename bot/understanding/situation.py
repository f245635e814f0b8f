"""Readers of a learner's answers in the "which path suits me?" conversation: hours, weeks, money,
family and work, schooling, changing field.

Numbers, amounts and these few answers are closed vocabularies, read here by rules; what the
learner wants to learn is the subject the reader found (reader.py). Each reader returns None when
the text says nothing about its matter, so one message can fill several answers at once ("I work
full time, have two kids and about $150").
"""
import re
from typing import Any, Dict, List, Optional

from bot.understanding.lexicon import delivery_format, money

UNKNOWN = "unknown"  # the learner skipped the question or does not know
FULL_TIME_HOURS = 30.0  # "I can study full time"

_NUMBER_WORDS = {
    "an": 1, "a": 1, "one": 1, "two": 2, "couple of": 2, "a couple of": 2, "couple": 2, "three": 3,
    "few": 3, "a few": 3, "several": 4, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
}
_COUNT = r"(\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True)) + ")"


def _count(word: str) -> float:
    return float(_NUMBER_WORDS.get(word, word)) if word in _NUMBER_WORDS else float(word)


def is_skip(text: str) -> bool:
    """ "skip", "I don't know", "not sure", "pass" and the like."""
    lowered = text.lower()
    return bool(re.search(r"^\s*(?:skip|pass|next)\b", lowered) or re.search(
        r"\b(?:no idea|dunno|idk|not sure|unsure|i(?: do|')?n'?t know|don'?t know|rather not say|prefer not to say"
        r"|do not know|no clue|hard to say|depends)\b", lowered))


def is_stop(text: str) -> bool:
    """ "stop", "never mind", "cancel": the learner wants to leave the questions."""
    return bool(re.search(r"^\s*(?:stop|cancel|quit|exit|never ?mind|nevermind|forget it|let'?s stop)\b", text.lower()))


_WORKING_HOURS = re.compile(r"\b(?:work|works|working|job of|shifts? of)\s+(?:about |around |like |over )?\d+\s*(?:hours?|hrs?|h)\b")


def parse_hours_per_week(text: str) -> Optional[float]:
    """ "5 hrs a week" → 5, "a couple of hours on weekends" → 2, "an hour a day" → 7, "no time" → 0."""
    lowered = _WORKING_HOURS.sub(" ", text.lower())  # "I work 50 hrs a week" is no time to study
    if re.search(r"\b(?:no|zero) (?:free )?time\b|\bnone at all\b", lowered):
        return 0.0
    if re.search(r"\b(?:very )?little (?:free )?time|not (?:a lot of|much) time|barely any time|busy", lowered):
        return 2.0
    if re.search(r"full[- ]time student|\b(?:study|go|do it|learn)(?: basically| pretty much)? full[- ]?time", lowered):
        return FULL_TIME_HOURS
    if re.search(r"\b(?:lots|plenty|a lot) of time|\bmore time\b|all the time", lowered):
        return 15.0
    match = re.search(_COUNT + r"\s*(?:-|to|or)?\s*(?:\d+\s*)?(?:hours?|hrs?|h)\b(?:\s*(?:a|per|each|every|/)\s*(day|night|evening|week|weekend))?", lowered)
    if not match:
        return None
    hours = _count(match.group(1))
    per = match.group(2) or ("day" if re.search(r"\b(?:daily|a day|per day|every day|each day)\b", lowered) else "week")
    return hours * 5 if per in ("day", "night", "evening") else hours


def parse_weeks_available(text: str) -> Optional[float]:
    """How soon the skill is needed, in weeks: "only a few weeks" → 3, "within 2 months" → 8."""
    lowered = text.lower()
    if re.search(r"\bno rush\b|\bno hurry\b|not in a hurry|whenever|no deadline", lowered):
        return 104.0
    if re.search(r"\b(?:asap|as soon as possible|right away|immediately|urgent)", lowered):
        return 2.0
    # "5 hours a week" is about hours, not about how soon: take such phrases out first.
    without_rates = re.sub(r"(?:hours?|hrs?)\s*(?:a|per|each|every|/|on)\s*(?:day|night|evening|week(?:end)?s?)", "hours", lowered)
    match = re.search(_COUNT + r"\s*(days?|weeks?|months?|years?)\b", without_rates)
    if not match:
        return None
    amount = _count(match.group(1))
    return amount * {"day": 1 / 7, "week": 1, "month": 4.3, "year": 52}[match.group(2).rstrip("s")]


def parse_budget(text: str) -> Optional[float]:
    """ "$1.5k" → 1500, "under two hundred dollars" → 200, "nothing" / "no money" → 0."""
    amount = money(text)
    if amount is not None:
        return amount
    lowered = text.lower()
    if re.search(r"^\s*(?:none|nothing|zero|0)\s*$|\bno money\b|\bcan'?t (?:afford|pay)|\bbroke\b|\bfree\b", lowered):
        return 0.0
    match = re.fullmatch(r"\s*(?:about|around|roughly|maybe|~)?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*", lowered)
    return float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1) if match else None


_AID = r"(?:financial aid|\baid\b|fafsa|\bloans?\b|\bgrants?\b|scholarships?|funding|help paying)"
_UNSURE = re.compile(r"\b(?:not sure|unsure|don'?t know|no idea|idk)\b")  # "maybe aid for the rest" wants aid
# A negation up to five words before the aid word: "I don't think I need aid", "no need for a loan".
_NEGATED_AID = re.compile(r"\b(?:no|not|don'?t|do not|won'?t|will not|never|without|nor)\b(?:\W+\w+){0,5}?\W+" + _AID)


def parse_needs_aid(text: str) -> Optional[bool]:
    """Whether the learner needs financial aid: True, False, or None when they don't say (or don't know)."""
    lowered = text.lower()
    if not re.search(_AID, lowered) or _UNSURE.search(lowered):
        return None
    return not _NEGATED_AID.search(lowered)


EDUCATION_LEVELS = ("none", "high_school", "some_college", "bachelor", "graduate")


def parse_education(text: str) -> Optional[str]:
    """The highest level finished: "I have a bachelor's in biology" → "bachelor"."""
    lowered = text.lower()
    for level, pattern in (
        ("graduate", r"master'?s|\bmba\b|\bphd\b|doctorate|\bmsc?\b|\bma\b|graduate degree|grad degree"),
        ("bachelor", r"bachelor|\bba\b|\bbsc?\b|\bb\.[as]\.|undergrad(?:uate)? degree|college degree|4[- ]year degree|university degree"),
        ("some_college", r"some college|associate|\baa\b|community college|dropped out of college|two[- ]year degree|2[- ]year degree"),
        ("high_school", r"high ?school|\bged\b|secondary school|diploma"),
        ("none", r"no (?:degree|diploma|education)|didn'?t finish"),
    ):
        if re.search(pattern, lowered):
            return level
    return None


_NO_FAMILY = re.compile(r"\bno (?:kids|children|family|dependents)\b|\bdon'?t have (?:any )?(?:kids|children)\b"
                        r"|\b(?:kids|children) (?:are )?(?:all )?(?:grown|moved out|out of the house)")


def parse_obligations(text: str) -> Optional[List[str]]:
    """Family and work commitments: "two small children" → ["family"], "no" → []."""
    lowered = text.lower()
    found = []
    without_denials = _NO_FAMILY.sub(" ", lowered)  # "no kids, just me" names no family
    if re.search(r"\bkids?\b|child|children|baby|babies|toddler|newborn|infant|little ones|grandkids|pregnant|"
                 r"\bsons?\b|daughter|family|parents?\b|teen(?:ager)?s\b|caregiv|caring for|take care|single (?:mom|dad|parent)|spouse|"
                 r"elderly|\bcare for|\bmy (?:mom|dad|mother|father|husband|wife)\b", without_denials):
        found.append("family")
    if re.search(r"(?<!study )(?<!studying )(?<!student )(?:full|part)[- ]?time(?! student)|\bjob\b|\bwork\b|\bworking\b"
                 r"|employed|shifts?\b|two jobs", lowered):
        found.append("work")
    if found:
        return found
    if re.search(r"^\s*(?:no|none|nope|nothing|not really|nah)\b|no (?:kids|children|family|obligations)|i'?m free", lowered):
        return []
    return None


def parse_career_change(text: str) -> Optional[str]:
    """ "change" for a new field, "grow" for the current one."""
    lowered = text.lower()
    if re.search(r"\b(?:not|no|don'?t|never|without)\s+(?:\w+\s+)?(?:chang|switch)", lowered):
        return "grow"  # "not changing careers"
    if re.search(r"\bstay(?:ing)? in (?!touch\b)\w+|(?:stay|staying|same|current|existing|present) (?:in )?(?:my )?(?:field|job|career|role|industry|employer|company)|"
                 r"\bmy (?:job|work|role|field)\b|promot(?:ion|ed)|grow(?:ing)? in|move up|get better at my|level up|upskill|"
                 r"where i am|stay(?:ing)? put|^\s*(?:grow|growing|stay|staying|same|current)\b", lowered):
        return "grow"
    if re.search(r"\bswitch|\bchang(?:e|ing) (?:careers?|fields?|jobs?|industr)|career change|new (?:field|career|industry|job)|"
                 r"different (?:field|career|industry|job)|career switch|pivot|break into|get into a new|start over|"
                 r"^\s*(?:new|change|switch)\b", lowered):
        return "change"
    if re.search(r"^\s*(?:yes|yeah|yep|yup)\b", lowered):
        return "change"
    if re.search(r"^\s*(?:no|nope|nah)\b", lowered):
        return "grow"
    return None


def parse_degree_required(text: str) -> bool:
    return bool(re.search(r"(?:require|need)s? (?:a|an)? ?(?:bachelor'?s |master'?s |full )?degree|degree (?:is )?required", text.lower()))


def read_situation(text: str) -> Dict[str, Any]:
    """Everything a message says about the learner's situation (but the subject), as slot values."""
    found: Dict[str, Any] = {}
    career = parse_career_change(text) if not re.match(r"^\s*(?:yes|no|yeah|nope|nah|yep)\b", text.lower()) else None
    if career:
        found["career_change"] = career
    hours, weeks = parse_hours_per_week(text), parse_weeks_available(text)
    if hours is not None or weeks is not None:
        found["time_available"] = {"hours_per_week": hours, "weeks": weeks}
    obligations = parse_obligations(text)
    if obligations is not None and ("family" in obligations or _NO_FAMILY.search(text.lower())):
        # The question is about family and work: a job mentioned in passing ("AI for my job")
        # answers half of it, so it is still asked; "no kids" answers the half that matters.
        found["obligations"] = obligations
    budget, aid = money(text), parse_needs_aid(text)
    if budget is not None or aid is not None:
        found["budget"] = {"usd": budget, "needs_aid": aid}
    education = parse_education(text)
    if education:
        found["education"] = education
    preferred_format = delivery_format(text)
    if preferred_format:
        found["preferred_format"] = preferred_format
    if parse_degree_required(text):
        found["degree_required"] = True
    return found


def read_answer(slot: str, text: str) -> Optional[Any]:
    """Read a direct answer to the question for `slot`; answers may be terse ("no", "none", "200").

    The subject a learner wants to learn is not read here: it is the frame's subject or topic.
    """
    if slot == "career_change":
        return parse_career_change(text)
    if slot == "time_available":
        hours, weeks = parse_hours_per_week(text), parse_weeks_available(text)
        return None if hours is None and weeks is None else {"hours_per_week": hours, "weeks": weeks}
    if slot == "obligations":
        return parse_obligations(text)
    if slot == "budget":
        budget, aid = parse_budget(text), parse_needs_aid(text)
        return None if budget is None and aid is None else {"usd": budget, "needs_aid": aid}
    if slot == "education":
        # A bare "none" only means "no schooling" as the answer to this question.
        return parse_education(text) or ("none" if re.fullmatch(r"\s*(?:none|nothing|no)\s*", text.lower()) else None)
    return None


def answers(text: str, pending: Optional[str]) -> Dict[str, Any]:
    """What a message tells of the learner's situation, with `pending`, the questionnaire question
    being asked, read as answered tersely ("none", "200") or skipped ("not sure")."""
    found = read_situation(text)
    if pending and pending not in found:
        answer = UNKNOWN if is_skip(text) else read_answer(pending, text)
        if answer is not None:
            found[pending] = answer
    return found
