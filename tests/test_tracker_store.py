"""The tracker store on one URL keeps conversations across processes, on SQLite and PostgreSQL; what
a process remembers of the conversations it served always agrees with the database."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, text

from bot import tracker_store
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


@pytest.fixture
def stores(db_url):
    """A factory of stores on the database, like replicas of Rasa; each closed at the end."""
    made = []

    def store() -> URLTrackerStore:
        made.append(URLTrackerStore(domain=DOMAIN, host=db_url))
        return made[-1]

    yield store
    for each in made:
        each.engine.dispose()


async def turn(store: URLTrackerStore, sender: str, text_: str, program: str) -> DialogueStateTracker:
    """One learner message and its answer, as Rasa's processor runs it: retrieve, add, save."""
    tracker = await store.get_or_create_tracker(sender)
    for each in (UserUttered(text_, {"name": "ask_cost"}), ActionExecuted("action_answer"),
                 BotUttered(f"{program}: answered"), SlotSet("program", program), ActionExecuted("action_listen")):
        tracker.update(each)
    await store.save(tracker)
    return tracker


def dumped(tracker: DialogueStateTracker) -> list:
    return [each.as_dict() for each in tracker.events]


async def as_stored(store_factory, sender: str) -> list:
    """The conversation as a store that never served it reads it from the database."""
    return dumped(await store_factory().retrieve(sender))


async def test_two_replicas_taking_turns_each_see_the_others_events_and_write_each_event_once(stores, db_url):
    first, second = stores(), stores()
    await turn(first, "learner-1", "how much is the CAD course?", "cad")
    await turn(second, "learner-1", "and the welding one?", "welding")
    tracker = await turn(first, "learner-1", "and lockout tagout?", "lockout-tagout")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "how much is the CAD course?", "and the welding one?", "and lockout tagout?"]
    assert (await second.retrieve("learner-1")).get_slot("program") == "lockout-tagout"
    assert dumped(await second.retrieve("learner-1")) == dumped(tracker) == await as_stored(stores, "learner-1")
    with first.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == len(tracker.events)


async def test_a_conversation_nobody_else_changed_is_not_read_again(stores):
    store = stores()
    await turn(store, "learner-1", "how much is the CAD course?", "cad")
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    tracker = await store.retrieve("learner-1")
    assert tracker.get_slot("program") == "cad"
    assert len(statements) == 1 and "max(events.id)" in statements[0]  # the stamp only


async def test_a_turn_that_was_never_saved_is_not_remembered(stores):
    store = stores()
    await turn(store, "learner-1", "how much is the CAD course?", "cad")
    unsaved = await store.retrieve("learner-1")
    unsaved.update(SlotSet("program", "welding"))  # the turn failed before Rasa saved it
    assert (await store.retrieve("learner-1")).get_slot("program") == "cad"


async def test_rows_deleted_elsewhere_are_not_served_from_memory(stores):
    store = stores()
    await turn(store, "learner-1", "how much is the CAD course?", "cad")
    await turn(store, "learner-1", "and the welding one?", "welding")
    with store.engine.begin() as connection:  # the desk's retention deletes the oldest rows
        first_turn = connection.execute(text("SELECT id FROM events ORDER BY id LIMIT 6")).scalars().all()
        connection.execute(text(f"DELETE FROM events WHERE id IN ({', '.join(map(str, first_turn))})"))
    tracker = await store.retrieve("learner-1")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["and the welding one?"]
    assert dumped(tracker) == await as_stored(stores, "learner-1")


async def test_a_new_session_started_by_another_replica_ends_the_remembered_one(stores):
    first, second = stores(), stores()
    await turn(first, "learner-1", "how much is the CAD course?", "cad")
    tracker = await second.retrieve("learner-1")
    for each in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(each)
    await second.save(tracker)
    await turn(second, "learner-1", "hello again", "welding")
    tracker = await first.retrieve("learner-1")
    assert isinstance(tracker.events[0], SessionStarted)
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello again"]
    assert dumped(tracker) == await as_stored(stores, "learner-1")


async def test_only_the_conversations_served_last_are_remembered(stores, monkeypatch):
    monkeypatch.setattr(tracker_store, "CACHED_CONVERSATIONS", 1)
    store = stores()
    await turn(store, "learner-1", "how much is the CAD course?", "cad")
    await turn(store, "learner-2", "and the welding one?", "welding")
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert (await store.retrieve("learner-2")).get_slot("program") == "welding"
    assert len(statements) == 1  # remembered: the stamp only
    assert (await store.retrieve("learner-1")).get_slot("program") == "cad"
    assert len(statements) > 2  # forgotten: the stamp, then the conversation read afresh
