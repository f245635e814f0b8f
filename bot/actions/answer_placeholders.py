"""Catalog facts inside an edited general answer: `{cost:introduction-to-generative-ai}` (a fact of one
program, by slug) or `{lowest_cost:micro-credential}` (a figure of a kind, or of `all` programs).

The desk checks every placeholder when an answer is saved (`problems`), so a typo never reaches a
learner; the action fills them when it says the answer (`fill`), from the catalog as it is then.
"""
import re
from typing import Callable, Dict, List, Optional

from sqlalchemy.orm import Session

from bot.actions import presenting
from catalog_db import queries
from catalog_db.models import KINDS
from catalog_db.queries import KindFigures, ProgramFacts

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ALL_KINDS = "all"
PROGRAM_FACTS: Dict[str, Callable[[ProgramFacts], Optional[str]]] = {
    "name": lambda program: program.name, **presenting.FORMATTERS}
KIND_FIGURES: Dict[str, Callable[[KindFigures], Optional[str]]] = {
    "count": lambda figures: str(figures.count),
    "lowest_cost": lambda figures: presenting.money(figures.lowest_cost),
    "highest_cost": lambda figures: presenting.money(figures.highest_cost),
}
HOW = (f"A placeholder is {{fact:program-slug}} (facts: {', '.join(PROGRAM_FACTS)}) or {{figure:kind}} "
       f"(figures: {', '.join(KIND_FIGURES)}; kinds: {', '.join(KINDS)}, {ALL_KINDS}).")


class Unfilled(ValueError):
    """A placeholder the catalog cannot fill (now)."""


def value(session: Session, placeholder: str) -> str:
    """What one placeholder (the text between its braces) says; Unfilled with the reason."""
    name, _, subject = (part.strip() for part in placeholder.partition(":"))
    if name in PROGRAM_FACTS:
        program = queries.program_by_slug(session, subject)
        if program is None:
            raise Unfilled(f"{{{placeholder}}}: the catalog has no program with the slug {subject!r}")
        if program.retired:
            raise Unfilled(f"{{{placeholder}}}: {program.name} is retired")
        said = PROGRAM_FACTS[name](program)
        if said is None:
            raise Unfilled(f"{{{placeholder}}}: the catalog lists no {name} for {program.name}")
        return said
    if name in KIND_FIGURES:
        if subject not in (*KINDS, ALL_KINDS):
            raise Unfilled(f"{{{placeholder}}}: {subject!r} is not a kind ({', '.join(KINDS)} or {ALL_KINDS})")
        said = KIND_FIGURES[name](queries.kind_figures(session, None if subject == ALL_KINDS else subject))
        if said is None:
            raise Unfilled(f"{{{placeholder}}}: the catalog lists no cost for {subject} programs")
        return said
    raise Unfilled(f"{{{placeholder}}}: unknown fact {name!r}. {HOW}")


def _stray_brace(text: str) -> bool:
    outside = PLACEHOLDER.sub("", text)
    return "{" in outside or "}" in outside


def problems(session: Session, text: str) -> List[str]:
    """Why the text's placeholders cannot be filled, one sentence each; empty when they all can."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        try:
            value(session, match.group(1))
        except Unfilled as problem:
            found.append(str(problem))
    if _stray_brace(text):
        found.append(f"A {{ or }} does not make a placeholder. {HOW}")
    return found


def fill(session: Session, text: str) -> str:
    """The text with every placeholder replaced by what the catalog says now; Unfilled when one cannot be."""
    if _stray_brace(text):
        raise Unfilled("a { or } that does not make a placeholder")
    return PLACEHOLDER.sub(lambda match: value(session, match.group(1)), text)
