"""Reading what a learner asks for out of a message."""
import pytest

from bot.actions.parsing import (
    asked_attributes,
    attribute_from_text,
    kind_from_text,
    offered_subject,
    parse_money,
    parse_program_filters,
    question_parts,
    requested_subject,
)

TOPICS = ["safety", "ai", "generative ai", "design", "leadership"]


@pytest.mark.parametrize(
    "text, attribute",
    [
        ("What is the cost of Introduction to Generative AI?", "cost"),
        ("how much is it", "cost"),
        ("what's the tuition for the Behavioral Statistics certificate", "cost"),
        ("is Introduction to CAD & Fusion 360 online?", "format"),
        ("is the lockout training in-person", "format"),
        ("how long is the CAD course", "duration"),
        ("how many days does it take", "duration"),
        ("who is it for", "audience"),
        ("who can benefit from design for delight", "audience"),
        ("can anyone take the critical thinking course", "eligibility"),
        ("what are the prerequisites", "eligibility"),
        ("how many credits is it", "credits"),
        ("does it stack into a certificate", "stacking"),
        ("is financial aid available for it", "aid"),
        ("tell me about Design for Delight", "overview"),
        ("and the design one?", None),
        ("Design for Delight", None),
        ("who should take critical thinking", "audience"),
        ("does the generative ai one count toward a degree", "stacking"),
        ("do I need a degree for educational leadership", "eligibility"),
        ("is the nonprofit management certificate graduate level", "overview"),
        # the same facts asked in other words
        ("what are the prereqs for the physics degree", "eligibility"),
        ("is lockout tagout open to people from outside the university", "eligibility"),
        ("would I need anything special to get into the gis certificate", "eligibility"),
        ("who is the leadership training geared toward", "audience"),
        ("is critical thinking good for beginners", "audience"),
        ("what kind of people sign up for design for delight", "audience"),
        ("will the digital evidence course go toward a bigger credential", "stacking"),
        ("can the statistics certificate be applied to a degree later", "stacking"),
        ("is there any financial help for the cad class", "aid"),
        ("can I get funding for it", "aid"),
        ("hw much is the communication course", "cost"),
        ("what would the physics masters set me back", "cost"),
        ("can I take the gen ai course from home", "format"),
        ("where does the cad class take place", "format"),
    ],
)
def test_attribute_from_text(text, attribute):
    assert attribute_from_text(text) == attribute


@pytest.mark.parametrize(
    "text, attributes",
    [
        ("how much is the CAD course and is it in person?", ["cost", "format"]),
        ("can I do the CAD course online", ["format"]),
        ("can anyone take the critical thinking course", ["eligibility"]),
        ("how long does it take, how many credits and is there financial aid", ["aid", "credits", "duration"]),
        ("and the design one?", []),
        ("tell me about design for delight, also how much is it", ["overview"]),
    ],
)
def test_asked_attributes_finds_every_fact_and_prefers_specific_words(text, attributes):
    assert asked_attributes(text) == attributes


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("how much is the astrophysics microcredential", "astrophysics"),
        ("is the marine biology certificate online", "marine biology"),
        ("what is the cost of the course", None),
        ("what does it cost", None),
        ("how much is the online course", None),
        ("price of the <script>alert(1)</script> course", None),
        ("how long is the Nursing-101 program", "nursing-101"),
        ("tell me about the MBA", "mba"),
        ("do you have anything on welding", "welding"),
        ("any python courses?", "python"),
        ("I want to learn python", "python"),
        ("do you have courses in spanish", "spanish"),
        ("how long is a master's degree", None),
        ("how long does the program take", None),
        ("list your microcredentials", None),
        ("what can I study for less than a hundred bucks", None),
        ("anything for 50 bucks or less", None),
    ],
)
def test_requested_subject_keeps_only_naming_words(text, phrase):
    assert requested_subject(text) == phrase


@pytest.mark.parametrize(
    "text, amount",
    [
        ("around $150", 150),
        ("$1.5k", 1500),
        ("$ 1,200", 1200),
        ("under two hundred dollars", 200),
        ("300 bucks", 300),
        ("I have 3 kids", None),
        ("no money talk", None),
    ],
)
def test_parse_money(text, amount):
    assert parse_money(text) == amount


def test_filters_from_a_combined_request():
    selection = parse_program_filters("anything in person under $100 about safety?", TOPICS)
    assert (selection.max_cost, selection.delivery_format, selection.topic) == (100, "in_person", "safety")
    assert selection.kind is None


