"""The catalog on the desk (admins): list, search, add, edit, retire and restore programs, and import or
export the whole catalog as the YAML file `python -m catalog_db` reads and writes.

Forms are checked by catalog_db's record schema, the loader's own rules (catalog_db/editing.py); a
change is in the catalog database at once, and the assistant reads program names from there every
few seconds (bot/understanding/catalog_index.py), so a new or renamed program is answered without
retraining. Every change is in the audit log with who made it.
"""
import asyncio
import logging
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.orm import Session

from catalog_db import editing
from catalog_db.loader import (
    CatalogData,
    InvalidCatalog,
    dump_catalog,
    export_catalog,
    load_catalog,
    parse_catalog_text,
)
from catalog_db.models import KINDS
from catalog_db.record_schema import PROGRAM_FIELDS, FieldError
from channels.desk.keys import catalog_key, db_key
from channels.desk.views import _url, coach_required, page
from handoff_db.handoffs import audit

logger = logging.getLogger(__name__)

PER_PAGE = 100
MAX_IMPORT_BYTES = 10 * 1024 * 1024  # thousands of programs; the desk's other forms stay at 64 KB
# The form's fields: every field of the schema but `retired`, which has buttons of its own.
FORM_FIELDS = [key for key in PROGRAM_FIELDS if key != "retired"]
LABELS = {
    "slug": "Slug (in links and the YAML file)", "name": "Name", "kind": "Kind", "level": "Level",
    "institution": "Institution", "cost_usd": "Cost (US dollars)", "duration_min": "Length from",
    "duration_max": "Length to", "duration_unit": "Length in", "credits_min": "Credits from",
    "credits_max": "Credits to", "delivery_format": "Format", "eligibility": "Who can enrol",
    "financial_aid": "Financial aid", "audience": "Good for", "summary": "Summary",
    "stacks_into": "Stacks into", "start_dates": "Start dates", "page_url": "Page on the website",
    "how_to_enrol": "How to enrol", "aliases": "Other names learners use (one a line)",
    "topics": "Topics (one a line)",
}


def _audit(request: web.Request, action: str) -> None:
    """The audit row, once the catalog's change is committed (the two may be one SQLite file, which
    takes one writer at a time)."""
    with request.app[db_key]() as session, session.begin():
        audit(session, request["desk_session"].coach, action[:100])
    logger.info("%s: %s", request["desk_session"].coach, action)


def record_from_form(form: Mapping[str, str]) -> Dict[str, Any]:
    """A form's fields as a record of the schema: empty fields left out, numbers and yes/no read as
    such; text that is no number is passed on as it is, for the schema to say so beside its field."""
    record: Dict[str, Any] = {}
    for key in FORM_FIELDS:
        rule, raw = PROGRAM_FIELDS[key], str(form.get(key, ""))
        if rule.types == (list,):
            record[key] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif not raw.strip():
            continue
        elif bool in rule.types:
            record[key] = {"yes": True, "no": False}.get(raw, raw)
        elif int in rule.types:
            record[key] = _number(raw.strip(), float in rule.types)
        else:
            record[key] = raw.strip()
    return record


def _number(text: str, fractions: bool) -> Any:
    for kind in (int, float) if fractions else (int,):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _form_values(record: Mapping[str, Any]) -> Dict[str, str]:
    """A record as the form shows it."""
    shown = {}
    for key in FORM_FIELDS:
        value = record.get(key)
        if isinstance(value, list):
            shown[key] = "\n".join(value)
        elif isinstance(value, bool):
            shown[key] = "yes" if value else "no"
        else:
            shown[key] = "" if value is None else str(value)
    return shown


def _errors_by_field(errors: List[FieldError]) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for error in errors:
        found.setdefault(error.field, []).append(error.reason)
    return found


def _program_form(request: web.Request, session: Session, values: Mapping[str, str], slug: Optional[str],
                  retired: bool = False, errors: Optional[List[FieldError]] = None, status: int = 200,
                  notice: Optional[str] = None) -> web.Response:
    return page(request, "program.html", status=status, values=values, slug=slug, retired=retired,
                errors=_errors_by_field(errors or []), fields=FORM_FIELDS, rules=PROGRAM_FIELDS, labels=LABELS,
                institutions=editing.institution_names(session), notice=notice)


