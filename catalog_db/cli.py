"""The `python -m catalog_db` command: upgrade the schema; check, load, export and index the catalog.

Exit codes: 0 done, 1 invalid catalog data (nothing was changed), 2 database unreachable or failing.
"""
import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from catalog_db import nlp
from catalog_db.engine import database_url, get_engine, make_session
from catalog_db.loader import (
    SEED_PATH,
    InvalidCatalog,
    dump_catalog,
    export_catalog,
    load_catalog,
    parse_catalog,
)
from catalog_db.migrations import SchemaUpgrade, upgrade_schema
from catalog_db.models import Program
from catalog_db.queries import name_index

EXIT_OK, EXIT_INVALID, EXIT_DATABASE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    data = parse_catalog(args.file)
    print(f"{args.file}: valid ({len(data.programs)} programs, {len(data.institutions)} institutions)")
    return EXIT_OK


def _describe(upgrade: SchemaUpgrade) -> str:
    if upgrade.before is None:
        return f"Created the catalog's tables (schema revision {upgrade.after})"
    found = f"revision {upgrade.before}"
    if upgrade.recognised:
        found = f"{found} (its tables were made before migrations)"
    if upgrade.before == upgrade.after:
        return f"The catalog's schema is up to date: {found}"
    return f"Upgraded the catalog's schema from {found} to revision {upgrade.after}"


def _upgraded(url: Optional[str]) -> None:
    """Bring the schema up to date first: every command that writes expects the newest tables."""
    print(_describe(upgrade_schema(get_engine(url, create=True))))


def _upgrade(args: argparse.Namespace) -> int:
    _upgraded(args.url)
    return EXIT_OK


def _load(args: argparse.Namespace) -> int:
    data = parse_catalog(args.file)  # before touching the database, so bad data changes nothing
    _upgraded(args.url)
    with make_session(args.url) as session, session.begin():
        load_catalog(session, data)
    print(f"Loaded {len(data.programs)} programs from {args.file}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    with make_session(args.url) as session:
        text = dump_catalog(export_catalog(session))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _ensure(args: argparse.Namespace) -> int:
    _upgraded(args.url)
    with make_session(args.url) as session, session.begin():
        count = session.scalar(select(func.count()).select_from(Program))
        if count:
            print(f"The catalog holds {count} programs; left as it is")
            return EXIT_OK
        data = parse_catalog(SEED_PATH)
        load_catalog(session, data)
    print(f"Loaded {len(data.programs)} programs from {SEED_PATH}")
    return EXIT_OK


def _build_nlp(args: argparse.Namespace) -> int:
    with make_session(args.url) as session:
        names = name_index(session)
    if not names:
        print("The catalog has no programs: load one first", file=sys.stderr)
        return EXIT_INVALID
    if nlp.saved_fingerprint(args.out_dir) == nlp.fingerprint(nlp.ruler_patterns(names)):
        print(f"{args.out_dir} is up to date")
        return EXIT_OK
    nlp.save_pipeline(nlp.build_pipeline(names), args.out_dir)
    print(f"Saved the program-name pipeline ({len(names)} names) to {args.out_dir}")
    return EXIT_OK


COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {
    "upgrade": _upgrade,
    "validate": _validate,
    "load": _load,
    "export": _export,
    "ensure": _ensure,
    "build-nlp": _build_nlp,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m catalog_db", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    upgrade = commands.add_parser("upgrade", help="create or upgrade the catalog's tables to the newest schema")
    validate = commands.add_parser("validate", help="check a catalog file; no database needed")
    validate.add_argument("file", type=Path)
    load = commands.add_parser("load", help="replace the database's catalog with a file, in one transaction")
    load.add_argument("file", type=Path, nargs="?", default=SEED_PATH, help="default: the shipped seed")
    export = commands.add_parser("export", help="write the database's catalog as YAML")
    export.add_argument("-o", "--output", type=Path, help="default: standard output")
    ensure = commands.add_parser("ensure", help="upgrade the schema; load the seed if there are no programs")
    build = commands.add_parser("build-nlp", help="save the spaCy pipeline of program names if they changed")
    build.add_argument("out_dir", type=Path)
    for command in (upgrade, load, export, ensure, build):
        command.add_argument("--url", help="database URL (default: $CATALOG_DB_URL or var/catalog.sqlite3)")
    return parser


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the configured URL"


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidCatalog as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        print(f"{len(invalid.errors)} problem(s) found; nothing was changed", file=sys.stderr)
        return EXIT_INVALID
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip()
        url = _shown(getattr(args, "url", None) or database_url())
        print(f"Catalog database {url} is unreachable or failing: {reason}", file=sys.stderr)
        return EXIT_DATABASE
