"""Turn catalog facts into the short phrases the domain's responses are filled with.

Each function returns None when the catalog has no value, so callers answer "we don't have that"
instead of inventing a figure.
"""
from typing import Callable, Dict, Iterable, Optional

from bot.understanding.facts import FACTS
from catalog_db.queries import ProgramFacts

FORMAT_WORDS = {"online": "online", "in_person": "in person", "hybrid": "in a hybrid format (partly online)"}


def money(amount: Optional[float]) -> Optional[str]:
    if amount is None:
        return None
    return f"${amount:,.0f}" if float(amount).is_integer() else f"${amount:,.2f}"


def _span(low: Optional[int], high: Optional[int], unit: str) -> Optional[str]:
    if low is None and high is None:
        return None
    if low is None or high is None or low == high:
        value = low if low is not None else high
        return f"{value} {unit if value != 1 else unit.rstrip('s')}"
    return f"{low} to {high} {unit}"


def duration(program: ProgramFacts) -> Optional[str]:
    if not program.duration_unit:
        return None
    return _span(program.duration_min, program.duration_max, program.duration_unit)


def credits(program: ProgramFacts) -> Optional[str]:
    return _span(program.credits_min, program.credits_max, "credits")


def delivery_format(program: ProgramFacts) -> Optional[str]:
    return FORMAT_WORDS.get(program.delivery_format or "")


def financial_aid(program: ProgramFacts) -> Optional[str]:
    if program.financial_aid is None:
        return None
    return "eligible for financial aid" if program.financial_aid else "not eligible for financial aid"


def kind_label(program: ProgramFacts) -> str:
    return f"{program.level} {program.kind}" if program.level else program.kind


# How each fact of facts.py is read off a program; a fact the catalog has no column for is None.
FORMATTERS: Dict[str, Callable[[ProgramFacts], Optional[str]]] = {
    "cost": lambda program: money(program.cost_usd),
    "duration": duration,
    "format": delivery_format,
    "eligibility": lambda program: program.eligibility,
    "audience": lambda program: program.audience,
    "credits": credits,
    "stacking": lambda program: program.stacks_into,
    "aid": financial_aid,
    "enrol": lambda program: program.how_to_enrol,
    "start": lambda program: program.start_dates,
    "page": lambda program: program.page_url,
}


def fact(program: ProgramFacts, name: str) -> Optional[str]:
    """The phrase for one fact of a program, or None when the catalog does not hold it."""
    formatter = FORMATTERS.get(name)
    return formatter(program) if formatter else None


def bullets(items: Iterable[str]) -> str:
    """A Markdown list, one item per line: the website widget renders Markdown (plain lines run
    together there), Slack and Telegram show the lines as they are."""
    return "\n".join(f"- {item}" for item in items)


def summary(program: ProgramFacts) -> str:
    """A list item: name, then whichever of cost, length and format are known."""
    known = [value for value in (money(program.cost_usd), duration(program), delivery_format(program)) if value]
    return program.name + (f" ({', '.join(known)})" if known else "")


def program_list(programs: Iterable[ProgramFacts]) -> str:
    return bullets(summary(program) for program in programs)


def facts_block(program: ProgramFacts) -> str:
    """The known facts of a program, one per line, with a note for the missing figures."""
    lines, missing = [], []
    for attribute, label in (("cost", "Cost"), ("duration", "Length"), ("format", "Format"), ("credits", "Credits"),
                             ("audience", "Good for"), ("eligibility", "Who can enroll")):
        value = fact(program, attribute)
        if value:
            lines.append(f"{label}: {value}")
        else:
            missing.append(FACTS[attribute].label)
    block = bullets(lines)
    if missing:
        block += f"\n\nNot in our catalog yet: {', '.join(missing)}. An admissions coach can tell you more."
    return block
