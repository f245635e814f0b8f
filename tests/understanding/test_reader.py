"""FrameReader: the frame of a message from what the pipeline found, and the scope decision on it."""
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.understanding.catalog_index import CatalogEntry, CatalogIndex
from bot.understanding.frame import Frame
from bot.understanding.reader import FrameReader

ENTRIES = [
    CatalogEntry("genai", "Introduction to Generative AI", "micro-credential", None, ("gen ai",), ("ai",)),
    CatalogEntry("cad", "Introduction to CAD & Fusion 360", "micro-credential", None, ("fusion 360",),
                 ("design", "engineering", "manufacturing")),
]


def message(text, intent, confidence=0.95, off_topic=0.02, **entities):
    """A message as the pipeline leaves it before the reader: tokens, intent, ranking, entities."""
    tokens, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        tokens.append(Token(word, at))
        at += len(word)
    found = []
    for name, value in entities.items():
        start = text.index(value)
        found.append({"entity": name, "value": value, "start": start, "end": start + len(value)})
    return Message(data={TEXT: text, TOKENS_NAMES[TEXT]: tokens, ENTITIES: found,
                         INTENT: {"name": intent, "confidence": confidence},
                         INTENT_RANKING_KEY: [{"name": intent, "confidence": confidence},
                                              {"name": "out_of_scope", "confidence": off_topic}]})


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    component = FrameReader({**FrameReader.get_default_config()}, storage, Resource("reader"),
                            catalog=CatalogIndex(lambda: ENTRIES))
    training = TrainingData(
        training_examples=[Message(data={TEXT: "how much is the nursing course", INTENT: "ask_cost",
                                         ENTITIES: [{"entity": "subject", "value": "nursing", "start": 16, "end": 23}]}),
                           Message(data={TEXT: "how much is a flight", INTENT: "out_of_scope",
                                         ENTITIES: [{"entity": "subject", "value": "a flight", "start": 12, "end": 20}]})],
        lookup_tables=[{"name": "study_field", "elements": ["biology", "welding", "chemistry", "accounting", "law", "first aid"]},
                       {"name": "everyday_thing", "elements": ["car insurance", "pizza", "phone bill", "concert tickets",
                                                                   "golf course", "a certificate of deposit"]}])
    component.train(training)
    return component


def frame_of(reader, msg, tracker=None):
    reader.process([msg], tracker)
    return Frame.of(msg.as_dict())


def test_a_program_named_loosely_and_the_fact_asked(reader):
    frame = frame_of(reader, message("how much is genai", "ask_cost", subject="genai"))
    assert frame.programs == (("genai",),) and frame.fact == "cost" and frame.verdict == "answer"


def test_a_field_of_study_we_lack_is_ours_and_something_else_is_not(reader):
    biology = frame_of(reader, message("how much does it cost to study biology", "ask_cost", subject="biology"))
    assert (biology.subject, biology.verdict, biology.intent) == ("biology", "answer", "ask_cost")
    assert biology.study_subject > 0.5
    pizza = frame_of(reader, message("how much is a pizza", "ask_cost", confidence=0.8, off_topic=0.15, subject="a pizza"))
    assert (pizza.verdict, pizza.intent) == ("decline", "out_of_scope")


def test_the_kind_of_course_is_read_apart_from_its_subject(reader):
    frame = frame_of(reader, message("is there a welding course", "list_programs", subject="welding course"))
    assert frame.subject == "welding" and frame.course_subject and frame.names_study


def test_a_subject_of_only_pointing_words_is_a_reference(reader):
    frame = frame_of(reader, message("what does the 2nd one cost", "ask_cost", subject="the 2nd one"))
    assert frame.subject is None and frame.reference.ordinal == 2


