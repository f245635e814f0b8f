"""The catalog actions against a real, seeded database (SQLite, and PostgreSQL when reachable)."""
import pytest
from rasa_sdk.events import SlotSet

from bot.actions.program_actions import (
    ActionAnswerFaq,
    ActionAnswerProgram,
    ActionComparePrograms,
    ActionListPrograms,
)
from tests.actions_support import program_entity, responses, run, tracker_for


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)


def test_cost_of_a_named_program():
    messages, events = run(ActionAnswerProgram(), tracker_for(
        "What is the cost of Introduction to Generative AI?", entities=[program_entity("Introduction to Generative AI")]))
    assert responses(messages) == ["utter_program_cost"]
    assert messages[0]["cost"] == "$10"
    assert SlotSet("program", "introduction-to-generative-ai") in events


def test_misspelled_name_is_found_without_an_entity():
    messages, _ = run(ActionAnswerProgram(), tracker_for("whats the price of the generativ ai corse"))
    assert messages[0]["cost"] == "$10"


def test_missing_figure_is_never_invented():
    messages, _ = run(ActionAnswerProgram(), tracker_for(
        "what's the tuition for the Behavioral Statistics certificate",
        entities=[program_entity("Behavioral Statistics certificate")]))
    assert responses(messages) == ["utter_program_fact_unknown"]
    assert messages[0]["attribute"] == "price"
    assert "$" not in str(messages)


def test_unknown_program_is_named_back_safely():
    messages, _ = run(ActionAnswerProgram(), tracker_for("how much is the astrophysics microcredential"))
    assert responses(messages) == ["utter_program_not_found", "utter_catalog_topics"]
    assert messages[0]["phrase"] == "astrophysics"
    assert "$" not in str(messages)


def test_missing_program_points_to_the_nearest_topics_and_a_coach():
    messages, _ = run(ActionAnswerProgram(), tracker_for("is there a safty management course online"))
    assert responses(messages) == ["utter_program_not_found", "utter_nearest_topics"]
    assert messages[0]["phrase"] == "safty management"
    assert "safety" in messages[1]["topics"] and "management" in messages[1]["topics"]
    assert "/human_handoff" in [button["payload"] for button in messages[1]["buttons"]]


@pytest.mark.parametrize("action, text", [
    (ActionAnswerProgram(), "tell me about the MBA"),
    (ActionListPrograms(), "do you have anything on welding"),
])
def test_a_subject_we_lack_is_named_never_the_whole_catalog(action, text):
    messages, _ = run(action, tracker_for(text))
    assert responses(messages)[0] == "utter_program_not_found"
    assert "utter_program_list" not in responses(messages)


def test_a_topic_with_a_fact_lists_that_topic_with_prices():
    messages, _ = run(ActionAnswerProgram(), tracker_for("I'm into AI, what have you got and what does it cost?"))
    assert responses(messages) == ["utter_program_list"]
    assert "Generative AI" in messages[0]["lines"] and "$10" in messages[0]["lines"]


@pytest.mark.parametrize("text, response", [
    ("how long is a master's degree", "utter_faq_compare_time"),
    ("how long does a bachelors take", "utter_faq_compare_time"),
])
def test_a_kind_in_general_gets_the_general_answer(text, response):
    messages, _ = run(ActionAnswerProgram(), tracker_for(text, slots={"program": "ms-physics"}))
    assert responses(messages) == [response]


def test_two_facts_in_one_question_get_two_answers():
    messages, events = run(ActionAnswerProgram(), tracker_for("how much is the CAD course and is it in person?"))
    assert responses(messages) == ["utter_program_cost", "utter_program_format"]
    assert SlotSet("program_attribute", "cost") in events


def test_can_i_do_it_online_asks_about_the_format():
    messages, _ = run(ActionAnswerProgram(), tracker_for("can I do the lockout tagout training online"))
    assert responses(messages) == ["utter_program_format"]


