"""Finding the catalog's programs and topics in a message, and reading the catalog while running."""
import pytest

from bot.understanding.catalog_index import CatalogEntry, CatalogIndex, ProgramIndex

ENTRIES = [
    CatalogEntry("genai", "Introduction to Generative AI", "micro-credential", None, ("gen ai", "generative ai", "the ai course"),
                 ("ai", "generative ai")),
    CatalogEntry("d4d", "Design for Delight: Innovation Explorer", "micro-credential", None, ("design for delight",),
                 ("design thinking", "innovation")),
    CatalogEntry("loto", "Lockout/Tagout Safety Training", "micro-credential", None, ("lockout tagout",), ("safety",)),
    CatalogEntry("gis", "Geospatial Information Science", "certificate", None, ("gis certificate",), ("mapping",)),
    CatalogEntry("edlead", "Educational Leadership", "certificate", None, (), ("leadership", "education")),
    CatalogEntry("superv", "Leadership and Supervisory Training", "micro-credential", None, (), ("leadership",)),
]


@pytest.fixture(scope="module")
def index():
    return ProgramIndex(ENTRIES)


@pytest.mark.parametrize("text, slugs", [
    ("how much is the gen ai course", [("genai",)]),                  # an alias
    ("how much is genai", [("genai",)]),                              # typed without its space
    ("whats the cost of the generativ ai corse", [("genai",)]),      # misspelt
    ("how much is desing for delite", [("d4d",)]),                   # two typos in a long name
    ("the lockouttagout class", [("loto",)]),
    ("compare gen ai and lockout tagout", [("genai",), ("loto",)]),   # in the order named
    ("the gis one", [("gis",)]),                                      # the initials of a long name
    ("is a certificate online", []),                                  # not "gis certificate"
    ("what about the weather", []),
])
def test_mentions(index, text, slugs):
    assert [mention.slugs for mention in index.mentions(text)] == slugs


def test_key_words_of_a_subject(index):
    assert index.by_key_words("the design one") == ["d4d"]
    assert index.by_key_words("leadership") == ["edlead", "superv"]   # two fit: the learner is asked which
    assert index.by_key_words("the course") == []


def test_topics(index):
    assert index.topic_in("any safety trainings?") == "safety"
    assert index.topic_in("generative ai courses") == "generative ai"   # the longest topic named
    assert index.programs_about("leadership") == ["edlead", "superv"]
    assert index.nearest_topics("safty") == ["safety"]


def test_topics_run_together_or_shortened():
    index = ProgramIndex([CatalogEntry("cyber", "BS in Cybersecurity", "degree", None, (), ("cybersecurity", "technology"))])
    assert index.topic_in("anything in cyber security?") == "cybersecurity"
    assert index.topic_in("anything tech related") == "technology"
    assert index.topic_in("tech stuff", whole=True) == "technology"
    assert index.topic_in("tech and welding", whole=True) is None


def test_the_catalog_is_read_again_when_old_and_kept_when_unreadable():
    reads = []

    def load():
        reads.append(1)
        if len(reads) == 2:
            raise OSError("database is down")
        return ENTRIES[: len(reads)]

    catalog = CatalogIndex(load, max_age=0)
    assert len(catalog.current()) == 1
    assert len(catalog.current()) == 1  # the second read failed: the first index stays in use
    assert len(catalog.current()) == 3  # a program added to the catalog is found without retraining
    cached = CatalogIndex(load, max_age=3600)
    cached.current()
    cached.current()
    assert len(reads) == 4


def test_key_words_shortened_the_common_way(index):
    assert index.by_key_words("ed leadership") == ["edlead"]


def test_a_retired_program_is_found_by_name_but_not_by_topic():
    retired = CatalogEntry("welding", "Welding Basics", "micro-credential", None, ("welding course",), ("welding",),
                           retired=True)
    index = ProgramIndex([*ENTRIES, retired])
    assert [mention.slugs for mention in index.mentions("how much is welding basics")] == [("welding",)]
    assert "welding" not in index.topics and index.programs_about("welding") == []
    assert retired not in index.offered and len(index.offered) == len(ENTRIES)