def _catalog_list(request: web.Request, words: str = "", kind: str = "", shown: str = "offered", number: int = 1,
                  notice: Optional[str] = None, problems: Optional[List[str]] = None, status: int = 200) -> web.Response:
    with request.app[catalog_key]() as session:
        rows, total = editing.program_rows(session, words, kind or None, shown, number, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    kept = {name: value for name, value in (("q", words), ("kind", kind), ("status", shown)) if value}
    return page(request, "catalog.html", status=status, rows=rows, total=total, words=words, kind=kind, shown=shown,
                kinds=KINDS, statuses=editing.STATUSES, page_number=min(number, pages), pages=pages, notice=notice,
                problems=problems or [], page_url=lambda n: _url(request, "catalog") + "?" + urlencode({**kept, "page": n}))


@coach_required(admin=True)
async def catalog_page(request: web.Request) -> web.Response:
    """Programs by name, 100 a page: search words, kind and status (offered, retired, every program)."""
    query = request.query
    kind, shown = query.get("kind", ""), query.get("status", "offered")
    if kind and kind not in KINDS or shown not in editing.STATUSES:
        raise web.HTTPBadRequest(text="No such kind or status.")
    try:
        number = max(1, int(query.get("page", "1")))
    except ValueError:
        raise web.HTTPBadRequest(text="`page` must be a number.") from None
    return _catalog_list(request, query.get("q", "")[:200], kind, shown, number, notice=query.get("notice"))


@coach_required(admin=True)
async def new_program_page(request: web.Request) -> web.Response:
    with request.app[catalog_key]() as session:
        return _program_form(request, session, _form_values({}), None)


@coach_required(admin=True)
async def program_page(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    with request.app[catalog_key]() as session:
        record = editing.program(session, slug)
        if record is None:
            raise web.HTTPNotFound(text="No such program.")
        return _program_form(request, session, _form_values(record), slug, record["retired"],
                             notice=request.query.get("notice"))


def _saved(request: web.Request, slug: str, notice: str) -> web.HTTPFound:
    return web.HTTPFound(_url(request, "program", slug=slug) + "?" + urlencode({"notice": notice}))


@coach_required(admin=True)
async def save_program(request: web.Request) -> web.StreamResponse:
    """Add a program (no slug in the path) or change one: the whole form, checked field by field."""
    form, slug = request["form"], request.match_info.get("slug")
    record = record_from_form(form)
    with request.app[catalog_key]() as session:
        try:
            with session.begin():
                if slug is not None:
                    current = editing.program(session, slug)
                    if current is None:
                        raise web.HTTPNotFound(text="No such program.")
                    record["retired"] = current["retired"]
                saved, changed = editing.save_program(session, record, slug)
        except editing.InvalidProgram as invalid:
            return _program_form(request, session, _form_values(record), slug, bool(record.get("retired")),
                                 invalid.errors, status=400)
    if slug is None:
        _audit(request, f"program added: {saved}")
        raise _saved(request, saved, "Added. Learners can ask about it now.")
    if not changed:
        raise _saved(request, saved, "Nothing changed.")
    _audit(request, f"program changed: {slug}" + (f" -> {saved}" if saved != slug else "") + f" ({', '.join(changed)})")
    raise _saved(request, saved, "Saved. Learners get the new details now.")


@coach_required(admin=True)
async def retire_program(request: web.Request) -> web.StreamResponse:
    """Retire a program (hidden from lists, answered "no longer offered") or offer it again."""
    slug, retired = request.match_info["slug"], request["form"].get("retired") == "yes"
    try:
        with request.app[catalog_key]() as session, session.begin():
            changed = editing.set_retired(session, slug, retired)
    except LookupError:
        raise web.HTTPNotFound(text="No such program.") from None
    if changed:
        _audit(request, f"program {'retired' if retired else 'offered again'}: {slug}")
    raise _saved(request, slug, "Retired: no longer listed, and learners who ask are told it is no longer offered."
                 if retired else "Offered again.")


@coach_required(admin=True)
async def export_page(request: web.Request) -> web.Response:
    """The catalog as `python -m catalog_db export` writes it."""
    def export() -> str:
        with request.app[catalog_key]() as session:
            return dump_catalog(export_catalog(session))
    text = await asyncio.get_running_loop().run_in_executor(None, export)
    return web.Response(text=text, content_type="application/x-yaml", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="catalog.yml"'})


@coach_required(admin=True)
async def import_catalog(request: web.Request) -> web.Response:
    """Replace the whole catalog with an uploaded file, as `python -m catalog_db load` does: every
    problem listed and nothing changed, or all of it in one transaction. Reading thousands of programs
    takes seconds, so it runs in a worker thread, as the export does, and the desk keeps answering."""
    upload = request["form"].get("catalog")
    if not isinstance(upload, web.FileField):
        return _catalog_list(request, notice="Nothing was imported:", problems=["Choose a catalog file (YAML)."],
                             status=400)
    name = (upload.filename or "catalog.yml")[:100]

    def replace() -> CatalogData:
        data = parse_catalog_text(upload.file.read().decode("utf-8"), name)
        with request.app[catalog_key]() as session, session.begin():
            load_catalog(session, data)
        return data
    try:
        data = await asyncio.get_running_loop().run_in_executor(None, replace)
    except UnicodeDecodeError:
        return _catalog_list(request, notice="Nothing was imported:", problems=[f"{name} is not UTF-8 text."],
                             status=400)
    except InvalidCatalog as invalid:
        return _catalog_list(request, notice="Nothing was imported:", problems=[str(e) for e in invalid.errors],
                             status=400)
    _audit(request, f"catalog imported: {len(data.programs)} programs from {name}")
    raise web.HTTPFound(_url(request, "catalog") + "?" + urlencode(
        {"notice": f"Imported {len(data.programs)} programs from {name}; they replace the catalog."}))


import_catalog.max_body_bytes = MAX_IMPORT_BYTES  # read by the app's body-size middleware
