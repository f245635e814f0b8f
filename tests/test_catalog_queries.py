"""The catalog queries, run against the shipped seed on every database backend."""
import dataclasses

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from catalog_db import queries
from catalog_db.engine import DEFAULT_URL, database_url, get_engine, make_session
from catalog_db.names import normalize_name

MARSHALL_COSTS = {
    "durable-skills-communication": 100,
    "durable-skills-critical-thinking": 100,
    "design-for-delight-innovation-explorer": 150,
    "introduction-to-generative-ai": 10,
    "lockout-tagout-safety-training": 99,
    "introduction-to-cad-and-fusion-360": 350,
}
GEN_AI, CAD, LOTO, D4D = (
    "introduction-to-generative-ai",
    "introduction-to-cad-and-fusion-360",
    "lockout-tagout-safety-training",
    "design-for-delight-innovation-explorer",
)


def slugs(programs):
    return [program.slug for program in programs]


# --- The seed's facts, exactly as the articles give them ---


def test_the_six_marshall_micro_credentials_cost_what_the_article_says(seeded_session):
    for slug, cost in MARSHALL_COSTS.items():
        assert queries.program_by_slug(seeded_session, slug).cost_usd == cost


def test_no_other_program_has_a_price(seeded_session):
    priced = {p.slug: p.cost_usd for p in queries.search_programs(seeded_session) if p.cost_usd is not None}
    assert priced == MARSHALL_COSTS


def test_generative_ai_facts(seeded_session):
    gen_ai = queries.program_by_slug(seeded_session, GEN_AI)
    assert gen_ai.name == "Introduction to Generative AI"
    assert gen_ai.cost_usd == 10.0 and isinstance(gen_ai.cost_usd, float)
    assert gen_ai.kind == "micro-credential"
    assert gen_ai.institution == "Marshall University"
    assert gen_ai.delivery_format is None  # the article does not say
    assert gen_ai.duration_unit is None
    assert gen_ai.audience.startswith("professionals, entrepreneurs, tech fans")
    assert "no formal admissions" in gen_ai.eligibility
    assert "gen ai" in gen_ai.aliases
    assert gen_ai.topics == ("ai", "generative ai", "technology")


def test_cad_is_a_four_day_in_person_course_for_350(seeded_session):
    cad = queries.program_by_slug(seeded_session, CAD)
    assert cad.cost_usd == 350
    assert cad.delivery_format == "in_person"
    assert (cad.duration_min, cad.duration_max, cad.duration_unit) == (4, 4, "days")


def test_lockout_tagout_is_in_person_with_no_stated_length(seeded_session):
    loto = queries.program_by_slug(seeded_session, LOTO)
    assert (loto.cost_usd, loto.delivery_format) == (99, "in_person")
    assert loto.duration_min is None and loto.duration_max is None
    assert loto.audience == "manufacturing professionals, safety officers and educators"


def test_certificates_and_degrees_have_no_invented_figures(seeded_session):
    stats = queries.program_by_slug(seeded_session, "behavioral-statistics")
    assert (stats.kind, stats.cost_usd, stats.level) == ("certificate", None, None)
    for program in queries.search_programs(seeded_session):
        assert program.credits_min is None and program.credits_max is None
        assert program.financial_aid is None and program.stacks_into is None
        if program.slug not in (CAD, LOTO):
            assert program.delivery_format is None and program.duration_unit is None


def test_degree_levels(seeded_session):
    levels = {p.slug: p.level for p in queries.search_programs(seeded_session, kind="degree")}
    assert levels == {
        "ba-communication-studies": "undergraduate",
        "bs-computer-and-information-security": "undergraduate",
        "ms-physics": "graduate",
    }


def test_institutions(seeded_session):
    found = queries.institutions(seeded_session)
    assert [i.name for i in found] == ["Marshall University", "WVU Online"]
    assert found[1].phone == "(800) 253-2762"
    assert found[0].phone is None and found[0].email is None and found[0].website is None


