"""Checking catalog files, loading them in one transaction, and exporting them back."""
import dataclasses
import textwrap

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog_db import queries
from catalog_db.engine import get_engine, make_session
from catalog_db.loader import (
    CatalogData,
    InvalidCatalog,
    dump_catalog,
    export_catalog,
    load_catalog,
    parse_catalog,
)
from catalog_db.migrations import upgrade_schema
from catalog_db.models import Institution, Program, ProgramAlias, ProgramTopic

HEADER = """\
institutions:
  - name: Marshall University
programs:
"""


def write(tmp_path, body, name="catalog.yml"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def errors_of(path):
    with pytest.raises(InvalidCatalog) as raised:
        parse_catalog(path)
    return [(error.line, error.record, error.reason) for error in raised.value.errors]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


# --- Checking files ---


def test_the_seed_is_valid(seed):
    assert len(seed.programs) == 16
    assert [i["name"] for i in seed.institutions] == ["WVU Online", "Marshall University"]
    cad = next(p for p in seed.programs if p["slug"] == "introduction-to-cad-and-fusion-360")
    assert cad["credits_min"] is None and cad["aliases"][:2] == ["cad", "fusion 360"]


def test_the_seed_says_how_to_enrol_only_where_the_articles_do(seed):
    enrol = {p["slug"]: p["how_to_enrol"] for p in seed.programs}
    micro_credentials = [p["slug"] for p in seed.programs if p["kind"] == "micro-credential"]
    assert len(micro_credentials) == 9
    assert all("Marshall Skills Exchange" in enrol[slug] for slug in micro_credentials)
    assert all(text is None for slug, text in enrol.items() if slug not in micro_credentials)
    # The articles give no start dates and no program pages.
    assert all(p["start_dates"] is None and p["page_url"] is None for p in seed.programs)


def test_a_minimal_program_gets_every_field(tmp_path):
    data = parse_catalog(write(tmp_path, """\
        - slug: x
          name: X
          kind: degree
          institution: Marshall University
    """))
    (program,) = data.programs
    assert program["cost_usd"] is None and program["aliases"] == [] and program["topics"] == []
    empty_contacts = {"phone": None, "email": None, "website": None}
    assert data.institutions == ({"name": "Marshall University", **empty_contacts},)


def test_yaml_syntax_error_has_its_line(tmp_path):
    path = write(tmp_path, """\
        - slug: x
          name: [unclosed
          kind: degree
    """)
    ((line, record, reason),) = errors_of(path)
    assert (line, record) == (6, "file") and reason.startswith("invalid YAML")


def test_negative_cost(tmp_path):
    path = write(tmp_path, """\
        - slug: cheap
          name: Cheap
          kind: micro-credential
          institution: Marshall University
          cost_usd: -5
    """)
    assert errors_of(path) == [(8, "cheap", "cost_usd must not be negative, not -5")]


def test_unknown_kind(tmp_path):
    path = write(tmp_path, """\
        - slug: odd
          name: Odd
          kind: diploma
          institution: Marshall University
    """)
    reason = "kind must be one of micro-credential, certificate, degree, not 'diploma'"
    assert errors_of(path) == [(6, "odd", reason)]


@pytest.mark.parametrize(
    "page_url",
    ["www.marshall.edu/mse", "ftp://marshall.edu/mse", "https://", "https://marshall.edu/skills exchange",
     "https://marshall.edu:port/mse", "mailto:mse@marshall.edu"],
)
def test_page_url_must_be_a_web_address(tmp_path, page_url):
    path = write(tmp_path, f"""\
        - slug: linked
          name: Linked
          kind: micro-credential
          institution: Marshall University
          start_dates: Every Monday
          page_url: "{page_url}"
    """)
    reason = f"page_url must be a web address starting with http:// or https://, not {page_url!r}"
    assert errors_of(path) == [(9, "linked", reason)]


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("start_dates", "''", "start_dates must not be empty"),
        ("how_to_enrol", "[apply]", "how_to_enrol must be text, not ['apply']"),
        ("page_url", "42", "page_url must be text, not 42"),
    ],
)
def test_the_enrolment_fields_are_text(tmp_path, field, value, reason):
    path = write(tmp_path, f"""\
        - slug: odd
          name: Odd
          kind: degree
          institution: Marshall University
          {field}: {value}
    """)
    assert errors_of(path) == [(8, "odd", reason)]


