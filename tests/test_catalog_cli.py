"""`python -m catalog_db`: its commands, messages and exit codes (0 ok, 1 invalid data, 2 database)."""
import pytest
import yaml
from sqlalchemy import delete, func, select

from catalog_db import queries
from catalog_db.cli import main
from catalog_db.engine import get_engine, make_session
from catalog_db.loader import parse_catalog
from catalog_db.models import Program
from tests import catalog_before_migrations as before_migrations

UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"
BROKEN = """\
institutions:
  - name: Marshall University
programs:
  - slug: broken
    name: Broken
    kind: degree
    institution: Marshall University
    cost_usd: -1
    level: doctoral
    page_url: marshall.edu/broken
"""


def program_count(url):
    with make_session(url) as session:
        return session.scalar(select(func.count()).select_from(Program))


@pytest.fixture
def broken_file(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_validate_the_seed(capsys):
    assert main(["validate", "catalog_db/seed/catalog.yml"]) == 0
    assert "valid (16 programs, 2 institutions)" in capsys.readouterr().out


def test_validate_prints_every_error_as_file_line_record_reason(broken_file, capsys):
    assert main(["validate", str(broken_file)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{broken_file}:8: broken: cost_usd must not be negative, not -1",
        f"{broken_file}:9: broken: level must be one of undergraduate, graduate, not 'doctoral'",
        f"{broken_file}:10: broken: page_url must be a web address starting with http:// or https://, "
        "not 'marshall.edu/broken'",
        "3 problem(s) found; nothing was changed",
    ]


def test_load_creates_the_schema_and_loads_the_seed_by_default(db_url, capsys):
    assert main(["load", "--url", db_url]) == 0
    assert program_count(db_url) == 16
    assert "Loaded 16 programs" in capsys.readouterr().out


def test_load_of_a_broken_file_changes_nothing(seeded_url, broken_file, capsys):
    assert main(["load", str(broken_file), "--url", seeded_url]) == 1
    assert "nothing was changed" in capsys.readouterr().err
    assert program_count(seeded_url) == 16


def test_export_to_a_file_is_a_valid_catalog(seeded_url, tmp_path):
    out = tmp_path / "export.yml"
    assert main(["export", "--url", seeded_url, "-o", str(out)]) == 0
    assert len(parse_catalog(out).programs) == 16


def test_export_to_standard_output(seeded_url, capsys):
    assert main(["export", "--url", seeded_url]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)
    assert exported["institutions"][0] == {"name": "WVU Online", "phone": "(800) 253-2762"}


def test_ensure_loads_the_seed_into_an_empty_database_only(db_url, capsys):
    assert main(["ensure", "--url", db_url]) == 0
    assert program_count(db_url) == 16
    with make_session(db_url) as session, session.begin():
        session.execute(delete(Program).where(Program.slug == "ms-physics"))
    assert main(["ensure", "--url", db_url]) == 0
    assert program_count(db_url) == 15  # an edited catalog is left alone
    assert "left as it is" in capsys.readouterr().out


def test_upgrade_creates_the_tables_then_finds_them_up_to_date(db_url, capsys):
    assert main(["upgrade", "--url", db_url]) == 0
    assert capsys.readouterr().out.startswith("Created the catalog's tables (schema revision ")
    assert main(["upgrade", "--url", db_url]) == 0
    assert capsys.readouterr().out.startswith("The catalog's schema is up to date: revision ")
    assert program_count(db_url) == 0


def test_ensure_upgrades_a_catalog_made_before_migrations_and_keeps_its_programs(db_url, capsys):
    before_migrations.create_catalog(get_engine(db_url, create=True))
    assert main(["ensure", "--url", db_url]) == 0
    out = capsys.readouterr().out
    assert "(its tables were made before migrations)" in out and "The catalog holds 1 programs" in out
    with make_session(db_url) as session:
        assert [p.slug for p in queries.search_programs(session)] == [before_migrations.PROGRAM["slug"]]


def test_commands_use_catalog_db_url_by_default(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("CATALOG_DB_URL", url)
    assert main(["ensure"]) == 0
    with make_session(url) as session:
        assert queries.program_by_slug(session, "introduction-to-generative-ai").cost_usd == 10


@pytest.mark.parametrize(
    "command", [["upgrade"], ["load"], ["export"], ["ensure"], ["build-nlp", "unused-dir"]]
)
def test_an_unreachable_database_exits_2_with_a_message(command, capsys):
    assert main([*command, "--url", UNREACHABLE]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Catalog database {UNREACHABLE} is unreachable")
    assert "Traceback" not in err


def test_the_password_is_not_printed(capsys):
    assert main(["export", "--url", "postgresql+psycopg2://postgres:s3cret@127.0.0.1:1/nowhere"]) == 2
    assert "s3cret" not in capsys.readouterr().err
