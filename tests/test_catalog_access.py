"""Catalog queries wait at most CATALOG_TIMEOUT, so a locked catalog gets the catalog's own answer in time."""
import pytest
from sqlalchemy import create_engine

from bot.actions.catalog_access import catalog_session
from bot.actions.questions import ActionAnswerQuestion
from bot.actions.settings import ActionServerSettings
from bot.understanding.frame import Frame
from tests.actions_support import responses, run, tracker_for


@pytest.fixture(autouse=True)
def catalog(seeded_url, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", seeded_url)
    monkeypatch.setenv("CATALOG_TIMEOUT", "0.3")


def test_each_catalog_session_waits_at_most_the_catalog_timeout(seeded_url):
    with catalog_session() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 300
        else:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "300ms"


def test_a_locked_catalog_gets_the_catalogs_own_answer(seeded_url):
    other = create_engine(seeded_url, future=True)
    with other.connect() as writer:  # as `catalog_db load` does while it replaces the catalog
        if writer.dialect.name == "sqlite":
            writer.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            writer.exec_driver_sql("LOCK TABLE programs IN ACCESS EXCLUSIVE MODE")
        tracker = tracker_for("how much is the gen ai course")
        tracker.latest_message["frame"] = Frame(text="how much is the gen ai course", intent="ask_cost", fact="cost",
                                                programs=(("introduction-to-generative-ai",),)).as_dict()
        messages, events = run(ActionAnswerQuestion(), tracker)
        writer.exec_driver_sql("ROLLBACK")
    other.dispose()
    assert responses(messages) == ["utter_catalog_unavailable"] and events == []


@pytest.mark.parametrize("env, message", [
    ({"CATALOG_TIMEOUT": "4.5"}, "CATALOG_TIMEOUT=4.5 is not valid: it must be at most ACTION_TIMEOUT (5 s) - 1 s"),
    ({"CATALOG_TIMEOUT": "8", "ACTION_TIMEOUT": "8"}, "at most ACTION_TIMEOUT (8 s)"),
    ({"CATALOG_TIMEOUT": "soon"}, "CATALOG_TIMEOUT='soon' is not valid"),
])
def test_a_catalog_timeout_rasa_would_not_wait_for_is_refused_at_start(env, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ActionServerSettings.from_env(env)
    assert ActionServerSettings.from_env({"CATALOG_TIMEOUT": "6", "ACTION_TIMEOUT": "10"}).catalog_timeout == 6
