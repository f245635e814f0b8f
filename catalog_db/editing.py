"""Editing the catalog one program at a time (the desk's catalog pages), checked by the record schema.

`save_program` judges a record with `record_schema.check_program`, the same rules the YAML loader
applies, and then against the other programs in the database (a slug, name or alias that another
program has, an institution the catalog does not hold), as the loader does against the rest of
the file. Plain functions on a Session; the caller owns the transaction.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog_db.loader import program_record
from catalog_db.models import Institution, Program, ProgramAlias, ProgramTopic
from catalog_db.names import normalize_name
from catalog_db.record_schema import PROGRAM_FIELDS, RELATED_FIELDS, FieldError, check_program

STATUSES = ("offered", "retired", "all")


class InvalidProgram(ValueError):
    """A program record with problems, each told of its field."""

    def __init__(self, errors: List[FieldError]) -> None:
        super().__init__("; ".join(error.reason for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class ProgramRow:
    """One line of the catalog's list."""

    slug: str
    name: str
    kind: str
    level: Optional[str]
    institution: str
    cost_usd: Optional[float]
    duration_min: Optional[int]
    duration_max: Optional[int]
    duration_unit: Optional[str]
    delivery_format: Optional[str]
    retired: bool


def program_rows(session: Session, words: str = "", kind: Optional[str] = None, status: str = "offered",
                 page: int = 1, per_page: int = 100) -> Tuple[List[ProgramRow], int]:
    """A page of programs by name, and how many match: `words` anywhere in a name, alias, topic or slug."""
    conditions = []
    key = normalize_name(words)
    if key:
        aliases = select(ProgramAlias.program_id).where(ProgramAlias.alias_normalized.contains(key, autoescape=True))
        topics = select(ProgramTopic.program_id).where(ProgramTopic.topic.contains(key, autoescape=True))
        conditions.append(or_(Program.name_normalized.contains(key, autoescape=True),
                              Program.slug.contains(words.strip().lower(), autoescape=True),
                              Program.id.in_(aliases), Program.id.in_(topics)))
    if kind:
        conditions.append(Program.kind == kind)
    if status != "all":
        conditions.append(Program.retired.is_(status == "retired"))
    total = session.scalar(select(func.count()).select_from(Program).where(*conditions))
    rows = session.execute(
        select(Program.slug, Program.name, Program.kind, Program.level, Institution.name, Program.cost_usd,
               Program.duration_min, Program.duration_max, Program.duration_unit, Program.delivery_format,
               Program.retired)
        .join(Program.institution).where(*conditions).order_by(Program.name, Program.slug)
        .limit(per_page).offset((max(page, 1) - 1) * per_page))
    return [ProgramRow(*row) for row in rows], total


def institution_names(session: Session) -> List[str]:
    return list(session.scalars(select(Institution.name).order_by(Institution.name)))


def _program(session: Session, slug: str) -> Optional[Program]:
    return session.scalars(
        select(Program).where(Program.slug == slug)
        .options(joinedload(Program.institution), selectinload(Program.aliases), selectinload(Program.topics))
    ).first()


def program(session: Session, slug: str) -> Optional[Dict[str, Any]]:
    """The program with this slug as a record of the schema, or None."""
    found = _program(session, slug)
    return program_record(found) if found else None


def _name_owner(session: Session, key: str, other_than: Optional[int]) -> Optional[str]:
    """The slug of another program named or aliased `key` (normalized), if any."""
    aliased = select(ProgramAlias.program_id).where(ProgramAlias.alias_normalized == key)
    statement = select(Program.slug).where(or_(Program.name_normalized == key, Program.id.in_(aliased)))
    if other_than is not None:
        statement = statement.where(Program.id != other_than)
    return session.scalars(statement.limit(1)).first()


def _against_the_catalog(session: Session, values: Dict[str, Any], wrong: set,
                         editing: Optional[Program]) -> List[FieldError]:
    """What makes a record clash with the other programs: the database's twin of the loader's checks
    across a file."""
    errors = []
    own_id = editing.id if editing else None
    if "slug" not in wrong and values["slug"] is not None:
        holder = _program(session, values["slug"])
        if holder is not None and holder.id != own_id:
            errors.append(FieldError("slug", f"slug {values['slug']!r} is already used by {holder.name!r}"))
    if values["institution"] is not None and values["institution"] not in institution_names(session):
        errors.append(FieldError("institution", f"unknown institution {values['institution']!r}"))
    surfaces = [("name", values["name"])] if values["name"] and "name" not in wrong else []
    surfaces += [("aliases", alias) for alias in values["aliases"]] if "aliases" not in wrong else []
    for field, surface in surfaces:
        key = normalize_name(surface)
        owner = _name_owner(session, key, own_id) if key else None
        if owner is not None:
            errors.append(FieldError(field, f"{surface!r} is already a name or alias of {owner!r}"))
    return errors


def save_program(session: Session, record: Mapping[str, Any], slug: Optional[str] = None) -> Tuple[str, List[str]]:
    """Add a program (`slug` None) or change the one with `slug`: its slug after saving and the fields
    that changed. InvalidProgram lists every problem; LookupError when `slug` names no program."""
    editing = _program(session, slug) if slug is not None else None
    if slug is not None and editing is None:
        raise LookupError(slug)
    checked = check_program(record)
    errors = list(checked.errors)
    errors += _against_the_catalog(session, checked.values, {error.field for error in errors}, editing)
    if errors:
        raise InvalidProgram(errors)
    values = checked.values
    before = program_record(editing) if editing else {}
    changed = [key for key in PROGRAM_FIELDS if before.get(key) != values[key]]
    target = editing or Program()
    for key, value in values.items():
        if key not in RELATED_FIELDS:
            setattr(target, key, value)
    target.institution = session.scalars(select(Institution).where(Institution.name == values["institution"])).one()
    # Rows kept where the text is the same, so an unchanged alias or topic is not deleted and added again.
    aliases = {alias.alias: alias for alias in target.aliases}
    target.aliases = [aliases.get(alias) or ProgramAlias(alias=alias) for alias in values["aliases"]]
    topics = {topic.topic: topic for topic in target.topics}
    target.topics = [topics.get(topic) or ProgramTopic(topic=topic) for topic in values["topics"]]
    session.add(target)
    session.flush()
    return target.slug, changed


def set_retired(session: Session, slug: str, retired: bool) -> bool:
    """Retire a program (or offer it again); False when it already was. LookupError for an unknown slug."""
    found = session.scalars(select(Program).where(Program.slug == slug)).first()
    if found is None:
        raise LookupError(slug)
    if found.retired == retired:
        return False
    found.retired = retired
    session.flush()
    return True
