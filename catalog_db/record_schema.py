"""The rules one catalog record must follow, field by field: the one schema of a program (and of an
institution) that the YAML loader checks files with and the desk's catalog form checks edits with.

A record is a mapping of field names to values as YAML gives them (text, numbers, true/false,
lists). `check_program` and `check_institution` judge one record on its own; what depends on the
other records (a slug or name used twice, an institution that does not exist) is the caller's to
check, against the file or the database.
"""
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from sqlalchemy.orm import InstrumentedAttribute

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

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def is_web_address(text: str) -> bool:
    """An absolute http(s) address with a host: what a learner's browser can open from a button."""
    if any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class FieldRule:
    types: Tuple[type, ...]
    expected: str
    required: bool = False
    choices: Tuple[str, ...] = ()
    web_address: bool = False
    # The longest text (or list item) its column holds: PostgreSQL refuses longer text at load.
    max_length: Optional[int] = None

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
        if self.web_address and not is_web_address(value):
            return f"must be a web address starting with http:// or https://, not {value!r}"
        if isinstance(value, list) and not all(isinstance(item, str) and item.strip() for item in value):
            return "must be a list of non-empty text"
        texts = value if isinstance(value, list) else [value]
        longest = max((len(text) for text in texts if isinstance(text, str)), default=0)
        if self.max_length is not None and longest > self.max_length:
            each = " each" if isinstance(value, list) else ""
            return f"must{each} be at most {self.max_length} characters long, not {longest}"
        return None


def _text(column: InstrumentedAttribute, **rule: Any) -> FieldRule:
    return FieldRule((str,), "text", max_length=column.type.length, **rule)


def _list_of(column: InstrumentedAttribute) -> FieldRule:
    return FieldRule((list,), "a list", max_length=column.type.length)


_WHOLE_NUMBER = FieldRule((int,), "a whole number")

INSTITUTION_FIELDS: Dict[str, FieldRule] = {
    "name": _text(Institution.name, required=True),
    "phone": _text(Institution.phone),
    "email": _text(Institution.email),
    "website": _text(Institution.website),
}
# In the order the seed and the export write them.
PROGRAM_FIELDS: Dict[str, FieldRule] = {
    "slug": _text(Program.slug, required=True),
    "name": _text(Program.name, required=True),
    "kind": _text(Program.kind, required=True, choices=KINDS),
    "level": _text(Program.level, choices=LEVELS),
    "institution": _text(Institution.name, required=True),
    "cost_usd": FieldRule((int, float), "a number"),
    "duration_min": _WHOLE_NUMBER,
    "duration_max": _WHOLE_NUMBER,
    "duration_unit": _text(Program.duration_unit, choices=DURATION_UNITS),
    "credits_min": _WHOLE_NUMBER,
    "credits_max": _WHOLE_NUMBER,
    "delivery_format": _text(Program.delivery_format, choices=DELIVERY_FORMATS),
    "eligibility": _text(Program.eligibility),
    "financial_aid": FieldRule((bool,), "true or false"),
    "audience": _text(Program.audience),
    "summary": _text(Program.summary),
    "stacks_into": _text(Program.stacks_into),
    "start_dates": _text(Program.start_dates),
    "page_url": _text(Program.page_url, web_address=True),
    "how_to_enrol": _text(Program.how_to_enrol),
    "retired": FieldRule((bool,), "true or false"),
    "aliases": _list_of(ProgramAlias.alias),
    "topics": _list_of(ProgramTopic.topic),
}
# What an absent field means, where it is not "unknown": the export leaves these values out.
PROGRAM_DEFAULTS: Dict[str, Any] = {"retired": False}
# Program fields that are not columns of `programs`: the institution by name, aliases and topics rows.
RELATED_FIELDS = ("institution", "aliases", "topics")


@dataclass(frozen=True)
class FieldError:
    """One problem of a record, told of the field it is about (a form shows it beside that field)."""

    field: str
    reason: str  # a whole sentence, naming the field as the YAML file does


@dataclass(frozen=True)
class CheckedRecord:
    """Every field of the record's kind (None or [] when absent or not valid), and the problems found."""

    values: Dict[str, Any]
    errors: Tuple[FieldError, ...]


def _check_fields(record: Mapping[str, Any], rules: Dict[str, FieldRule]) -> Tuple[Dict[str, Any], list]:
    errors = [FieldError(key, f"unknown field {key!r}") for key in record if key not in rules]
    values: Dict[str, Any] = {}
    for key, rule in rules.items():
        value = record.get(key)
        values[key] = [] if rule.types == (list,) else None
        if value is None:
            if rule.required:
                errors.append(FieldError(key, f"missing required field {key!r}"))
        elif (problem := rule.problem(value)) is not None:
            errors.append(FieldError(key, f"{key} {problem}"))
        else:
            values[key] = value
    return values, errors


def check_institution(record: Mapping[str, Any]) -> CheckedRecord:
    values, errors = _check_fields(record, INSTITUTION_FIELDS)
    return CheckedRecord(values, tuple(errors))


def check_program(record: Mapping[str, Any]) -> CheckedRecord:
    values, errors = _check_fields(record, PROGRAM_FIELDS)
    for key, default in PROGRAM_DEFAULTS.items():
        values[key] = default if values[key] is None else values[key]
    if values["slug"] is not None and not SLUG.match(values["slug"]):
        errors.append(FieldError("slug", "slug must be lowercase letters and digits joined by hyphens"))
    for low, high in (("duration_min", "duration_max"), ("credits_min", "credits_max")):
        if values[low] is not None and values[high] is not None and values[low] > values[high]:
            errors.append(FieldError(low, f"{low} {values[low]} is greater than {high} {values[high]}"))
    has_duration = values["duration_min"] is not None or values["duration_max"] is not None
    if has_duration != (values["duration_unit"] is not None):
        errors.append(FieldError("duration_unit", "a duration needs both a number and a duration_unit"))
    # Lookups by name normalize the text typed, so a name or alias must keep something once normalized.
    surfaces = [("name", values["name"])] if values["name"] is not None else []
    for field, surface in [*surfaces, *(("aliases", alias) for alias in values["aliases"])]:
        if not normalize_name(surface):
            errors.append(FieldError(field, f"{surface!r} has no letters or digits"))
    values["topics"] = [" ".join(topic.lower().split()) for topic in values["topics"]]
    if len(set(values["topics"])) < len(values["topics"]):
        errors.append(FieldError("topics", "a topic is listed twice"))
    return CheckedRecord(values, tuple(errors))