def test_follow_up_uses_the_remembered_program():
    messages, _ = run(ActionAnswerProgram(), tracker_for(
        "what does it cost", slots={"program": "design-for-delight-innovation-explorer"}))
    assert messages[0]["cost"] == "$150"


def test_new_program_repeats_the_previous_question():
    messages, events = run(ActionAnswerProgram(), tracker_for(
        "and the lockout one?", slots={"program": "introduction-to-generative-ai", "program_attribute": "cost"}))
    assert messages[0]["cost"] == "$99"
    assert SlotSet("program", "lockout-tagout-safety-training") in events


def test_partial_name_matching_two_programs_offers_a_choice():
    messages, _ = run(ActionAnswerProgram(), tracker_for("and the design one?", slots={"program_attribute": "cost"}))
    assert responses(messages) == ["utter_program_ambiguous"]
    titles = {button["title"] for button in messages[0]["buttons"]}
    assert any("Design for Delight" in t for t in titles) and any("CAD" in t or "Computer-Aided" in t for t in titles)


def test_format_and_duration_of_the_cad_course():
    entity = [program_entity("Introduction to CAD & Fusion 360")]
    messages, _ = run(ActionAnswerProgram(), tracker_for("is Introduction to CAD & Fusion 360 online?", entities=entity))
    assert messages[0]["delivery_format"] == "in person"
    messages, _ = run(ActionAnswerProgram(), tracker_for("how long is Introduction to CAD & Fusion 360", entities=entity))
    assert messages[0]["duration"] == "4 days"


def test_no_program_and_no_context_asks_which():
    messages, _ = run(ActionAnswerProgram(), tracker_for("how much is it"))
    assert responses(messages) == ["utter_ask_which_program"]


def test_faq_answer_unless_a_program_is_named():
    messages, _ = run(ActionAnswerFaq(), tracker_for(
        "are microcredentials cheaper", intent="faq_compare_cost"))
    assert responses(messages) == ["utter_faq_compare_cost"]
    messages, _ = run(ActionAnswerFaq(), tracker_for(
        "how much is Lockout/Tagout Safety Training", intent="faq_compare_cost",
        entities=[program_entity("Lockout/Tagout Safety Training")]))
    assert messages[0]["cost"] == "$99"


def test_list_under_a_budget():
    messages, _ = run(ActionListPrograms(), tracker_for("which microcredentials cost less than $120", intent="list_programs"))
    lines = messages[0]["lines"]
    assert "Generative AI" in lines and "Lockout" in lines and "Critical Thinking" in lines
    assert "$350" not in lines and "$150" not in lines


def test_list_with_format_topic_and_price():
    messages, _ = run(ActionListPrograms(), tracker_for("anything in person under $100 about safety?", intent="list_programs"))
    assert len(messages[0]["lines"].splitlines()) == 1 and "Lockout" in messages[0]["lines"]


def test_cheapest_is_claimed_only_among_listed_prices():
    messages, _ = run(ActionListPrograms(), tracker_for("what's the cheapest microcredential", intent="list_programs"))
    assert len(messages[0]["lines"].splitlines()) == 1 and "$10" in messages[0]["lines"]
    assert "listed price" in messages[0]["heading"]


@pytest.mark.parametrize("text, first, figure", [
    ("what's the most expensive program", "Introduction to Computer-Aided Design", "$350"),
    ("which course takes the longest", "Introduction to Computer-Aided Design", "4 days"),
])
def test_most_expensive_and_longest(text, first, figure):
    messages, _ = run(ActionListPrograms(), tracker_for(text, intent="list_programs"))
    heading, lines = messages[0]["heading"], messages[0]["lines"]
    assert "most expensive" in heading or "longest" in heading
    assert lines.splitlines()[0].startswith(f"- {first}") and figure in lines.splitlines()[0]


def test_list_with_nothing_matching():
    messages, _ = run(ActionListPrograms(), tracker_for("degrees under $5", intent="list_programs"))
    assert responses(messages) == ["utter_program_list_empty"]