def test_filters_prefer_the_longest_topic_and_read_the_kind():
    selection = parse_program_filters("which microcredentials about generative ai cost less than $120", TOPICS)
    assert (selection.kind, selection.topic, selection.max_cost) == ("micro-credential", "generative ai", 120)


def test_superlative_asks_for_one_sorted_result():
    selection = parse_program_filters("what's the cheapest microcredential?", TOPICS)
    assert (selection.order_by, selection.limit) == ("cost", 1)
    assert parse_program_filters("show me the shortest courses", TOPICS).order_by == "duration"


@pytest.mark.parametrize(
    "text, order_by, descending, limit",
    [
        ("what's the most expensive course", "cost", True, 1),
        ("which micro credential costs the most", "cost", True, 1),
        ("priciest certificates?", "cost", True, None),
        ("longest program you offer", "duration", True, None),
        ("which one is the quickest to finish", "duration", False, 1),
        ("list the cheapest ones", "cost", False, 1),
    ],
)
def test_superlatives_in_both_directions(text, order_by, descending, limit):
    selection = parse_program_filters(text, TOPICS)
    assert (selection.order_by, selection.descending, selection.limit) == (order_by, descending, limit)


def test_level_is_not_confused_by_undergraduate():
    assert parse_program_filters("list undergraduate degrees", TOPICS).level == "undergraduate"
    assert parse_program_filters("list graduate certificates", TOPICS).level == "graduate"


@pytest.mark.parametrize(
    "text, kind",
    [("list your microcredentials", "micro-credential"), ("any certs?", "certificate"),
     ("which degrees", "degree"), ("certificate or micro-credential?", None), ("what do you offer", None)],
)
def test_kind_from_text(text, kind):
    assert kind_from_text(text) == kind


@pytest.mark.parametrize("text, count", [
    ("what's a micro-credential and how long does one take?", 2),
    ("how much is it? is it online?", 2),
    ("is lockout tagout online, and how long does it take", 2),
    ("how much is the cad course", 1),
    ("compare gen ai and design for delight", 1),
    ("I work full time and have two kids", 1),
])
def test_question_parts(text, count):
    assert len(question_parts(text)) == count


@pytest.mark.parametrize("text, attribute", [
    ("how many credits is the geospatial information science certificate", "credits"),
    ("is the info security degree online", "format"),
    ("more info on the gis certificate please", "overview"),
])
def test_a_name_holding_info_is_no_request_for_an_overview(text, attribute):
    assert attribute_from_text(text) == attribute


@pytest.mark.parametrize(
    "text, subject",
    [
        ("is there a welding micro credential", "welding"),
        ("aviation micro-credential", "aviation"),
        ("do you have a pharmacy program?", "pharmacy"),
        ("any nursing courses", "nursing"),
        # Not existence questions: their "subject" is an adjective or nothing.
        ("how does a digital badge work", None),
        ("is there financial aid for certificates", None),
        ("what's the most affordable thing you offer", None),
    ],
)
def test_offered_subject_is_only_read_from_a_request_for_something(text, subject):
    assert offered_subject(text) == subject


@pytest.mark.parametrize(
    "text, attribute",
    [
        ("time to complete d4d?", "duration"),
        ("do i have to be enrolled at marshall to take it", "eligibility"),
    ],
)
def test_more_ways_to_ask_a_fact(text, attribute):
    assert asked_attributes(text) == [attribute]


def test_highest_and_lowest_priced_order_by_cost():
    assert parse_program_filters("what's the highest priced thing in your catalog", TOPICS).descending is True
    lowest = parse_program_filters("the lowest-priced one", TOPICS)
    assert (lowest.order_by, lowest.descending) == ("cost", False)


def test_a_follow_up_narrows_the_list_just_shown():
    from bot.actions.parsing import narrowed_filter, refers_to_the_list

    assert refers_to_the_list("which of those are certificates?") and refers_to_the_list("which is the cheapest")
    assert not refers_to_the_list("what certificates are there")
    earlier = parse_program_filters("do you have anything in leadership", TOPICS)
    later = narrowed_filter(earlier, parse_program_filters("which of those are certificates", TOPICS))
    assert (later.topic, later.kind) == ("leadership", "certificate")
    cheapest = narrowed_filter(earlier, parse_program_filters("which of them is the cheapest", TOPICS))
    assert (cheapest.topic, cheapest.order_by, cheapest.descending) == ("leadership", "cost", False)
