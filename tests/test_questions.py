"""action_answer_question: every question of a message answered from its frame, on the seed catalog."""
import pytest

from bot.actions.questions import ActionAnswerQuestion
from bot.understanding.frame import Frame, Reference
from bot.understanding.lexicon import Superlative
from catalog_db import answer_versions, editing
from catalog_db.engine import make_session
from tests.actions_support import responses, run, tracker_for

GENAI, CAD, LOTO = "introduction-to-generative-ai", "introduction-to-cad-and-fusion-360", "lockout-tagout-safety-training"
COMM, CRIT, D4D = "durable-skills-communication", "durable-skills-critical-thinking", "design-for-delight-innovation-explorer"


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)


def ask(*questions: Frame, slots=None):
    """Run the action on a message whose frame (or frames, one per question) is given."""
    tracker = tracker_for(questions[0].text, intent=questions[0].intent, slots=slots or {})
    tracker.latest_message["frame"] = questions[0].as_dict()
    if len(questions) > 1:
        tracker.latest_message["questions"] = [question.as_dict() for question in questions]
    messages, events = run(ActionAnswerQuestion(), tracker)
    return messages, {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def q(intent, fact=None, **frame):
    return Frame(text="...", intent=intent, classified=intent, fact=fact, **frame)


def test_a_fact_of_a_program_named():
    messages, slots = ask(q("ask_cost", "cost", programs=((GENAI,),)))
    assert responses(messages) == ["utter_program_cost"] and messages[0]["value"] == "$10"
    assert slots == {"program": GENAI, "last_fact": "cost"}


def test_a_fact_the_catalog_lacks_is_said_to_be_missing_never_guessed():
    messages, _ = ask(q("ask_duration", "duration", programs=((GENAI,),)))
    assert responses(messages) == ["utter_program_fact_unknown"] and messages[0]["attribute"] == "length"


def test_a_name_fitting_two_programs_asks_which_unless_the_kind_decides():
    messages, _ = ask(q("ask_cost", "cost", programs=(("educational-leadership", "leadership-and-supervisory-training"),)))
    assert responses(messages) == ["utter_program_ambiguous"] and len(messages[0]["buttons"]) == 2
    messages, _ = ask(q("ask_cost", "cost", kinds=("certificate",),
                        programs=(("educational-leadership", "leadership-and-supervisory-training"),)))
    assert responses(messages) == ["utter_program_fact_unknown"] and messages[0]["program"] == "Educational Leadership"


def test_a_subject_we_lack_is_named_with_the_closest_programs_and_a_coach():
    messages, slots = ask(q("ask_cost", "cost", subject="mechatronics", study_subject=0.9, nearest=(CAD,)))
    assert responses(messages) == ["utter_program_not_found", "utter_nearest_programs"]
    assert messages[0]["phrase"] == "mechatronics" and "Talk to a coach" in [b["title"] for b in messages[1]["buttons"]]
    assert slots["subject_in_focus"] == "mechatronics" and slots["listed_programs"] == [CAD]
    messages, _ = ask(q("ask_cost", "cost", subject="biology", study_subject=0.9))
    assert responses(messages) == ["utter_program_not_found", "utter_catalog_topics"]


def test_a_kind_in_general_gets_the_general_answer_of_the_fact():
    messages, slots = ask(q("ask_duration", "duration", kinds=("certificate",)))
    assert responses(messages) == ["utter_faq_compare_time"] and slots["kinds_in_focus"] == ["certificate"]
    assert responses(ask(q("ask_audience", "audience", kinds=("micro-credential",)))[0]) == ["utter_faq_who_should"]
    assert responses(ask(q("ask_overview", "overview", kinds=("degree",)))[0]) == ["utter_faq_what_is_degree"]


def test_references_after_a_list():
    listed = {"listed_programs": [COMM, CRIT, D4D]}
    messages, slots = ask(q("ask_cost", "cost", reference=Reference("the third one", ordinal=3)), slots=listed)
    assert responses(messages) == ["utter_program_cost"] and messages[0]["program"].startswith("Design for Delight")
    assert slots["program"] == D4D and "listed_programs" not in slots  # the list stays for "and the first?"
    messages, _ = ask(q("ask_program", reference=Reference("the first", ordinal=1)),
                      slots={**listed, "last_fact": "audience"})
    assert responses(messages) == ["utter_program_audience"]  # the fact asked last, of the program pointed at
    messages, _ = ask(q("ask_cost", "cost", reference=Reference("it")), slots=listed)
    assert responses(messages) == ["utter_program_ambiguous"]  # "it" of three: which one?


def test_an_elliptical_question_is_about_the_program_in_focus():
    messages, _ = ask(q("ask_cost", "cost"), slots={"program": LOTO})
    assert messages[0]["program"] == "Lockout/Tagout Safety Training" and messages[0]["value"] == "$99"
    assert responses(ask(q("ask_cost", "cost"))[0]) == ["utter_faq_compare_cost"]  # nothing said before


def test_the_cheapest_of_the_list_just_shown_and_of_the_catalog():
    listed = {"listed_programs": [CAD, LOTO, D4D]}
    messages, slots = ask(q("list_programs", superlative=Superlative("cost", False),
                            reference=Reference("which of them", plural=True)), slots=listed)
    assert responses(messages) == ["utter_program_superlative"] and "Lockout/Tagout" in messages[0]["answer"]
    assert "listed_programs" not in slots  # picked from the list, which stays the list
    messages, _ = ask(q("list_programs", superlative=Superlative("duration", False),
                        reference=Reference("which one")), slots={**listed, "program": LOTO})
    assert "of those" in messages[0]["answer"]  # "which one is quicker" orders the list, not the catalog
    messages, _ = ask(q("list_programs", superlative=Superlative("cost", False), kinds=("micro-credential",)))
    assert "Introduction to Generative AI" in messages[0]["answer"] and "Next:" in messages[0]["others"]


def test_which_costs_less_after_kinds_were_compared_is_the_general_answer():
    messages, _ = ask(q("ask_cost", "cost", superlative=Superlative("cost", False)),
                      slots={"kinds_in_focus": ["micro-credential", "certificate"]})
    assert responses(messages) == ["utter_faq_compare_cost"]


def test_lists_narrowed_and_comparisons():
    messages, slots = ask(q("list_programs", kinds=("micro-credential",), delivery_format="in_person"))
    assert responses(messages) == ["utter_program_list"] and slots["listed_programs"] == [CAD, LOTO]
    messages, slots = ask(q("compare_programs", programs=((GENAI,), (CAD,)), superlative=Superlative("cost", False)))
    assert responses(messages) == ["utter_program_comparison", "utter_program_superlative"]
    assert slots["listed_programs"] == [GENAI, CAD]
    messages, _ = ask(q("compare_programs", reference=Reference("them", plural=True)), slots={"listed_programs": [COMM, CRIT]})
    assert responses(messages) == ["utter_program_comparison"]
    # "the cheaper one of those two?" right after the two were shown: which wins, not the table again
    messages, _ = ask(q("compare_programs", reference=Reference("those two", plural=True),
                        superlative=Superlative("cost", False)), slots={"listed_programs": [GENAI, CAD]})
    assert responses(messages) == ["utter_program_superlative"] and "of the two" in messages[0]["answer"]


def test_which_of_two_wins_is_not_guessed_when_one_figure_is_missing():
    messages, _ = ask(q("compare_programs", programs=((GENAI,), (CAD,)), superlative=Superlative("duration", False)))
    assert responses(messages) == ["utter_program_comparison", "utter_program_superlative"]
    assert "can't say which is the shorter" in messages[1]["answer"] and "Generative AI" in messages[1]["answer"]


def test_two_questions_are_answered_in_order_the_second_pointing_at_the_first():
    messages, slots = ask(q("ask_cost", "cost", programs=((CAD,),)), q("ask_format", "format", reference=Reference("it")))
    assert responses(messages) == ["utter_program_cost", "utter_program_format"]
    assert messages[1]["program"].startswith("Introduction to Computer-Aided Design")


def test_a_general_question_beside_a_program_s_leaves_the_program_in_focus():
    _, slots = ask(q("ask_format", "format", programs=((GENAI,),)),
                   q("faq_stacking", kinds=("micro-credential",)))
    assert slots["program"] == GENAI


def test_programs_asked_about_in_one_message_are_what_they_and_both_point_at_next():
    _, slots = ask(q("ask_cost", "cost", programs=((LOTO,),)), q("ask_cost", "cost", programs=((GENAI,),)))
    assert slots["listed_programs"] == [LOTO, GENAI]


def test_a_question_not_ours_among_several_is_said_to_be_left():
    declined = Frame(text="and the weather?", intent="out_of_scope", verdict="decline")
    messages, _ = ask(q("ask_cost", "cost", programs=((GENAI,),)), declined)
    assert responses(messages) == ["utter_program_cost", "utter_answered_one_question"]


def test_general_questions_and_the_office_s_own():
    assert responses(ask(q("faq_badge"))[0]) == ["utter_faq_badge"]
    assert responses(ask(q("ask_office"))[0]) == ["utter_refer_to_coach"]


def test_the_catalog_down_is_said_plainly(monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path}/missing/dir/../nothing.sqlite3?mode=ro")
    messages, _ = ask(q("ask_cost", "cost", programs=((GENAI,),)))
    assert responses(messages) == ["utter_catalog_unavailable"]


def test_kinds_just_explained_are_what_a_comparison_points_at():
    explained = {"kinds_in_focus": ["micro-credential"], "last_fact": "overview"}
    messages, _ = ask(q("list_programs", superlative=Superlative("cost", False), kinds=("certificate",),
                        reference=Reference("they", plural=True)), slots=explained)
    assert responses(messages) == ["utter_faq_compare_cost"]  # "so are they cheaper than certificates?"
    messages, _ = ask(q("compare_programs", superlative=Superlative("duration", True)),
                      slots={"kinds_in_focus": ["certificate", "degree"]})
    assert responses(messages) == ["utter_faq_compare_time"]  # "which one takes longer?"


def test_and_a_kind_after_a_general_answer_asks_the_same_of_it():
    messages, _ = ask(q("list_programs", kinds=("certificate",)),
                      slots={"kinds_in_focus": ["micro-credential"], "last_fact": "audience"})
    assert responses(messages) == ["utter_faq_compare_audience"]


def test_a_question_naming_nothing_right_after_a_comparison_is_about_both():
    messages, _ = ask(q("ask_cost", "cost"), slots={"listed_programs": [COMM, CRIT]})
    assert responses(messages) == ["utter_program_cost", "utter_program_cost"]


def test_a_list_of_one_program_named_answers_about_it():
    messages, slots = ask(q("list_programs", programs=((GENAI,),)))
    assert responses(messages) == ["utter_program_overview"] and slots["program"] == GENAI


def test_a_fact_of_the_program_an_ordering_picks():
    messages, slots = ask(q("ask_enrol", "enrol", superlative=Superlative("cost", False),
                            reference=Reference("the cheaper one")), slots={"listed_programs": [CAD, LOTO]})
    assert responses(messages) == ["utter_program_enrol"] and messages[0]["program"].startswith("Lockout")
    assert slots["program"] == LOTO


def test_a_question_for_a_coach_still_focuses_on_the_program_it_names():
    _, slots = ask(q("ask_office", programs=((CAD,),)))
    assert slots["program"] == CAD


def test_a_list_question_pointing_at_a_subject_we_lack_says_so_again():
    messages, _ = ask(q("list_programs", kinds=("certificate",), reference=Reference("it")),
                      slots={"subject_in_focus": "photography"})
    assert responses(messages)[0] == "utter_program_not_found" and messages[0]["phrase"] == "photography"


def test_a_fact_of_both_just_compared_is_answered_for_both_not_filtered():
    messages, _ = ask(q("ask_format", "format", delivery_format="online", reference=Reference("both", plural=True)),
                      slots={"listed_programs": [CAD, LOTO]})
    assert responses(messages) == ["utter_program_format", "utter_program_format"]


def test_a_kind_named_as_one_in_view_is_that_program_else_the_kind_in_general():
    bachelor, master = "ba-communication-studies", "ms-physics"
    messages, slots = ask(q("ask_audience", "audience", kinds=("degree",), level="graduate",
                            reference=Reference("the masters one")), slots={"listed_programs": [bachelor, master]})
    assert responses(messages) == ["utter_program_fact_unknown"] and slots["program"] == master
    messages, _ = ask(q("ask_duration", "duration", kinds=("certificate",), reference=Reference("the cert")),
                      slots={"program": GENAI})
    assert responses(messages) == ["utter_faq_compare_time"]


def test_a_retired_program_is_no_longer_offered_and_no_longer_listed(seeded_url):
    with make_session(seeded_url) as session, session.begin():
        editing.set_retired(session, GENAI, True)
    messages, slots = ask(q("ask_cost", "cost", programs=((GENAI,),)))
    assert responses(messages) == ["utter_program_retired"]
    assert messages[0]["program"] == "Introduction to Generative AI" and slots["program"] == GENAI
    listed, _ = ask(q("list_programs", kinds=("micro-credential",)))
    assert responses(listed) == ["utter_program_list"] and "Generative AI" not in listed[0]["lines"]


def test_a_general_answer_edited_on_the_desk_is_said_in_its_words_under_its_name(seeded_url):
    assert ask(q("faq_badge"))[0][0]["text"] is None  # the domain's wording, filled in by Rasa
    with make_session(seeded_url) as session, session.begin():
        answer_versions.save_version(session, "utter_faq_badge", "A badge shows off {name:" + GENAI + "}.", "ada")
        answer_versions.save_version(session, "utter_faq_enroll", "Ask about {cost:" + GENAI + "}.", "ada")
    messages, _ = ask(q("faq_badge"))
    assert messages[0]["response"] == "utter_faq_badge"
    assert messages[0]["text"] == "A badge shows off Introduction to Generative AI."
    with make_session(seeded_url) as session, session.begin():
        editing.set_retired(session, GENAI, True)  # since the answer was saved: its placeholder no longer fills
    messages, _ = ask(q("ask_enrol", "enrol"))
    assert responses(messages) == ["utter_faq_enroll"] and messages[0]["text"] is None