# --- Lookups ---


def test_program_by_slug_unknown_is_none(seeded_session):
    assert queries.program_by_slug(seeded_session, "underwater-basket-weaving") is None


def test_facts_are_frozen_and_outlive_the_session(seeded_url):
    with make_session(seeded_url) as session:
        cad = queries.program_by_slug(session, CAD)
    assert cad.institution == "Marshall University" and "fusion 360" in cad.aliases
    with pytest.raises(dataclasses.FrozenInstanceError):
        cad.cost_usd = 1


@pytest.mark.parametrize(
    "text, slug",
    [
        ("gen ai", GEN_AI),
        ("GenAI", GEN_AI),
        ("  Intro to Generative AI ", GEN_AI),
        ("INTRODUCTION TO GENERATIVE AI", GEN_AI),
        ("Lockout / Tagout", LOTO),
        ("LOTO", LOTO),
        ("Lockout/Tagout Safety Training", LOTO),
        ("Fusion 360", CAD),
        ("introduction to computer aided design & fusion 360", CAD),
        ("D4D", D4D),
        ("Design for Delight: Innovation Explorer", D4D),
        ("Durable Skills - Communication", "durable-skills-communication"),
        ("Non-profit Management", "non-profit-management"),
        ("nonprofit management", "non-profit-management"),
        ("Master's in Physics", "ms-physics"),
    ],
)
def test_programs_by_alias_matches_names_and_aliases_normalized(seeded_session, text, slug):
    assert slugs(queries.programs_by_alias(seeded_session, text)) == [slug]


@pytest.mark.parametrize("text", ["design", "the", "", " & / ", "generative"])
def test_programs_by_alias_needs_an_exact_name(seeded_session, text):
    assert queries.programs_by_alias(seeded_session, text) == []


def test_name_index_lists_every_name_and_alias(seeded_session, seed):
    index = queries.name_index(seeded_session)
    expected = {(p["slug"], p["name"]) for p in seed.programs}
    expected |= {(p["slug"], alias) for p in seed.programs for alias in p["aliases"]}
    assert set(index) == expected
    assert len(index) == len(expected) and index == sorted(index)
    assert (CAD, "cad") in index


def test_no_normalized_name_leads_to_two_programs(seeded_session):
    owners = {}
    for slug, surface in queries.name_index(seeded_session):
        owners.setdefault(normalize_name(surface), set()).add(slug)
    assert {key: found for key, found in owners.items() if len(found) > 1} == {}
    assert "design" not in owners  # ambiguous on purpose: the bot asks which one


def test_known_topics(seeded_session):
    topics = queries.known_topics(seeded_session)
    assert topics == sorted(set(topics))
    assert {"ai", "generative ai", "safety", "manufacturing", "design", "design thinking"} <= set(topics)
    assert all(topic == topic.lower() for topic in topics)


# --- Searching ---


def test_search_without_filters_lists_every_program_by_name(seeded_session):
    found = queries.search_programs(seeded_session)
    assert len(found) == 16
    assert [p.name for p in found] == sorted(p.name for p in found)


@pytest.mark.parametrize("kind, count", [("micro-credential", 9), ("certificate", 4), ("degree", 3)])
def test_search_by_kind(seeded_session, kind, count):
    found = queries.search_programs(seeded_session, kind=kind)
    assert len(found) == count and {p.kind for p in found} == {kind}


def test_search_by_level_and_format(seeded_session):
    assert slugs(queries.search_programs(seeded_session, level="graduate")) == ["ms-physics"]
    assert set(slugs(queries.search_programs(seeded_session, delivery_format="in_person"))) == {CAD, LOTO}
    assert queries.search_programs(seeded_session, delivery_format="online") == []


def test_max_cost_is_inclusive_and_leaves_out_unknown_prices(seeded_session):
    found = queries.search_programs(seeded_session, max_cost=100)
    durable_skills = {"durable-skills-communication", "durable-skills-critical-thinking"}
    assert set(slugs(found)) == {GEN_AI, LOTO} | durable_skills
    assert slugs(queries.search_programs(seeded_session, max_cost=9.99)) == []


