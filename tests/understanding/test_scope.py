"""The one decision to answer, decline or ask to rephrase (bot/understanding/scope.py)."""
from bot.understanding.frame import Frame, Reference
from bot.understanding.lexicon import Superlative
from bot.understanding.references import ConversationState
from bot.understanding.scope import ANSWER, DECLINE, UNSURE, decide

NOTHING_SAID = ConversationState()


def reading(intent, confidence=0.95, off_topic=0.01, **frame):
    return Frame(classified=intent, confidence=confidence, out_of_scope=off_topic, **frame)


def ranking(frame, second=None):
    return [(frame.classified, frame.confidence), *([second] if second else []), ("out_of_scope", frame.out_of_scope)]


def decided(frame, state=NOTHING_SAID, second=None):
    decision = decide(frame, ranking(frame, second), state)
    return decision.intent, decision.verdict


def test_a_study_fact_of_a_field_we_lack_is_answered_whatever_the_field():
    biology = reading("ask_cost", subject="biology", study_subject=0.93)
    assert decided(biology) == ("ask_cost", ANSWER)


def test_the_same_question_about_something_that_is_no_study_is_declined():
    flight = reading("ask_cost", subject="flight to denver", study_subject=0.03)
    assert decided(flight) == ("out_of_scope", DECLINE)


def test_a_course_of_a_subject_is_studying_even_when_the_subject_alone_is_unclear():
    urban = reading("list_programs", subject="urban", study_subject=0.3, course_subject=True)
    assert decided(urban) == ("list_programs", ANSWER)


def test_a_confident_off_topic_guess_is_kept_unless_a_program_or_course_is_named():
    music = reading("out_of_scope", confidence=0.99, off_topic=0.99, subject="music", study_subject=0.75)
    assert decided(music, second=("list_programs", 0.005)) == ("out_of_scope", DECLINE)
    named = reading("out_of_scope", confidence=0.7, off_topic=0.7, programs=(("genai",),))
    assert decided(named, second=("ask_cost", 0.2)) == ("ask_cost", ANSWER)


def test_a_field_of_study_does_not_outweigh_real_doubt():
    tech_news = reading("faq_topics", confidence=0.61, off_topic=0.29, subject="tech", study_subject=0.98)
    assert decided(tech_news) == ("out_of_scope", DECLINE)


def test_a_question_naming_nothing_must_be_asked_plainly():
    assert decided(reading("ask_aid", confidence=0.99)) == ("ask_aid", ANSWER)          # "is there funding?"
    assert decided(reading("ask_cost", confidence=0.7, off_topic=0.25)) == ("out_of_scope", DECLINE)
    assert decided(reading("ask_cost", confidence=0.6, off_topic=0.05)) == ("nlu_fallback", UNSURE)


def test_a_follow_up_is_ours_when_something_was_said_before():
    listed = ConversationState(listed=("genai", "d4d"))
    second = reading("ask_cost", confidence=0.6, off_topic=0.2, reference=Reference("the second one", ordinal=2))
    assert decided(second, listed) == ("ask_cost", ANSWER)
    assert decided(second, NOTHING_SAID) == ("out_of_scope", DECLINE)
    cheaper = reading("out_of_scope", confidence=0.6, off_topic=0.6, superlative=None,
                      reference=Reference("which of them", plural=True))
    assert decided(cheaper, listed, second=("list_programs", 0.3)) == ("list_programs", ANSWER)


def test_a_person_is_paged_only_when_plainly_asked_for():
    assert decided(reading("human_handoff", confidence=0.9)) == ("human_handoff", ANSWER)
    bank = reading("human_handoff", confidence=0.8, subject="bank account", study_subject=0.02)
    assert decided(bank) == ("out_of_scope", DECLINE)
    nickname = reading("human_handoff", confidence=0.55, off_topic=0.4)
    assert decided(nickname) == ("out_of_scope", DECLINE)


def test_small_talk_and_the_unreadable():
    assert decided(reading("greet", confidence=0.9)) == ("greet", ANSWER)
    assert decided(reading(None, confidence=0.0)) == ("nlu_fallback", UNSURE)
    assert decided(reading("ask_cost", confidence=0.1, off_topic=0.05)) == ("nlu_fallback", UNSURE)


def test_beside_a_kind_of_credential_another_subject_is_context_unless_it_names_the_kind():
    hiring = reading("faq_recognition", confidence=0.97, subject="hiring manager", study_subject=0.3,
                     kinds=("micro-credential",))
    assert decided(hiring) == ("faq_recognition", ANSWER)
    birth = reading("ask_duration", confidence=0.9, subject="birth", study_subject=0.05, kinds=("certificate",),
                    course_subject=True)
    assert decided(birth) == ("out_of_scope", DECLINE)  # "how long does a birth certificate take"


def test_strong_words_of_ours_rescue_an_unsure_or_off_topic_reading_unless_it_is_all_but_certain():
    film = reading("out_of_scope", confidence=0.95, off_topic=0.95, subject="film making", study_subject=0.97,
                   course_subject=True)
    assert decided(film, second=("list_programs", 0.03)) == ("list_programs", ANSWER)
    certain = reading("out_of_scope", confidence=0.995, off_topic=0.995, kinds=("degree",))
    assert decided(certain, second=("ask_cost", 0.001)) == ("out_of_scope", DECLINE)


def test_a_course_of_a_subject_surely_studied_is_ours_however_sure_the_classifier_is_it_is_not():
    film = reading("out_of_scope", confidence=0.995, off_topic=0.995, subject="film making", study_subject=0.97,
                   course_subject=True, names_study=True)
    assert decided(film, second=("list_programs", 0.002)) == ("list_programs", ANSWER)
    spin = reading("out_of_scope", confidence=0.995, off_topic=0.995, subject="spin", study_subject=0.4,
                   course_subject=True, names_study=True)
    assert decided(spin, second=("list_programs", 0.002)) == ("out_of_scope", DECLINE)