def test_compare_two_programs():
    messages, _ = run(ActionComparePrograms(), tracker_for(
        "compare gen ai and design for delight", intent="compare_programs",
        entities=[program_entity("gen ai"), program_entity("design for delight")]))
    assert "$10" in messages[0]["lines"] and "$150" in messages[0]["lines"]


def test_compare_needs_two():
    messages, _ = run(ActionComparePrograms(), tracker_for("compare them", intent="compare_programs"))
    assert responses(messages) == ["utter_compare_needs_two"]


def test_database_down_gives_a_clear_answer(monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    messages, events = run(ActionAnswerProgram(), tracker_for("how much is the gen ai course"))
    assert responses(messages) == ["utter_catalog_unavailable"] and events == []


@pytest.mark.parametrize("text, response", [
    ("how long do degrees take", "utter_faq_compare_time"),
    ("how much do certificates cost", "utter_faq_compare_cost"),
])
def test_a_general_question_taken_for_a_list_gets_the_general_answer(text, response):
    messages, _ = run(ActionListPrograms(), tracker_for(text, intent="list_programs"))
    assert responses(messages) == [response]


@pytest.mark.parametrize("text", ["which degrees do you have", "how long are your online certificates",
                                  "show me certificates and how long they take"])
def test_a_list_request_still_lists(text):
    messages, _ = run(ActionListPrograms(), tracker_for(text, intent="list_programs"))
    assert not any(r and r.startswith("utter_faq_") for r in responses(messages))


def test_a_kind_picks_between_programs_sharing_a_word():
    messages, events = run(ActionAnswerProgram(), tracker_for("how much is the leadership certificate"))
    assert responses(messages) != ["utter_program_ambiguous"]
    assert SlotSet("program", "educational-leadership") in events


@pytest.mark.parametrize("action, text, phrase", [
    (ActionAnswerProgram(), "nursing degree?", "nursing"),
    (ActionAnswerProgram(), "is there a phd in chemistry", "chemistry"),
    (ActionListPrograms(), "spanish classes available?", "spanish"),
    (ActionListPrograms(), "piano or music lessons??", "piano or music"),
])
def test_whatever_else_a_catalog_question_names_is_said_to_be_missing(action, text, phrase):
    messages, _ = run(action, tracker_for(text))
    assert responses(messages)[0] == "utter_program_not_found" and messages[0]["phrase"] == phrase
    assert "utter_program_list" not in responses(messages)


@pytest.mark.parametrize("text", ["list everything please", "anything online under $200?", "what courses do you have"])
def test_a_plain_list_request_still_lists(text):
    messages, _ = run(ActionListPrograms(), tracker_for(text, intent="list_programs"))
    assert responses(messages)[0] in {"utter_program_list", "utter_program_list_empty"}


def earlier_answer_about(slug: str, turns_ago: int, now: str):
    """Events of a conversation where a program was answered about `turns_ago` turns before `now`."""
    events = [{"event": "user", "text": "tell me about it", "input_channel": "rest"},
              {"event": "slot", "name": "program", "value": slug}]
    for _ in range(turns_ago - 1):
        events.append({"event": "user", "text": "ok", "input_channel": "rest"})
    events.append({"event": "user", "text": now, "input_channel": "rest"})
    return events


def test_a_general_question_right_after_a_program_answer_is_about_that_program():
    text = "how many credits"
    messages, _ = run(ActionAnswerFaq(), tracker_for(
        text, intent="faq_credits", slots={"program": "behavioral-statistics"},
        events=earlier_answer_about("behavioral-statistics", 1, text)))
    assert responses(messages)[0] in {"utter_program_credits", "utter_program_fact_unknown"}
    assert messages[0]["program"] == "Behavioral Statistics"


@pytest.mark.parametrize("text, turns_ago", [("how many credits is a certificate", 1), ("how many credits", 4)])
def test_a_kind_of_credential_or_an_old_program_keeps_the_general_answer(text, turns_ago):
    messages, _ = run(ActionAnswerFaq(), tracker_for(
        text, intent="faq_credits", slots={"program": "behavioral-statistics"},
        events=earlier_answer_about("behavioral-statistics", turns_ago, text)))
    assert responses(messages) == ["utter_faq_credits"]


@pytest.mark.parametrize("action, text, intent, noted", [
    (ActionAnswerFaq(), "what's a microcredential and how much time does one take", "faq_what_is_microcredential", True),
    (ActionListPrograms(), "what do you have in cybersecurity and what's your phone number", "list_programs", True),
    (ActionAnswerProgram(), "how much is the CAD course and how long does it take", "ask_program", False),
    (ActionAnswerProgram(), "tell me about design for delight, also how much is it", "ask_program", False),
    (ActionAnswerFaq(), "what is a digital badge", "faq_badge", False),
])
def test_a_second_question_left_unanswered_is_said_so(action, text, intent, noted):
    messages, _ = run(action, tracker_for(text, intent=intent))
    assert ("utter_answered_one_question" in responses(messages)) == noted


@pytest.mark.parametrize("action, text, intent", [
    (ActionAnswerProgram(), "how much does bde stock cost", "ask_program"),
    (ActionListPrograms(), "what's the fastest animal", "list_programs"),
    (ActionComparePrograms(), "compare the dyson v15 and the shark stratos", "compare_programs"),
])
def test_a_catalog_intent_on_a_message_about_something_else_is_declined(action, text, intent):
    messages, _ = run(action, tracker_for(text, intent=intent))
    assert responses(messages) == ["utter_out_of_scope"]


def test_a_follow_up_to_a_missing_subject_names_the_next_one():
    events = [{"event": "user", "text": "do you have a python course", "input_channel": "rest"},
              {"event": "bot", "text": "I don't see...", "metadata": {"utter_action": "utter_program_not_found"}},
              {"event": "user", "text": "what about sql", "input_channel": "rest"}]
    messages, _ = run(ActionAnswerProgram(), tracker_for("what about sql", events=events))
    assert responses(messages)[0] == "utter_program_not_found" and messages[0]["phrase"] == "sql"


def test_a_message_the_classifier_was_unsure_of_still_gets_its_program_answer():
    from bot.actions.handoff_actions import ActionFallback

    messages, events = run(ActionFallback(), tracker_for(
        "so the design for delight thing, what is it", intent="nlu_fallback",
        entities=[program_entity("design for delight")]))
    assert responses(messages)[0] == "utter_program_overview"
    assert SlotSet("program", "design-for-delight-innovation-explorer") in events


def test_an_unsure_request_for_a_subject_we_lack_is_told_it_is_missing():
    from bot.actions.handoff_actions import ActionFallback

    messages, _ = run(ActionFallback(), tracker_for("is there a welding micro credential", intent="nlu_fallback"))
    assert responses(messages)[0] == "utter_program_not_found" and messages[0]["phrase"] == "welding"
    messages, _ = run(ActionFallback(), tracker_for("is there a leadership certificate", intent="nlu_fallback"))
    assert responses(messages) == ["utter_program_list"]


def test_which_of_those_narrows_the_list_just_shown():
    events = [{"event": "user", "text": "do you have anything in leadership", "input_channel": "rest"},
              {"event": "bot", "text": "Here's...", "metadata": {"utter_action": "utter_program_list"}},
              {"event": "user", "text": "which of those are certificates", "input_channel": "rest"}]
    messages, _ = run(ActionAnswerFaq(), tracker_for("which of those are certificates", intent="faq_cert_levels",
                                                     events=events))
    assert responses(messages) == ["utter_program_list"]
    listed = messages[0]["lines"]
    assert "Leadership" in listed and "Educational Leadership" in listed
