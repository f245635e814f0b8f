"""The closed vocabularies: kinds of credential, level, format, orderings, money, reference words."""
import pytest

from bot.understanding import lexicon
from bot.understanding.lexicon import Superlative


def words(text):
    return text.lower().replace("?", " ").replace(",", " ").split()


@pytest.mark.parametrize("text, kinds", [
    ("micro creds vs certs", ["micro-credential", "certificate"]),
    ("is a certficate worth it", ["certificate"]),        # a typo of a long word
    ("how long is a masters", ["degree"]),
    ("what is a microcredental", ["micro-credential"]),
    ("the welding course", []),                            # a course, of no kind in particular
    ("how much is it", []),
])
def test_kinds(text, kinds):
    assert lexicon.kinds(text, words(text)) == kinds


def test_words_for_a_course_of_study():
    assert lexicon.names_study(words("any welding classes?")) and lexicon.names_study(words("a nursing degree"))
    assert not lexicon.names_study(words("how much is a flight to denver"))


@pytest.mark.parametrize("text, level", [("graduate certificates", "graduate"), ("undergrad degrees", "undergraduate"),
                                         ("grad or undergrad", None), ("certificates", None)])
def test_level(text, level):
    assert lexicon.level(words(text)) == level


@pytest.mark.parametrize("text, found", [("anything in person", "in_person"), ("is it online", "online"),
                                         ("can i do it remotely", "online"), ("a hybrid one", "hybrid"),
                                         ("how much is it", None)])
def test_delivery_format(text, found):
    assert lexicon.delivery_format(text) == found


@pytest.mark.parametrize("text, order", [
    ("which is the cheapest", Superlative("cost", False)),
    ("so which costs less", Superlative("cost", False)),
    ("the priciest one", Superlative("cost", True)),
    ("which takes less time", Superlative("duration", False)),
    ("which one is over sooner", Superlative("duration", False)),
    ("the longest program", Superlative("duration", True)),
    ("how much is it", None),
])
def test_superlative(text, order):
    assert lexicon.superlative(text) == order


@pytest.mark.parametrize("text, amount", [("under $100", 100), ("$1.5k", 1500), ("two hundred dollars", 200),
                                          ("10 bucks", 10), ("50 people", None)])
def test_money(text, amount):
    assert lexicon.money(text) == amount


def test_a_price_bound_needs_a_bound_or_money_words():
    assert lexicon.price_bound("anything under 100") == 100
    assert lexicon.price_bound("courses for 200 dollars or less") == 200
    assert lexicon.price_bound("my budget is 300") == 300
    assert lexicon.price_bound("the 2 courses") is None and lexicon.price_bound("within 2 weeks") is None


@pytest.mark.parametrize("phrase, ordinal, plural, other", [
    ("the second one", 2, False, False), ("the 3rd", 3, False, False), ("that last one", -1, False, False),
    ("number two", 2, False, False), ("which of them", None, True, False), ("both", None, True, False),
    ("the other one", None, False, True), ("it", None, False, False),
])
def test_reference_words(phrase, ordinal, plural, other):
    found = lexicon.reference_words(phrase)
    assert (found.ordinal, found.plural, found.other) == (ordinal, plural, other)


def test_only_reference_words():
    assert lexicon.only_reference_words("the 2nd one") and lexicon.only_reference_words("number three")
    assert not lexicon.only_reference_words("the second welding course")


@pytest.mark.parametrize("text, words", [
    ("is number 3 online", "number 3"), ("what about cost for the 2nd", "the 2nd"),
    ("the first one, online?", "the first one"), ("cheapest of them?", "them"),
    ("which of those is graduate level", "which of those"), ("are both of them open to anybody", "both of them"),
    ("the first time i tried", None), ("number of credits", None), ("is the second semester hard", None),
    ("last week i asked", None), ("how much is it", None),   # "it" is the tagger's to judge
])
def test_pointing_words(text, words):
    assert lexicon.pointing_words(text) == words


def test_a_number_s_degrees_are_no_credential():
    assert lexicon.kinds("when is the first seventy degree day", words("when is the first seventy degree day")) == []
    assert lexicon.kinds("a second degree burn", words("a second degree burn")) == []
    assert lexicon.kinds("a two year degree", words("a two year degree")) == ["degree"]


def test_closed_class_words_are_no_subject():
    assert lexicon.only_closed_class_words("hybrid") and lexicon.only_closed_class_words("graduate level")
    assert lexicon.only_closed_class_words("the entry reqs") and lexicon.only_closed_class_words("cheapest")
    assert not lexicon.only_closed_class_words("nursing") and not lexicon.only_closed_class_words("ai stuff")


def test_matters_for_the_office_are_named_by_words_only_students_use():
    assert lexicon.names_office_matter("how do i request an official transcript")
    assert lexicon.names_office_matter("will my F1 visa be affected if i take classes online")
    assert not lexicon.names_office_matter("do i need a visa to visit canada")
    assert not lexicon.names_office_matter("how much is a flight to denver")