def test_asking_for_a_person_is_not_declined_for_what_it_is_about():
    coach = reading("human_handoff", subject="big decision", study_subject=0.4, names_person=True)
    assert decided(coach) == ("human_handoff", ANSWER)


def test_a_question_about_a_program_in_general_that_names_one_fact_asks_that_fact():
    reqs = reading("ask_overview", confidence=0.74, facts_named=("eligibility",))
    assert decided(reqs) == ("ask_eligibility", ANSWER)
    two = reading("ask_overview", confidence=0.74, facts_named=("eligibility", "cost"))
    assert decided(two)[0] != "ask_eligibility"


def test_a_question_naming_nothing_taken_for_a_statement_follows_up_on_what_was_said():
    # "and do I need a degree already?" read as the learner's situation, after a program answer
    said = ConversationState(program="non-profit-management")
    statement = reading("inform_situation", confidence=0.66, asks=True)
    assert decided(statement, said, second=("ask_eligibility", 0.3)) == ("ask_eligibility", ANSWER)
    assert decided(statement, NOTHING_SAID, second=("ask_eligibility", 0.3))[1] == UNSURE
    told = reading("inform_situation", confidence=0.66, asks=False)
    assert decided(told, said, second=("ask_eligibility", 0.3))[1] == UNSURE


def test_a_plain_question_of_ours_outweighs_a_subject_model_in_doubt_but_not_a_subject_plainly_not_studied():
    # another catalog's course title: the classifier is all but sure, the subject model unsure
    title = reading("ask_cost", confidence=0.99, off_topic=0.006, subject="fancy florence", study_subject=0.48)
    assert decided(title) == ("ask_cost", ANSWER)
    flight = reading("ask_cost", confidence=0.99, off_topic=0.006, subject="flight to denver", study_subject=0.03)
    assert decided(flight) == ("out_of_scope", DECLINE)
    unsure = reading("ask_cost", confidence=0.8, off_topic=0.1, subject="fancy florence", study_subject=0.48)
    assert decided(unsure) == ("out_of_scope", DECLINE)


def test_a_general_question_naming_nothing_asks_the_fact_of_what_is_in_focus():
    what_would_it_cost = reading("faq_compare_cost", confidence=0.8)
    assert decided(what_would_it_cost, ConversationState(subject="biology")) == ("ask_cost", ANSWER)
    assert decided(what_would_it_cost, ConversationState(program="cad")) == ("ask_cost", ANSWER)
    # after kinds of credential were discussed, or with nothing said, it stays the general question
    assert decided(what_would_it_cost, ConversationState(kinds=("certificate", "degree"))) == ("faq_compare_cost", ANSWER)
    assert decided(what_would_it_cost) == ("faq_compare_cost", ANSWER)
    kinds_named = reading("faq_compare_cost", confidence=0.8, kinds=("certificate",))
    assert decided(kinds_named, ConversationState(program="cad")) == ("faq_compare_cost", ANSWER)


def test_an_ordering_after_something_was_said_is_a_question_not_small_talk():
    less_money = reading("clarify", confidence=0.6, superlative=Superlative("cost", False))
    compared = ConversationState(kinds=("micro-credential", "certificate"))
    assert decided(less_money, compared, second=("faq_compare_cost", 0.3)) == ("faq_compare_cost", ANSWER)
    assert decided(less_money, NOTHING_SAID, second=("faq_compare_cost", 0.3)) == ("clarify", ANSWER)


def test_a_field_of_study_named_alone_asks_whether_we_teach_it():
    swahili = reading("out_of_scope", confidence=0.9, off_topic=0.9, subject="swahili", study_subject=1.0,
                      subject_alone=True)
    assert decided(swahili) == ("list_programs", ANSWER)
    cost = reading("ask_cost", confidence=0.6, off_topic=0.3, subject="swahili", study_subject=1.0, subject_alone=True)
    assert decided(cost) == ("ask_cost", ANSWER)
    unsure = reading("out_of_scope", confidence=0.9, off_topic=0.9, subject="fancy", study_subject=0.6, subject_alone=True)
    assert decided(unsure) == ("out_of_scope", DECLINE)


def test_a_matter_for_the_office_is_referred_to_a_coach_rather_than_declined():
    transcript = reading("out_of_scope", confidence=0.7, off_topic=0.7, office_matter=True)
    assert decided(transcript) == ("ask_office", ANSWER)
    visa = reading("out_of_scope", confidence=0.7, off_topic=0.7, subject="india", study_subject=0.1, office_matter=True)
    assert decided(visa) == ("ask_office", ANSWER)
    # answered as one of our questions when it is one ("tuition for the cad course"), declined when surely off-topic
    tuition = reading("ask_cost", programs=(("cad",),), office_matter=True)
    assert decided(tuition) == ("ask_cost", ANSWER)
    assert decided(reading("out_of_scope", confidence=0.999, off_topic=0.999, office_matter=True)) == (
        "out_of_scope", DECLINE)


def test_with_a_kind_named_too_only_a_subject_plainly_not_studied_outweighs_a_plain_question():
    words_of_a_clause = reading("ask_recommendation", confidence=0.99, off_topic=0.0, subject="cant commit yet",
                                study_subject=0.17, kinds=("degree",), course_subject=True)
    assert decided(words_of_a_clause) == ("ask_recommendation", ANSWER)
    insurance = reading("ask_cost", confidence=0.99, off_topic=0.0, subject="car insurance", study_subject=0.02,
                        kinds=("certificate",), course_subject=True)
    assert decided(insurance) == ("out_of_scope", DECLINE)
