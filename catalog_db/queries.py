"""Read-only questions about the catalog, as plain functions taking a Session.

They return frozen dataclasses of plain values, so callers can use them after the session closes.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql import Select

from catalog_db.models import Institution, Program, ProgramAlias, ProgramTopic
from catalog_db.names import normalize_name

# Rough length of each unit in hours: only used to rank programs of different units by duration.
HOURS_PER_UNIT = {"hours": 1, "days": 24, "weeks": 168, "months": 730, "years": 8760}


@dataclass(frozen=True)
class InstitutionFacts:
    name: str
    phone: Optional[str]
    email: Optional[str]
    website: Optional[str]


@dataclass(frozen=True)
class ProgramFacts:
    """Everything the catalog holds about one program; None means the catalog has no figure."""

    slug: str
    name: str
    kind: str
    level: Optional[str]
    institution: str
    institution_phone: Optional[str]
    cost_usd: Optional[float]
    duration_min: Optional[int]
    duration_max: Optional[int]
    duration_unit: Optional[str]
    credits_min: Optional[int]
    credits_max: Optional[int]
    delivery_format: Optional[str]
    eligibility: Optional[str]
    financial_aid: Optional[bool]
    audience: Optional[str]
    summary: Optional[str]
    stacks_into: Optional[str]
    start_dates: Optional[str]
    page_url: Optional[str]
    how_to_enrol: Optional[str]
    aliases: Tuple[str, ...]
    topics: Tuple[str, ...]
    retired: bool = False  # no longer offered: answered as such, never listed


def _facts(program: Program) -> ProgramFacts:
    return ProgramFacts(
        slug=program.slug,
        name=program.name,
        kind=program.kind,
        level=program.level,
        institution=program.institution.name,
        institution_phone=program.institution.phone,
        cost_usd=None if program.cost_usd is None else float(program.cost_usd),
        duration_min=program.duration_min,
        duration_max=program.duration_max,
        duration_unit=program.duration_unit,
        credits_min=program.credits_min,
        credits_max=program.credits_max,
        delivery_format=program.delivery_format,
        eligibility=program.eligibility,
        financial_aid=program.financial_aid,
        audience=program.audience,
        summary=program.summary,
        stacks_into=program.stacks_into,
        start_dates=program.start_dates,
        page_url=program.page_url,
        how_to_enrol=program.how_to_enrol,
        retired=program.retired,
        aliases=tuple(alias.alias for alias in program.aliases),
        topics=tuple(topic.topic for topic in program.topics),
    )


def _programs() -> Select:
    """Programs with everything `_facts` reads loaded up front (three queries, however many rows)."""
    return select(Program).options(
        joinedload(Program.institution), selectinload(Program.aliases), selectinload(Program.topics)
    )


def _run(session: Session, statement: Select) -> List[ProgramFacts]:
    return [_facts(program) for program in session.scalars(statement)]


def program_by_slug(session: Session, slug: str) -> Optional[ProgramFacts]:
    """The program with this slug, or None."""
    found = _run(session, _programs().where(Program.slug == slug))
    return found[0] if found else None


def programs_by_alias(session: Session, text: str) -> List[ProgramFacts]:
    """Programs whose name or one of whose aliases equals `text` once both are normalized."""
    key = normalize_name(text)
    if not key:
        return []
    by_alias = select(ProgramAlias.program_id).where(ProgramAlias.alias_normalized == key)
    statement = _programs().where(or_(Program.name_normalized == key, Program.id.in_(by_alias)))
    return _run(session, statement.order_by(Program.name))


def name_index(session: Session) -> List[Tuple[str, str]]:
    """(slug, surface form) for every program name and alias, sorted: input for fuzzy matching and spaCy."""
    names = select(Program.slug, Program.name)
    aliases = select(Program.slug, ProgramAlias.alias).join(ProgramAlias.program)
    return sorted((slug, surface) for slug, surface in session.execute(names.union_all(aliases)))


def known_topics(session: Session) -> List[str]:
    """Every topic tag in the catalog, alphabetically."""
    return list(session.scalars(select(ProgramTopic.topic).distinct().order_by(ProgramTopic.topic)))


def matching_topics(wanted: str, topics: Sequence[str]) -> List[str]:
    """The topics that contain `wanted` as whole words, case-insensitively.

    "ai" matches "ai" and "generative ai" but not "maintenance"; "design" matches "design thinking".
    """
    key = normalize_name(wanted)
    if not key:
        return []
    # Normalized names are words joined by single spaces, so padding makes `in` a whole-word test.
    return [topic for topic in topics if f" {key} " in f" {normalize_name(topic)} "]


def search_programs(
    session: Session,
    *,
    kind: Optional[str] = None,
    level: Optional[str] = None,
    topic: Optional[str] = None,
    max_cost: Optional[float] = None,
    delivery_format: Optional[str] = None,
    order_by: Optional[str] = None,
    descending: bool = False,
    limit: Optional[int] = None,
    include_retired: bool = False,
) -> List[ProgramFacts]:
    """Programs matching every given filter, by name unless `order_by` is "cost" or "duration"; the
    programs still offered unless `include_retired`.

    `topic` matches whole words of a topic tag (see `matching_topics`). `max_cost` leaves out
    programs whose cost is unknown; ordering by cost or duration (smallest first, or largest with
    `descending`) puts unknown figures last.
    """
    statement = _programs()
    if not include_retired:
        statement = statement.where(Program.retired.is_(False))
    if kind is not None:
        statement = statement.where(Program.kind == kind)
    if level is not None:
        statement = statement.where(Program.level == level)
    if delivery_format is not None:
        statement = statement.where(Program.delivery_format == delivery_format)
    if max_cost is not None:
        # A NULL cost never compares <= to anything, so unknown prices drop out here.
        statement = statement.where(Program.cost_usd <= max_cost)
    if topic is not None:
        # Matching whole words is easier to get right in Python over the few distinct topics
        # than with LIKE patterns; the final lookup still uses the topic index.
        topics = matching_topics(topic, known_topics(session))
        tagged = select(ProgramTopic.program_id).where(ProgramTopic.topic.in_(topics))
        statement = statement.where(Program.id.in_(tagged))
    if order_by == "cost":
        figure = Program.cost_usd
    elif order_by == "duration":
        figure = case(HOURS_PER_UNIT, value=Program.duration_unit) * func.coalesce(
            Program.duration_max, Program.duration_min
        )
    elif order_by is not None:
        raise ValueError(f"order_by must be 'cost', 'duration' or None, not {order_by!r}")
    if order_by is not None:
        statement = statement.order_by((figure.desc() if descending else figure.asc()).nulls_last())
    statement = statement.order_by(Program.name).limit(limit)
    return _run(session, statement)


def institutions(session: Session) -> List[InstitutionFacts]:
    """Every institution, by name."""
    return [
        InstitutionFacts(name=row.name, phone=row.phone, email=row.email, website=row.website)
        for row in session.scalars(select(Institution).order_by(Institution.name))
    ]


@dataclass(frozen=True)
class KindFigures:
    """How many programs of a kind (or of every kind) are offered, and their lowest and highest listed cost."""

    count: int
    lowest_cost: Optional[float]
    highest_cost: Optional[float]


def kind_figures(session: Session, kind: Optional[str] = None) -> KindFigures:
    """The figures of the programs offered of `kind`, or of every kind when None."""
    statement = select(func.count(), func.min(Program.cost_usd), func.max(Program.cost_usd)).where(
        Program.retired.is_(False))
    if kind is not None:
        statement = statement.where(Program.kind == kind)
    count, lowest, highest = session.execute(statement).one()
    return KindFigures(count, lowest, highest)
