"""The tracker store on one URL keeps conversations across processes, on SQLite and PostgreSQL."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine

from bot.tracker_store import URLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [ask_cost]
slots:
  program: {type: text, mappings: [{type: custom}]}
  handoff_active: {type: bool, mappings: [{type: custom}]}
""")


async def test_a_new_store_on_the_same_url_continues_the_conversation(db_url):
    first = URLTrackerStore(domain=DOMAIN, host=db_url)
    tracker = DialogueStateTracker.from_events("learner-1", [
        ActionExecuted("action_listen"), UserUttered("how much is it?", {"name": "ask_cost"}),
        SlotSet("program", "lockout-tagout"), SlotSet("handoff_active", True),
    ], DOMAIN.slots)
    await first.save(tracker)
    first.engine.dispose()  # as if the process had died

    restored = await URLTrackerStore(domain=DOMAIN, host=db_url).retrieve("learner-1")
    assert restored.get_slot("program") == "lockout-tagout"
    assert restored.get_slot("handoff_active") is True
    assert restored.latest_message.text == "how much is it?"


def test_a_sqlite_file_gets_its_directory_and_write_ahead_logging(tmp_path):
    path = tmp_path / "not" / "yet" / "tracker.sqlite3"
    URLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}").engine.dispose()
    with create_engine(f"sqlite:///{path}").connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_value_that_is_not_a_url_is_refused():
    with pytest.raises(ValueError, match="TRACKER_DB_URL"):
        URLTrackerStore(domain=DOMAIN, host="localhost")
