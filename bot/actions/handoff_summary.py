"""The summary a coach reads first: what the learner asked, the program in focus when they were handed
over (and the others discussed), their answers to the questionnaire in words, and the assistant's
recommendation.

Built from the conversation's slots and events only, so what it says is what the assistant knew:
an answer the learner skipped or did not know ("not sure") reads as such, never as a yes or a no,
and a negated one ("I don't think I need aid") as the negation the reader found.
"""
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from bot.actions.presenting import FORMAT_WORDS, money
from bot.understanding.references import LISTED_SLOT, PROGRAM_SLOT
from bot.understanding.situation import UNKNOWN
from handoff_db.handoffs import conversation_lines

NOT_SURE = "not sure (skipped the question)"
ASKED_LINES = 3  # the learner's last few messages: what they came for, in their words
MAX_OTHER_PROGRAMS = 8
WEEKS_A_MONTH = 4.3  # as the questionnaire's reader counts a month
NO_RUSH_WEEKS = 104  # what the reader makes of "no rush"

EDUCATION_WORDS = {
    "none": "no diploma or degree",
    "high_school": "high school",
    "some_college": "some college",
    "bachelor": "a bachelor's degree",
    "graduate": "a master's degree or higher",
}
OBLIGATION_WORDS = {"family": "family", "work": "work"}


def _number(value: float) -> str:
    """5.0 → "5", 2.5 → "2.5": no trailing ".0" for a coach to read past."""
    return f"{round(float(value), 1):g}"


def _plural(count: float, unit: str) -> str:
    return f"{_number(count)} {unit}{'' if round(count, 1) == 1 else 's'}"


def hours_in_words(hours: float) -> str:
    if hours <= 0:
        return "no free time to study"
    return f"about {_plural(hours, 'hour')} a week"


def deadline_in_words(weeks: float) -> str:
    """How soon the skill is needed, as a person would say it: "within about 2 months"."""
    if weeks >= NO_RUSH_WEEKS:
        return "no deadline"
    if weeks < 1:
        return f"within about {_plural(max(1, round(weeks * 7)), 'day')}"
    months = weeks / WEEKS_A_MONTH
    if weeks >= WEEKS_A_MONTH and abs(months - round(months)) < 0.1:
        return f"within about {_plural(round(months), 'month')}"
    return f"within about {_plural(round(weeks), 'week')}"


def _time(value: Dict[str, Any]) -> Optional[str]:
    parts = []
    if value.get("hours_per_week") is not None:
        parts.append(hours_in_words(value["hours_per_week"]))
    if value.get("weeks") is not None:
        parts.append("needs the skill " + deadline_in_words(value["weeks"]))
    return "; ".join(parts) or None


def _budget(value: Dict[str, Any]) -> Optional[str]:
    usd = value.get("usd")
    if usd is None:
        return None
    return "nothing to spend (free programs only)" if usd <= 0 else f"budget up to {money(usd)}"


def _aid(value: Dict[str, Any]) -> Optional[str]:
    return {True: "needs financial aid", False: "does not need financial aid"}.get(value.get("needs_aid"))


def _obligations(value: Sequence[str]) -> str:
    if not value:
        return "no family or work commitments"
    return " and ".join(OBLIGATION_WORDS.get(duty, duty) for duty in value) + " commitments"


# Each questionnaire answer: its label and how its slot value reads (None: nothing to say).
ANSWERS: Tuple[Tuple[str, str, Callable[[Any], Optional[str]]], ...] = (
    ("Wants to learn", "learning_goal", str),
    ("Field", "career_change", lambda v: {"change": "wants to move into a new field",
                                          "grow": "wants to grow in their current field"}.get(v)),
    ("Time", "time_available", _time),
    ("Commitments", "obligations", _obligations),
    ("Budget", "budget", _budget),
    ("Financial aid", "budget", _aid),
    ("Education", "education", lambda v: EDUCATION_WORDS.get(v, v)),
    ("Format", "preferred_format", lambda v: "prefers to study " + FORMAT_WORDS.get(v, v)),
    ("Degree", "degree_required", lambda v: "the position they want requires a degree" if v is True else None),
)


def questionnaire_answers(slots: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(label, words) for each answer the learner gave or skipped; nothing for questions not reached."""
    found = []
    skipped = set()
    for label, slot, words in ANSWERS:
        value = slots.get(slot)
        if value is None or value == "":
            continue
        if value == UNKNOWN:
            if slot not in skipped:  # a skipped budget question is one "not sure", not two
                found.append((label, NOT_SURE))
                skipped.add(slot)
            continue
        said = words(value)
        if said:
            found.append((label, said))
    return found


def programs_discussed(events: Sequence[Dict[str, Any]], slots: Dict[str, Any]) -> Tuple[Optional[str], List[str]]:
    """The program in focus at handoff time, and the others discussed (newest first), as catalog slugs.

    The program slot keeps the last program answered about even after the learner moved on to a
    list or a comparison, so it is in focus only when nothing was listed after it was set; else
    the learner ended on the list, and its programs lead the others.
    """
    focus = slots.get(PROGRAM_SLOT) or None
    mentioned: List[str] = []
    last_change = None
    for event in events:
        if event.get("event") != "slot" or event.get("name") not in (PROGRAM_SLOT, LISTED_SLOT):
            continue
        value = event.get("value")
        if event["name"] == PROGRAM_SLOT and value:
            mentioned.append(value)
            last_change = PROGRAM_SLOT
        elif event["name"] == LISTED_SLOT and value:
            mentioned.extend(value)
            last_change = LISTED_SLOT
    if last_change == LISTED_SLOT and len(slots.get(LISTED_SLOT) or ()) > 1:
        focus = None
    others: List[str] = []
    for slug in reversed(mentioned):
        if slug != focus and slug not in others:
            others.append(slug)
    return focus, others[:MAX_OTHER_PROGRAMS]


def recommendation(events: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The assistant's latest recommendation, as the learner read it (the path and why)."""
    for event in reversed(events):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == "utter_recommendation":
            return event.get("text")
    return None


def what_was_asked(events: Sequence[Dict[str, Any]]) -> List[str]:
    """The learner's last few messages before the handoff, in their words (buttons by their titles)."""
    return [text for _, text, _ in conversation_lines(events, roles=("learner",))][-ASKED_LINES:]


def build_summary(events: Sequence[Dict[str, Any]], slots: Dict[str, Any],
                  program_names: Callable[[Sequence[str]], Dict[str, str]]) -> Dict[str, Any]:
    """The summary stored with the handoff (JSON). `program_names` maps slugs to the catalog's names;
    a slug it does not know is shown as it is."""
    focus, others = programs_discussed(events, slots)
    names = program_names([slug for slug in (focus, *others) if slug])
    return {
        "asked": what_was_asked(events),
        "program": names.get(focus, focus) if focus else None,
        "other_programs": [names.get(slug, slug) for slug in others],
        "answers": [list(pair) for pair in questionnaire_answers(slots)],
        "recommendation": recommendation(events),
    }