def test_order_by_cost_puts_unknown_prices_last(seeded_session):
    found = queries.search_programs(seeded_session, order_by="cost")
    assert [p.cost_usd for p in found[:6]] == [10, 99, 100, 100, 150, 350]
    assert all(p.cost_usd is None for p in found[6:]) and len(found) == 16


def test_order_by_duration_puts_unknown_lengths_last(seeded_session):
    found = queries.search_programs(seeded_session, kind="micro-credential", order_by="duration")
    assert found[0].slug == CAD
    assert all(p.duration_max is None for p in found[1:])


def test_limit(seeded_session):
    assert slugs(queries.search_programs(seeded_session, order_by="cost", limit=2)) == [GEN_AI, LOTO]


def test_unknown_order_is_refused(seeded_session):
    with pytest.raises(ValueError):
        queries.search_programs(seeded_session, order_by="popularity")


@pytest.mark.parametrize(
    "topic, expected",
    [
        ("ai", {GEN_AI}),  # "ai" is a word of "generative ai" as well
        ("AI", {GEN_AI}),
        ("generative ai", {GEN_AI}),
        ("design", {CAD, D4D}),  # whole words: "design" and "design thinking"
        ("Safety", {LOTO}),
        ("leadership", {"leadership-and-supervisory-training", "educational-leadership"}),
        ("sign", set()),  # not a word of "design"
        ("underwater basket weaving", set()),
    ],
)
def test_search_by_topic_matches_whole_words(seeded_session, topic, expected):
    assert set(slugs(queries.search_programs(seeded_session, topic=topic))) == expected


def test_filters_combine(seeded_session):
    found = queries.search_programs(seeded_session, kind="micro-credential",
                                    topic="manufacturing", max_cost=100)
    assert slugs(found) == [LOTO]


def test_matching_topics():
    topics = ["ai", "generative ai", "maintenance", "design thinking", "3d modeling"]
    assert queries.matching_topics("AI", topics) == ["ai", "generative ai"]
    assert queries.matching_topics("design", topics) == ["design thinking"]
    assert queries.matching_topics("3D", topics) == ["3d modeling"]
    assert queries.matching_topics("  ", topics) == []


# --- Schema and engine configuration ---


def test_indexes_serve_the_lookups(seeded_url):
    inspector = inspect(get_engine(seeded_url))

    def indexed(table):
        return {tuple(index["column_names"]) for index in inspector.get_indexes(table)}

    lookups = {("slug",), ("name_normalized",), ("kind",), ("cost_usd",), ("delivery_format",)}
    assert indexed("programs") == lookups
    assert indexed("program_aliases") == {("program_id",), ("alias_normalized",)}
    assert indexed("program_topics") == {("topic",)}  # program_id leads the primary key


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", "sqlite:////tmp/elsewhere.sqlite3")
    assert database_url() == "sqlite:////tmp/elsewhere.sqlite3"
    monkeypatch.delenv("CATALOG_DB_URL")
    assert database_url() == DEFAULT_URL and DEFAULT_URL.endswith("/var/catalog.sqlite3")


def test_engine_is_cached_per_url_and_creates_a_sqlite_file_only_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'catalog.sqlite3'}"
    engine = get_engine(url)
    assert get_engine(url) is engine
    with pytest.raises(OperationalError, match="unable to open database file"):
        engine.connect()
    assert not (tmp_path / "nested").exists()  # no empty database where the catalog was expected
    creating = get_engine(url, create=True)
    assert (tmp_path / "nested").is_dir() and not (tmp_path / "nested" / "catalog.sqlite3").exists()
    with creating.connect():
        assert (tmp_path / "nested" / "catalog.sqlite3").exists()
    with engine.connect() as connection:  # there now: opened as any other
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