def test_alias_shared_by_two_programs(tmp_path):
    path = write(tmp_path, """\
        - slug: cad
          name: CAD
          kind: micro-credential
          institution: Marshall University
          aliases: [design]
        - slug: d4d
          name: Design for Delight
          kind: micro-credential
          institution: Marshall University
          aliases: [D4D, Design!]
    """)
    assert errors_of(path) == [(13, "d4d", "'Design!' is already a name or alias of 'cad'")]


def test_missing_name_is_reported_at_the_record(tmp_path):
    path = write(tmp_path, """\
        - slug: nameless
          kind: degree
          institution: Marshall University
    """)
    assert errors_of(path) == [(4, "nameless", "missing required field 'name'")]


def test_every_error_is_reported_not_just_the_first(tmp_path):
    path = write(tmp_path, """\
        - slug: first
          name: First
          kind: certificate
          institution: Nowhere College
          cost_usd: ten
          duration_min: 6
          duration_max: 2
          duration_unit: weeks
          colour: blue
        - name: No Slug
          kind: degree
          level: doctoral
          institution: Marshall University
          financial_aid: maybe
        - slug: first
          name: Second
          kind: degree
          institution: Marshall University
          credits_min: true
          delivery_format: online
          delivery_format: hybrid
          duration_min: 3
        - just a string
    """)
    assert errors_of(path) == [
        (3, "programs[3]", "expected a mapping of fields, not 'just a string'"),
        (7, "first", "unknown institution 'Nowhere College'"),
        (8, "first", "cost_usd must be a number, not 'ten'"),
        (9, "first", "duration_min 6 is greater than duration_max 2"),
        (12, "first", "unknown field 'colour'"),
        (13, "programs[1]", "missing required field 'slug'"),
        (15, "programs[1]", "level must be one of undergraduate, graduate, not 'doctoral'"),
        (17, "programs[1]", "financial_aid must be true or false, not 'maybe'"),
        (18, "first", "a duration needs both a number and a duration_unit"),
        (18, "first", "slug already used on line 4"),
        (22, "first", "credits_min must be a whole number, not True"),
        (24, "first", "field 'delivery_format' is given twice"),
    ]


def test_errors_print_as_file_line_record_reason(tmp_path):
    path = write(tmp_path, """\
        - slug: Bad Slug
          name: X
          kind: degree
          institution: Marshall University
    """)
    with pytest.raises(InvalidCatalog) as raised:
        parse_catalog(path)
    reason = "slug must be lowercase letters and digits joined by hyphens"
    assert str(raised.value) == f"{path}:4: Bad Slug: {reason}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", [(1, "file", "expected a mapping with 'institutions' and 'programs'")]),
        ("programs: {}\nextra: 1\n", [
            (1, "file", "'institutions' must be a list"),
            (1, "file", "'programs' must be a list"),
            (2, "file", "unknown field 'extra'"),
        ]),
    ],
)
def test_file_level_errors(tmp_path, text, expected):
    path = tmp_path / "catalog.yml"
    path.write_text(text, encoding="utf-8")
    assert errors_of(path) == expected


def test_a_missing_file(tmp_path):
    assert errors_of(tmp_path / "absent.yml") == [(1, "file", "cannot be read: No such file or directory")]


# --- Loading ---


def test_load_writes_the_whole_catalog(seeded_url, seed):
    with make_session(seeded_url) as session:
        assert count(session, Institution) == 2
        assert count(session, Program) == 16
        assert count(session, ProgramAlias) == sum(len(p["aliases"]) for p in seed.programs)
        assert count(session, ProgramTopic) == sum(len(p["topics"]) for p in seed.programs)


def test_loading_again_replaces_rather_than_duplicates(seeded_url, seed):
    smaller = CatalogData(seed.institutions, seed.programs[:3])
    with make_session(seeded_url) as session, session.begin():
        load_catalog(session, smaller)
    with make_session(seeded_url) as session:
        assert count(session, Program) == 3 and count(session, Institution) == 2
        assert queries.programs_by_alias(session, "cad") == []


