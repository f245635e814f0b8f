"""The catalog's YAML file: check it without a database, load it in one transaction, export it back.

`parse_catalog` reports every problem it finds, each with the file, line and record, so one run
shows everything that needs fixing.
"""
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog_db.models import (
    DELIVERY_FORMATS,
    DURATION_UNITS,
    KINDS,
    LEVELS,
    Institution,
    Program,
    ProgramAlias,
    ProgramTopic,
)
from catalog_db.names import normalize_name

SEED_PATH = Path(__file__).resolve().parent / "seed" / "catalog.yml"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CatalogError:
    """One problem in a catalog file."""

    file: str
    line: int
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.record}: {self.reason}"


class InvalidCatalog(Exception):
    """A catalog file with problems; `errors` lists all of them."""

    def __init__(self, errors: List[CatalogError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class CatalogData:
    """A checked catalog. Records hold every field (None or [] when absent), named as in the YAML."""

    institutions: Tuple[Dict[str, Any], ...]
    programs: Tuple[Dict[str, Any], ...]


@dataclass(frozen=True)
class _Field:
    types: Tuple[type, ...]
    expected: str
    required: bool = False
    choices: Tuple[str, ...] = ()

    def problem(self, value: Any) -> Optional[str]:
        """Why `value` does not fit this field, or None."""
        # bool is a subclass of int, so `true` would otherwise pass as a number.
        if not isinstance(value, self.types) or (isinstance(value, bool) and bool not in self.types):
            return f"must be {self.expected}, not {value!r}"
        if self.choices and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}, not {value!r}"
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            return f"must not be negative, not {value!r}"
        if isinstance(value, str) and not value.strip():
            return "must not be empty"
        if isinstance(value, list) and not all(isinstance(item, str) and item.strip() for item in value):
            return "must be a list of non-empty text"
        return None


_TEXT = _Field((str,), "text")
_REQUIRED_TEXT = _Field((str,), "text", required=True)
_WHOLE_NUMBER = _Field((int,), "a whole number")
_LIST = _Field((list,), "a list")

INSTITUTION_FIELDS = {
    "name": _REQUIRED_TEXT,
    "phone": _TEXT,
    "email": _TEXT,
    "website": _TEXT,
}
PROGRAM_FIELDS = {
    "slug": _REQUIRED_TEXT,
    "name": _REQUIRED_TEXT,
    "kind": _Field((str,), "text", required=True, choices=KINDS),
    "level": _Field((str,), "text", choices=LEVELS),
    "institution": _REQUIRED_TEXT,
    "cost_usd": _Field((int, float), "a number"),
    "duration_min": _WHOLE_NUMBER,
    "duration_max": _WHOLE_NUMBER,
    "duration_unit": _Field((str,), "text", choices=DURATION_UNITS),
    "credits_min": _WHOLE_NUMBER,
    "credits_max": _WHOLE_NUMBER,
    "delivery_format": _Field((str,), "text", choices=DELIVERY_FORMATS),
    "eligibility": _TEXT,
    "financial_aid": _Field((bool,), "true or false"),
    "audience": _TEXT,
    "summary": _TEXT,
    "stacks_into": _TEXT,
    "aliases": _LIST,
    "topics": _LIST,
}
# Program fields that are not columns of `programs`.
_RELATED = ("institution", "aliases", "topics")
_TOP_LEVEL_KEYS = ("institutions", "programs")


class _Mapping(dict):
    """A YAML mapping that remembers its line, each key's line and any key written twice."""

    line: int
    key_lines: Dict[Any, int]
    repeated: List[Tuple[Any, int]]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are `_Mapping`s, so errors can point at a line."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.repeated = {}, []
    for key_node, _ in node.value:
        key, line = loader.construct_object(key_node), key_node.start_mark.line + 1
        if key in mapping.key_lines:
            mapping.repeated.append((key, line))
        mapping.key_lines.setdefault(key, line)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line(mapping: _Mapping, key: str) -> int:
    """The line of `key` in the mapping, or of the mapping itself when the key is absent."""
    return mapping.key_lines.get(key, mapping.line)


@dataclass
class _Checker:
    """Checks a parsed document record by record, collecting errors instead of stopping."""

    file: str
    errors: List[CatalogError] = field(default_factory=list)
    institution_names: Dict[str, int] = field(default_factory=dict)  # name -> line
    slugs: Dict[str, int] = field(default_factory=dict)  # slug -> line
    name_owners: Dict[str, str] = field(default_factory=dict)  # normalized name or alias -> slug

    def error(self, line: int, record: str, reason: str) -> None:
        self.errors.append(CatalogError(self.file, line, record, reason))

    def catalog(self, document: Any) -> CatalogData:
        """The checked records; only meaningful when no errors were found."""
        if not isinstance(document, _Mapping):
            self.error(1, "file", "expected a mapping with 'institutions' and 'programs'")
            return CatalogData((), ())
        self.unknown_and_repeated(document, _TOP_LEVEL_KEYS, "file")
        sections = {}
        for key in _TOP_LEVEL_KEYS:
            sections[key] = document.get(key)
            if not isinstance(sections[key], list):
                self.error(_line(document, key), "file", f"'{key}' must be a list")
                sections[key] = []
        # Institutions first: programs refer to them by name.
        institutions = tuple(
            self.institution(record, index, _line(document, "institutions"))
            for index, record in enumerate(sections["institutions"])
        )
        programs = tuple(
            self.program(record, index, _line(document, "programs"))
            for index, record in enumerate(sections["programs"])
        )
        return CatalogData(institutions, programs)

    def unknown_and_repeated(self, mapping: _Mapping, known: Tuple[str, ...], label: str) -> None:
        for key, line in mapping.key_lines.items():
            if key not in known:
                self.error(line, label, f"unknown field {key!r}")
        for key, line in mapping.repeated:
            self.error(line, label, f"field {key!r} is given twice")

    def fields(
        self, record: Any, spec: Dict[str, _Field], label: str, section_line: int
    ) -> Optional[Dict[str, Any]]:
        """The record's values by field name, None for a missing or wrong value; None if not a mapping."""
        if not isinstance(record, _Mapping):
            self.error(section_line, label, f"expected a mapping of fields, not {record!r}")
            return None
        self.unknown_and_repeated(record, tuple(spec), label)
        values: Dict[str, Any] = {}
        for key, rule in spec.items():
            value = record.get(key)
            values[key] = [] if rule.types == (list,) else None
            if value is None:
                if rule.required:
                    self.error(record.line, label, f"missing required field {key!r}")
            elif (problem := rule.problem(value)) is not None:
                self.error(_line(record, key), label, f"{key} {problem}")
            else:
                values[key] = value
        return values

    def institution(self, record: Any, index: int, section_line: int) -> Optional[Dict[str, Any]]:
        label = _label(record, "name", f"institutions[{index}]")
        values = self.fields(record, INSTITUTION_FIELDS, label, section_line)
        if values is not None and values["name"] is not None:
            earlier = self.institution_names.setdefault(values["name"], record.line)
            if earlier != record.line:
                self.error(record.line, label, f"institution listed twice (first on line {earlier})")
        return values

    def program(self, record: Any, index: int, section_line: int) -> Optional[Dict[str, Any]]:
        label = _label(record, "slug", f"programs[{index}]")
        values = self.fields(record, PROGRAM_FIELDS, label, section_line)
        if values is None:
            return None
        at = partial(_line, record)  # the line of a field, for error messages
        slug = values["slug"]
        if slug is not None and not _SLUG.match(slug):
            self.error(at("slug"), label, "slug must be lowercase letters and digits joined by hyphens")
        elif slug in self.slugs:
            self.error(at("slug"), label, f"slug already used on line {self.slugs[slug]}")
        elif slug is not None:
            self.slugs[slug] = record.line
        institution = values["institution"]
        if institution is not None and institution not in self.institution_names:
            self.error(at("institution"), label, f"unknown institution {institution!r}")
        for low, high in (("duration_min", "duration_max"), ("credits_min", "credits_max")):
            if values[low] is not None and values[high] is not None and values[low] > values[high]:
                self.error(at(low), label, f"{low} {values[low]} is greater than {high} {values[high]}")
        has_duration = values["duration_min"] is not None or values["duration_max"] is not None
        if has_duration != (values["duration_unit"] is not None):
            self.error(at("duration_unit"), label, "a duration needs both a number and a duration_unit")
        self.check_names(values, label, at("name"), at("aliases"))
        values["topics"] = [" ".join(topic.lower().split()) for topic in values["topics"]]
        if len(set(values["topics"])) < len(values["topics"]):
            self.error(at("topics"), label, "a topic is listed twice")
        return values

    def check_names(self, values: Dict[str, Any], label: str, name_line: int, aliases_line: int) -> None:
        """Each name and alias must lead to one program only, or lookups by name would be ambiguous."""
        surfaces = [(values["name"], name_line)] if values["name"] else []
        surfaces += [(alias, aliases_line) for alias in values["aliases"]]
        for surface, line in surfaces:
            key = normalize_name(surface)
            owner = self.name_owners.setdefault(key, values["slug"] or label)
            if not key:
                self.error(line, label, f"{surface!r} has no letters or digits")
            elif owner != (values["slug"] or label):
                self.error(line, label, f"{surface!r} is already a name or alias of {owner!r}")


def _label(record: Any, key: str, fallback: str) -> str:
    """How errors name a record: its slug or name when it has a usable one, else its position."""
    value = record.get(key) if isinstance(record, dict) else None
    return value if isinstance(value, str) and value.strip() else fallback


def parse_catalog(path: Union[str, Path]) -> CatalogData:
    """Read and check a catalog file; raises InvalidCatalog listing every problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidCatalog([CatalogError(file, 1, "file", f"cannot be read: {error.strerror}")]) from None
    try:
        document = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = f"invalid YAML: {getattr(error, 'problem', None) or error}"
        raise InvalidCatalog([CatalogError(file, mark.line + 1 if mark else 1, "file", reason)]) from None
    checker = _Checker(file)
    data = checker.catalog(document)
    if checker.errors:
        raise InvalidCatalog(sorted(checker.errors, key=lambda error: error.line))
    return data


def load_catalog(session: Session, data: CatalogData, replace: bool = True) -> None:
    """Write a checked catalog in the session's transaction; the caller commits or rolls back.

    With `replace` the existing catalog is deleted first; otherwise programs are added and
    institutions with the same name are updated (a slug already present fails on flush).
    """
    if replace:
        for model in (ProgramTopic, ProgramAlias, Program, Institution):
            session.execute(delete(model))
    institutions = {row.name: row for row in session.scalars(select(Institution))}
    for record in data.institutions:
        institution = institutions.setdefault(record["name"], Institution())
        for key, value in record.items():
            setattr(institution, key, value)
        session.add(institution)
    for record in data.programs:
        columns = {key: value for key, value in record.items() if key not in _RELATED}
        session.add(
            Program(
                **columns,
                institution=institutions[record["institution"]],
                aliases=[ProgramAlias(alias=alias) for alias in record["aliases"]],
                topics=[ProgramTopic(topic=topic) for topic in record["topics"]],
            )
        )
    # Surface constraint violations here, while the caller can still roll back.
    session.flush()


def _plain(value: Any) -> Any:
    """Whole-dollar costs as ints, so the export reads `cost_usd: 100` like the seed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def export_catalog(session: Session) -> Dict[str, List[Dict[str, Any]]]:
    """The database's catalog as the YAML structure `parse_catalog` reads, leaving out empty fields."""
    institutions = [
        {key: getattr(row, key) for key in INSTITUTION_FIELDS if getattr(row, key) is not None}
        for row in session.scalars(select(Institution).order_by(Institution.id))
    ]
    programs = []
    statement = (
        select(Program)
        .options(joinedload(Program.institution), selectinload(Program.aliases), selectinload(Program.topics))
        .order_by(Program.id)
    )
    for program in session.scalars(statement):
        values = {key: _plain(getattr(program, key)) for key in PROGRAM_FIELDS if key not in _RELATED}
        values["institution"] = program.institution.name
        values["aliases"] = [alias.alias for alias in program.aliases]
        values["topics"] = [topic.topic for topic in program.topics]
        programs.append({key: values[key] for key in PROGRAM_FIELDS if values[key] not in (None, [])})
    return {"institutions": institutions, "programs": programs}


def dump_catalog(catalog: Dict[str, List[Dict[str, Any]]]) -> str:
    """YAML text for an exported catalog, fields in the seed's order."""
    return yaml.safe_dump(catalog, sort_keys=False, allow_unicode=True, width=110)