def test_the_questionnaire_question_asked_is_read_from_the_conversation(reader):
    tracker = DialogueStateTracker.from_events("learner", [ActiveLoop("decision_form"),
                                                           SlotSet("requested_slot", "obligations")])
    frame = frame_of(reader, message("none", "deny"), tracker)
    assert frame.situation == {"obligations": []}
    tracker = DialogueStateTracker.from_events("learner", [ActiveLoop("decision_form"),
                                                           SlotSet("requested_slot", "learning_goal")])
    frame = frame_of(reader, message("i want to get into fusion 360 stuff", "inform_situation"), tracker)
    assert frame.situation["learning_goal"] == "Introduction to CAD & Fusion 360"


def test_the_closest_programs_to_a_subject_we_lack(reader):
    frame = frame_of(reader, message("do you have a mechanical design course", "list_programs",
                                     subject="mechanical design"))
    assert frame.nearest[:1] == ("cad",)


def test_the_subject_model_is_saved_with_the_model(reader, tmp_path):
    loaded = FrameReader.load({**FrameReader.get_default_config()}, reader.model_storage, reader.resource, None)
    assert loaded.scope_model is not None
    assert loaded.scope_model.probability("biology") == pytest.approx(reader.scope_model.probability("biology"))
    assert loaded.scope_model.field_in("any welding courses") == "welding"


def test_an_answer_to_the_question_asked_is_taken_as_one_however_the_classifier_read_it(reader):
    tracker = DialogueStateTracker.from_events("learner", [ActiveLoop("decision_form"),
                                                           SlotSet("requested_slot", "learning_goal")])
    frame = frame_of(reader, message("id like to get better at talking to clients and writing emails",
                                     "inform_situation", confidence=0.39, off_topic=0.3), tracker)
    assert frame.intent == "inform_situation" and frame.verdict == "answer"
    assert frame.situation["learning_goal"].startswith("id like to get better")


def test_calling_the_questionnaire_off_is_no_answer_to_it(reader):
    tracker = DialogueStateTracker.from_events("learner", [ActiveLoop("decision_form"),
                                                           SlotSet("requested_slot", "learning_goal")])
    frame = frame_of(reader, message("never mind", "stop", confidence=0.6), tracker)
    assert "learning_goal" not in frame.situation and frame.intent == "stop"


def test_a_degree_with_a_name_of_its_own_is_a_subject_and_a_kind_named_with_the_points_back(reader):
    mba = frame_of(reader, message("how long is the mba if i do it online", "ask_duration"))
    assert (mba.subject, mba.course_subject, mba.verdict) == ("mba", True, "answer")
    masters = frame_of(reader, message("the masters one, who is it for", "ask_audience"))
    assert masters.reference.text == "the masters one" and masters.kinds == ("degree",) and masters.subject is None


def test_a_question_about_a_program_that_names_one_fact_asks_that_fact(reader):
    frame = frame_of(reader, message("what are the entry reqs for gen ai", "ask_program"))
    assert (frame.intent, frame.fact) == ("ask_eligibility", "eligibility")
    frame = frame_of(reader, message("tell me about gen ai", "ask_program"))
    assert (frame.intent, frame.fact) == ("ask_program", None)


def test_who_a_course_is_for_is_no_part_of_its_subject(reader):
    frame = frame_of(reader, message("price of guitar for adults??", "ask_cost", subject="guitar for adults"))
    assert frame.subject == "guitar"


@pytest.mark.parametrize("text, words", [
    ("show me micro credentials for 100 bucks or less", "100 bucks"),
    ("which is more flexible for someone working full time", "someone working"),
    ("uhh both? neither? i dont get the question", "uhh both"),
    ("who is that meant for tho", "tho"),
])
def test_words_of_a_price_a_learner_or_a_pause_are_no_subject(reader, text, words):
    frame = frame_of(reader, message(text, "list_programs", subject=words))
    assert frame.subject is None and frame.intent != "out_of_scope"


def test_a_credential_needed_to_get_in_is_not_what_is_asked_about(reader):
    frame = frame_of(reader, message("and do u need a welding bachelors to get in", "ask_eligibility", subject="welding"))
    assert (frame.kinds, frame.level, frame.subject, frame.topic) == ((), None, None, None)
    frame = frame_of(reader, message("is a degree required for the gen ai course", "ask_eligibility"))
    assert frame.programs == (("genai",),) and "degree" not in frame.kinds