def test_load_without_replace_adds_and_reuses_institutions(seeded_url, seed):
    extra = dict(seed.programs[0], slug="extra-course", name="Extra Course", aliases=["extra"])
    with make_session(seeded_url) as session, session.begin():
        load_catalog(session, CatalogData(seed.institutions[1:], (extra,)), replace=False)
    with make_session(seeded_url) as session:
        assert count(session, Program) == 17 and count(session, Institution) == 2
        assert queries.program_by_slug(session, "extra-course").institution == "Marshall University"


def test_a_failed_load_leaves_the_previous_catalog_untouched(seeded_url, seed):
    # Two programs with one slug pass no check here and fail in the database, after the delete.
    first, second = seed.programs[:2]
    clash = CatalogData(seed.institutions, (first, dict(second, slug=first["slug"])))
    with make_session(seeded_url) as session:
        with pytest.raises(IntegrityError):
            with session.begin():
                load_catalog(session, clash)
    with make_session(seeded_url) as session:
        assert count(session, Program) == 16
        assert queries.program_by_slug(session, "introduction-to-cad-and-fusion-360").cost_usd == 350


# --- Export ---


def test_export_parse_load_round_trip(seeded_url, tmp_path, seed):
    with make_session(seeded_url) as session:
        exported = export_catalog(session)
    path = tmp_path / "exported.yml"
    path.write_text(dump_catalog(exported), encoding="utf-8")
    reparsed = parse_catalog(path)
    # The database keeps topics alphabetically; everything else comes back as written.
    assert reparsed.institutions == seed.institutions
    assert reparsed.programs == tuple(dict(p, topics=sorted(p["topics"])) for p in seed.programs)

    with make_session(seeded_url) as session, session.begin():
        load_catalog(session, reparsed)
    with make_session(seeded_url) as session:
        assert export_catalog(session) == exported


def test_the_enrolment_fields_go_through_load_export_and_the_queries(db_url, tmp_path):
    path = write(tmp_path, """\
        - slug: welding-basics
          name: Welding Basics
          kind: micro-credential
          institution: Marshall University
          start_dates: A new group starts on the first Monday of each month.
          page_url: https://www.marshall.edu/welding-basics?from=advisor#enrol
          how_to_enrol: Register online, then pay the fee.
          topics: [welding]
    """)
    data = parse_catalog(path)
    upgrade_schema(get_engine(db_url, create=True))
    with make_session(db_url) as session, session.begin():
        load_catalog(session, data)
    with make_session(db_url) as session:
        program = queries.program_by_slug(session, "welding-basics")
        exported = export_catalog(session)
    assert program.start_dates == "A new group starts on the first Monday of each month."
    assert program.page_url == "https://www.marshall.edu/welding-basics?from=advisor#enrol"
    assert program.how_to_enrol == "Register online, then pay the fee."
    (written,) = exported["programs"]
    assert list(written) == ["slug", "name", "kind", "institution", "start_dates", "page_url", "how_to_enrol",
                             "topics"]
    again = tmp_path / "again.yml"
    again.write_text(dump_catalog(exported), encoding="utf-8")
    assert parse_catalog(again) == data


def test_export_leaves_out_empty_fields(seeded_url):
    with make_session(seeded_url) as session:
        exported = export_catalog(session)
    stats = next(p for p in exported["programs"] if p["slug"] == "behavioral-statistics")
    assert "cost_usd" not in stats and "level" not in stats
    cad = next(p for p in exported["programs"] if p["slug"] == "introduction-to-cad-and-fusion-360")
    assert cad["cost_usd"] == 350 and isinstance(cad["cost_usd"], int)
    assert list(cad)[:4] == ["slug", "name", "kind", "institution"]


def test_export_of_an_empty_database(db_url):
    upgrade_schema(get_engine(db_url, create=True))
    with make_session(db_url) as session:
        assert export_catalog(session) == {"institutions": [], "programs": []}


def test_catalog_data_is_frozen(seed):
    with pytest.raises(dataclasses.FrozenInstanceError):
        seed.programs = ()
