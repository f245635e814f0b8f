"""One program or institution record checked on its own (catalog_db/record_schema.py), as the loader
checks each record of a file and the desk's catalog form will check an edit."""
from catalog_db.record_schema import PROGRAM_FIELDS, check_institution, check_program

MINIMAL = {"slug": "welding-basics", "name": "Welding Basics", "kind": "micro-credential", "institution": "Marshall"}


def errors_by_field(record):
    found = {}
    for problem in check_program(record).errors:
        found.setdefault(problem.field, []).append(problem.reason)
    return found


def test_a_valid_record_gives_every_field_and_no_errors():
    checked = check_program(dict(MINIMAL, topics=["  Welding   Safety "]))
    assert checked.errors == ()
    assert list(checked.values) == list(PROGRAM_FIELDS)
    assert checked.values["cost_usd"] is None and checked.values["aliases"] == []
    assert checked.values["topics"] == ["welding safety"]


def test_each_problem_is_told_of_its_field():
    record = dict(MINIMAL, slug="Welding Basics", name="!!", kind="diploma", cost_usd=-1, credits_min=30,
                  credits_max=12, duration_max=3, aliases=["weld", ""], topics=["Safety", "safety"], colour="blue")
    del record["institution"]
    assert errors_by_field(record) == {
        "colour": ["unknown field 'colour'"],
        "institution": ["missing required field 'institution'"],
        "kind": ["kind must be one of micro-credential, certificate, degree, not 'diploma'"],
        "cost_usd": ["cost_usd must not be negative, not -1"],
        "aliases": ["aliases must be a list of non-empty text"],
        "slug": ["slug must be lowercase letters and digits joined by hyphens"],
        "credits_min": ["credits_min 30 is greater than credits_max 12"],
        "duration_unit": ["a duration needs both a number and a duration_unit"],
        "name": ["'!!' has no letters or digits"],
        "topics": ["a topic is listed twice"],
    }


def test_the_page_is_a_web_address():
    assert errors_by_field(dict(MINIMAL, page_url="https://www.marshall.edu/mse")) == {}
    assert errors_by_field(dict(MINIMAL, page_url="marshall.edu/mse")) == {
        "page_url": ["page_url must be a web address starting with http:// or https://, not 'marshall.edu/mse'"]
    }


def test_text_fits_its_column():
    long_url = "https://www.marshall.edu/" + "x" * 480
    assert errors_by_field(dict(MINIMAL, slug="s" * 101, page_url=long_url, aliases=["ok", "a" * 201])) == {
        "slug": ["slug must be at most 100 characters long, not 101"],
        "page_url": ["page_url must be at most 500 characters long, not 505"],
        "aliases": ["aliases must each be at most 200 characters long, not 201"],
    }
    assert errors_by_field(dict(MINIMAL, summary="s" * 5000)) == {}  # an unbounded text column


def test_a_wrong_value_is_left_out_of_the_values():
    checked = check_program(dict(MINIMAL, cost_usd="ten", financial_aid="maybe"))
    assert checked.values["cost_usd"] is None and checked.values["financial_aid"] is None
    assert [problem.field for problem in checked.errors] == ["cost_usd", "financial_aid"]


def test_an_institution_needs_a_name():
    checked = check_institution({"phone": "(304) 696-3170"})
    assert [(problem.field, problem.reason) for problem in checked.errors] == [
        ("name", "missing required field 'name'")
    ]
    assert checked.values == {"name": None, "phone": "(304) 696-3170", "email": None, "website": None}
