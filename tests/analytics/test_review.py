"""The review: grouping near-identical messages, the queue and its labels, and the reviewed NLU file."""
from datetime import date
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from catalog_db.engine import get_engine, make_session
from channels import outbox
from channels.desk.analytics import review, summary, tracker_events
from channels.desk.analytics.summary import REVIEWED
from tests.analytics.conftest import DAY_2, ZONE
from tests.analytics.event_log import EventLog

ROOT = Path(__file__).resolve().parents[2]
BOTH_DAYS = (date(2026, 11, 23), date(2026, 11, 24))


@pytest.mark.parametrize("text", ["What's the weather like tomorrow?", "whats the weather like tomorrow",
                                  "  WHAT’S the   weather like tomorrow??? ", "hey, what's the weather like tomorrow please",
                                  "Whát's the weather like tomorrow", "ok... what's the weather like tomorrow"])
def test_near_identical_messages_share_a_group(text):
    assert review.text_key(text) == review.text_key("what's the weather like tomorrow")


@pytest.mark.parametrize("text", ["what's the weather like today", "weather tomorrow", "", "¿qué tiempo hace?"])
def test_other_messages_do_not(text):
    assert review.text_key(text) != review.text_key("what's the weather like tomorrow")


def test_messages_in_other_scripts_or_without_words_keep_their_own_groups():
    assert review.text_key("天气怎么样") != review.text_key("你好吗")
    assert review.text_key("???") != review.text_key("!!!")


def groups(url):
    with make_session(url) as session:
        return review.queue(session, *BOTH_DAYS, REVIEWED)


def test_the_queue_groups_newest_first(office):
    total, found = groups(office)
    keys = [g.key for g in found]
    assert total == 4
    assert keys == [review.text_key(t) for t in ("what's the weather like tomorrow", "is it worth it", "zzz blorp",
                                                 "asdf qwer")]
    weather = found[0]
    assert weather.count == 2 and weather.outcomes == {"off_topic": 2}
    assert found[1].outcomes == {"low_confidence": 1} and found[2].outcomes == {"misunderstood": 1}
    with get_engine(office).connect() as connection:
        assert tracker_events.texts(connection, [weather.newest_id]) == {
            weather.newest_id: "What's the weather like tomorrow?"}


def test_labels_hide_their_groups(office):
    _, found = groups(office)
    weather, worth, _, asdf = found
    with make_session(office) as session, session.begin():
        review.label(session, weather.key, "off_topic", "out_of_scope", "dana", DAY_2.timestamp() + 3600)
        review.label(session, worth.key, "example", "faq_worth_it", "dana", DAY_2.timestamp() + 3600)
        review.label(session, asdf.key, "dismissed", None, "dana", DAY_2.timestamp() + 3600)
    assert [g.key for g in groups(office)[1]] == [found[2].key]

    # Missed again after the labels: the example's group comes back, the off-topic one does not.
    log = EventLog(DAY_2.replace(hour=18)).session("fay", "rest")
    log.turn("fay", "is it worth it?", "faq_worth_it", "action_answer_question", "utter_faq_worth_it", confidence=0.3)
    log.turn("fay", "what's the weather like tomorrow", "out_of_scope", "utter_out_of_scope", "utter_out_of_scope")
    log.store(get_engine(office))
    summary.update(get_engine(office), get_engine(office), ZONE)
    total, shown = groups(office)
    assert [g.key for g in shown] == [worth.key, found[2].key] and shown[0].count == 1 and total == 2


def test_examples_are_written_as_rasa_training_data(tmp_path):
    path = tmp_path / "reviewed.yml"
    assert review.add_example(path, "faq_worth_it", "is it  worth\nit?")
    assert not review.add_example(path, "faq_worth_it", "is it worth it?")  # already there
    assert review.add_example(path, "out_of_scope", 'nice [day](program): {"a": 1} # not a comment')
    assert review.add_example(path, "out_of_scope", "- starts like a list\u2028and\x00 has breaks")
    data = yaml.safe_load(path.read_text())
    assert data["version"] == "3.1"
    assert review.read_examples(path) == {
        "faq_worth_it": ["is it worth it?"],
        "out_of_scope": ['nice (day)(program): {"a": 1} # not a comment', "- starts like a list and has breaks"]}
    with pytest.raises(ValueError):
        review.add_example(path, "greet", "  \n ")
    with pytest.raises(ValueError):
        review.add_example(path, "greet", "x" * 400)


def test_rasa_reads_the_reviewed_file(tmp_path):
    """Rasa's own reader, on a file with hostile examples: no entity markup slips in, every example is kept."""
    path = tmp_path / "reviewed.yml"
    review.add_example(path, "out_of_scope", "what's [the](program) weather {\"entity\": \"program\"}")
    review.add_example(path, "faq_worth_it", "is it worth it")
    found = sorted((m.get("intent"), m.get("text"), len(m.get("entities") or []))
                   for m in load_data(str(path)).training_examples)
    assert ("faq_worth_it", "is it worth it", 0) in found
    assert ("out_of_scope", 'what\'s (the)(program) weather {"entity": "program"}', 0) in found


def test_choices_come_from_the_domain():
    choices = review.intent_choices(ROOT / "bot" / "domain")
    assert "ask_cost" in choices and "faq_badge" in choices
    assert not {"nlu_fallback", "non_english", "out_of_scope"} & set(choices)


def test_the_shipped_reviewed_file_is_valid_and_in_the_training_data():
    shipped = ROOT / "bot" / "data" / "nlu" / "reviewed.yml"
    assert yaml.safe_load(shipped.read_text())["version"] == "3.1"
    review.read_examples(shipped)


def test_the_names_the_summary_reads_are_the_domain_s():
    domain = {}
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict):
                domain.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                domain.setdefault(key, []).extend(value)
    responses = set(domain["responses"])
    named = [*summary.RESPONSE_OUTCOMES, *summary.OFFER_REASONS, *summary.RECOMMENDATIONS, summary.AFTER_HOURS,
             summary.CALLBACK_SAVED]
    assert set(named) <= responses
    assert domain["forms"][summary.QUESTIONNAIRE_FORM]["required_slots"] == list(summary.QUESTIONNAIRE_SLOTS)
    assert set(summary.READ_SLOTS) <= set(domain["slots"])
    assert summary.HANDOFF_ACTION in domain["actions"]
    assert summary.UNDELIVERED_REPLIES == outbox.UNDELIVERED  # what the outbox notes in a conversation
    assert any(r.startswith(summary.FAQ_PREFIX) for r in responses)
