"""The catalog's YAML file: check it without a database, load it in one transaction, export it back.

`parse_catalog` reports every problem it finds, each with the file, line and record, so one run
shows everything that needs fixing.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog_db.models import Institution, Program, ProgramAlias, ProgramTopic
from catalog_db.names import normalize_name
from catalog_db.record_schema import (
    INSTITUTION_FIELDS,
    PROGRAM_DEFAULTS,
    PROGRAM_FIELDS,
    RELATED_FIELDS,
    CheckedRecord,
    check_institution,
    check_program,
)

SEED_PATH = Path(__file__).resolve().parent / "seed" / "catalog.yml"


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
        self.repeated(mapping, label)

    def repeated(self, mapping: _Mapping, label: str) -> None:
        for key, line in mapping.repeated:
            self.error(line, label, f"field {key!r} is given twice")

    def record(
        self, record: Any, check: Callable[[Mapping[str, Any]], CheckedRecord], label: str, section_line: int
    ) -> Optional[CheckedRecord]:
        """The record checked by the schema, its errors reported at their fields' lines; None if not a mapping."""
        if not isinstance(record, _Mapping):
            self.error(section_line, label, f"expected a mapping of fields, not {record!r}")
            return None
        self.repeated(record, label)  # YAML keeps the last of a repeated key; the schema never sees it
        checked = check(record)
        for problem in checked.errors:
            self.error(_line(record, problem.field), label, problem.reason)
        return checked

    def institution(self, record: Any, index: int, section_line: int) -> Optional[Dict[str, Any]]:
        label = _label(record, "name", f"institutions[{index}]")
        checked = self.record(record, check_institution, label, section_line)
        if checked is None:
            return None
        name = checked.values["name"]
        if name is not None:
            earlier = self.institution_names.setdefault(name, record.line)
            if earlier != record.line:
                self.error(record.line, label, f"institution listed twice (first on line {earlier})")
        return checked.values

    def program(self, record: Any, index: int, section_line: int) -> Optional[Dict[str, Any]]:
        label = _label(record, "slug", f"programs[{index}]")
        checked = self.record(record, check_program, label, section_line)
        if checked is None:
            return None
        values, wrong = checked.values, {problem.field for problem in checked.errors}
        slug = values["slug"]
        if slug is not None and "slug" not in wrong:
            earlier = self.slugs.setdefault(slug, record.line)
            if earlier != record.line:
                self.error(_line(record, "slug"), label, f"slug already used on line {earlier}")
        institution = values["institution"]
        if institution is not None and institution not in self.institution_names:
            self.error(_line(record, "institution"), label, f"unknown institution {institution!r}")
        self.check_names(record, values, label)
        return values

    def check_names(self, record: _Mapping, values: Dict[str, Any], label: str) -> None:
        """Each name and alias must lead to one program only, or lookups by name would be ambiguous."""
        surfaces = [("name", values["name"])] if values["name"] else []
        surfaces += [("aliases", alias) for alias in values["aliases"]]
        for field_name, surface in surfaces:
            key = normalize_name(surface)
            if not key:
                continue  # the schema reported it
            owner = self.name_owners.setdefault(key, values["slug"] or label)
            if owner != (values["slug"] or label):
                self.error(_line(record, field_name), label, f"{surface!r} is already a name or alias of {owner!r}")


def _label(record: Any, key: str, fallback: str) -> str:
    """How errors name a record: its slug or name when it has a usable one, else its position."""
    value = record.get(key) if isinstance(record, dict) else None
    return value if isinstance(value, str) and value.strip() else fallback


def parse_catalog(path: Union[str, Path]) -> CatalogData:
    """Read and check a catalog file; raises InvalidCatalog listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidCatalog([CatalogError(str(path), 1, "file", f"cannot be read: {error.strerror}")]) from None
    return parse_catalog_text(text, str(path))


def parse_catalog_text(text: str, file: str) -> CatalogData:
    """Check a catalog given as text (a file uploaded to the desk), its errors told of `file`."""
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
        columns = {key: value for key, value in record.items() if key not in RELATED_FIELDS}
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
        values = program_record(program)
        programs.append({key: values[key] for key in PROGRAM_FIELDS
                         if values[key] not in (None, []) and values[key] != PROGRAM_DEFAULTS.get(key)})
    return {"institutions": institutions, "programs": programs}


def program_record(program: Program) -> Dict[str, Any]:
    """A program as a record of the schema: every field, None or [] when the catalog holds nothing."""
    values = {key: _plain(getattr(program, key)) for key in PROGRAM_FIELDS if key not in RELATED_FIELDS}
    values["institution"] = program.institution.name
    values["aliases"] = [alias.alias for alias in program.aliases]
    values["topics"] = [topic.topic for topic in program.topics]
    return {key: values[key] for key in PROGRAM_FIELDS}


def dump_catalog(catalog: Dict[str, List[Dict[str, Any]]]) -> str:
    """YAML text for an exported catalog, fields in the seed's order."""
    # libyaml's emitter, where PyYAML was built with it: four times faster on thousands of programs.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(catalog, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)