def test_a_field_of_study_the_tagger_missed_is_found_by_the_lookup_table(reader):
    frame = frame_of(reader, message("do you offer biology", "list_programs"))
    assert (frame.subject, frame.intent) == ("biology", "list_programs")
    assert frame_of(reader, message("do you offer anything on gen ai", "list_programs")).subject is None


def test_a_field_the_lookup_table_names_is_a_study_whatever_its_level_or_the_model_says(reader):
    assert reader.scope_model.probability("chemistry") == 1.0
    assert reader.scope_model.probability("chemistry level 2") == 1.0  # its level is no part of the field
    assert reader.scope_model.probability("chemistry set for kids") < 1.0  # a thing named after it is the model's


def test_a_field_after_a_verb_of_studying_is_a_course_s_subject(reader):
    tagged = frame_of(reader, message("i want to learn welding, any evening classes", "ask_format", subject="welding"))
    assert tagged.course_subject
    missed = frame_of(reader, message("i'd like to study accounting part time", "ask_format"))
    assert (missed.subject, missed.course_subject) == ("accounting", True)
    assert not frame_of(reader, message("is accounting software expensive", "ask_cost")).course_subject


def test_a_subject_alone_is_told_from_a_subject_in_a_sentence(reader):
    assert frame_of(reader, message("welding??", "out_of_scope", subject="welding")).subject_alone
    assert frame_of(reader, message("any welding courses?", "list_programs", subject="welding")).subject_alone
    assert not frame_of(reader, message("welding torch repair", "out_of_scope", subject="welding")).subject_alone


def test_a_subject_named_as_a_course_s_is_preferred_to_one_before_it(reader):
    frame = frame_of(reader, message("piano or welding lessons??", "list_programs", subject="piano"))
    assert frame.subject == "piano"  # the tagger marked one subject only
    msg = message("pizza or welding lessons please", "list_programs")
    msg.set("entities", [{"entity": "subject", "value": "pizza", "start": 0, "end": 5},
                         {"entity": "subject", "value": "welding lessons", "start": 9, "end": 24}])
    assert (frame_of(reader, msg).subject, frame_of(reader, msg).course_subject) == ("welding", True)


def test_a_word_for_a_course_in_another_sense_names_no_course_kind_or_subject(reader):
    golf = frame_of(reader, message("best golf courses in west virginia", "list_programs", subject="west virginia"))
    assert not golf.names_study and not golf.course_subject
    deposit = frame_of(reader, message("how much is a 12 month certificate of deposit paying", "ask_cost"))
    assert deposit.kinds == () and deposit.study_subject == 0.0 and deposit.intent == "out_of_scope"
    assert deposit.subject == "certificate of deposit"
    assert reader.scope_model.probability("car insurance") == 0.0
    tagged_whole = frame_of(reader, message("golf course fees", "ask_cost", subject="golf course"))
    assert not tagged_whole.course_subject
    welding = frame_of(reader, message("how much is the welding certificate", "ask_cost", subject="welding"))
    assert welding.kinds == ("certificate",) and welding.course_subject


def test_the_fact_asked_leads_no_subject_but_a_fact_word_of_the_subject_stays(reader):
    titled = frame_of(reader, message("what is the price of fancy florence", "ask_cost",
                                      subject="the price of fancy florence"))
    assert titled.subject == "fancy florence"
    first_aid = frame_of(reader, message("how much is first aid training", "ask_cost", subject="first aid"))
    assert first_aid.subject == "first aid"


def test_the_page_asked_for_is_no_subject(reader):
    frame = frame_of(reader, message("can i get the link for welding", "ask_page", subject="link"))
    assert frame.subject == "welding" and frame.verdict == "answer"  # the field the tagger missed, not "link"
