"""Editing the catalog one program at a time (catalog_db/editing.py), on the seed in SQLite and
PostgreSQL: the record schema's rules, the checks against the other programs, retiring, the list."""
import pytest

from catalog_db import editing, queries
from catalog_db.loader import dump_catalog, export_catalog, load_catalog, parse_catalog_text

GENAI = "introduction-to-generative-ai"
NEW = {"slug": "welding-basics", "name": "Welding Basics", "kind": "micro-credential",
       "institution": "Marshall University", "cost_usd": 75, "aliases": ["welding course"], "topics": ["Welding"]}


def errors_of(session, record, slug=None):
    with pytest.raises(editing.InvalidProgram) as raised:
        editing.save_program(session, record, slug)
    return {(error.field, error.reason) for error in raised.value.errors}


def test_a_new_program_is_saved_as_the_schema_reads_it(seeded_session):
    slug, changed = editing.save_program(seeded_session, NEW)
    seeded_session.commit()
    assert slug == "welding-basics" and "name" in changed
    saved = queries.program_by_slug(seeded_session, slug)
    assert (saved.name, saved.cost_usd, saved.aliases, saved.topics, saved.retired) == (
        "Welding Basics", 75.0, ("welding course",), ("welding",), False)


def test_the_schema_s_problems_and_the_catalog_s_clashes_are_told_by_field(seeded_session):
    record = dict(NEW, slug=GENAI, name="Introduction to Generative AI!", kind="diploma", cost_usd="ten",
                  aliases=["d4d"], institution="Nowhere College")
    assert errors_of(seeded_session, record) == {
        ("kind", "kind must be one of micro-credential, certificate, degree, not 'diploma'"),
        ("cost_usd", "cost_usd must be a number, not 'ten'"),
        ("slug", f"slug '{GENAI}' is already used by 'Introduction to Generative AI'"),
        ("institution", "unknown institution 'Nowhere College'"),
        ("name", f"'Introduction to Generative AI!' is already a name or alias of '{GENAI}'"),
        ("aliases", "'d4d' is already a name or alias of 'design-for-delight-innovation-explorer'"),
    }
    assert queries.program_by_slug(seeded_session, "welding-basics") is None


def test_an_edit_keeps_its_own_names_and_says_what_changed(seeded_session):
    record = editing.program(seeded_session, GENAI)
    slug, changed = editing.save_program(seeded_session, dict(record, name="Generative AI Essentials", cost_usd=12),
                                         GENAI)
    seeded_session.commit()
    assert (slug, changed) == (GENAI, ["name", "cost_usd"])
    program = queries.program_by_slug(seeded_session, GENAI)
    assert (program.name, program.cost_usd, program.aliases) == ("Generative AI Essentials", 12.0,
                                                                  tuple(record["aliases"]))
    assert editing.save_program(seeded_session, editing.program(seeded_session, GENAI), GENAI)[1] == []
    with pytest.raises(LookupError):
        editing.save_program(seeded_session, NEW, "no-such-program")


def test_a_retired_program_leaves_the_lists_but_keeps_its_name(seeded_session):
    assert editing.set_retired(seeded_session, GENAI, True) is True
    assert editing.set_retired(seeded_session, GENAI, True) is False
    seeded_session.commit()
    assert GENAI not in {p.slug for p in queries.search_programs(seeded_session)}
    assert GENAI in {p.slug for p in queries.search_programs(seeded_session, include_retired=True)}
    assert queries.program_by_slug(seeded_session, GENAI).retired is True
    rows, total = editing.program_rows(seeded_session, status="retired")
    assert total == 1 and rows[0].slug == GENAI
    offered = editing.program_rows(seeded_session)[1]
    assert offered == len(queries.search_programs(seeded_session))
    with pytest.raises(LookupError):
        editing.set_retired(seeded_session, "no-such-program", True)


def test_the_export_says_retired_only_of_retired_programs_and_loads_back(seeded_session):
    editing.set_retired(seeded_session, GENAI, True)
    seeded_session.commit()
    text = dump_catalog(export_catalog(seeded_session))
    assert text.count("retired: true") == 1 and "retired: false" not in text
    load_catalog(seeded_session, parse_catalog_text(text, "catalog.yml"))
    seeded_session.commit()
    assert dump_catalog(export_catalog(seeded_session)) == text


def test_the_list_searches_names_aliases_topics_and_slugs_and_pages(seeded_session):
    assert [row.slug for row in editing.program_rows(seeded_session, "gen ai")[0]] == [GENAI]  # an alias
    assert {row.slug for row in editing.program_rows(seeded_session, "Design Thinking")[0]} >= {
        "design-for-delight-innovation-explorer"}  # a topic
    assert editing.program_rows(seeded_session, "100%")[1] == 0  # % is a plain character
    everything, total = editing.program_rows(seeded_session, status="all", per_page=1000)
    first, _ = editing.program_rows(seeded_session, status="all", per_page=3)
    second, _ = editing.program_rows(seeded_session, status="all", page=2, per_page=3)
    assert [row.slug for row in first + second] == [row.slug for row in everything[:6]] and total == len(everything)
    assert {row.kind for row in editing.program_rows(seeded_session, kind="degree", per_page=1000)[0]} == {"degree"}
