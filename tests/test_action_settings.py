"""The action server's settings: one object from the environment, the handoff database rule once."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from bot.action_server import main
from bot.actions.catalog_access import CatalogUnavailable, catalog_session
from bot.actions.handoff_actions import handoff_session
from bot.actions.settings import ActionServerSettings, settings
from catalog_db.engine import DEFAULT_URL, get_engine
from channels.config import ServerConfig


def test_defaults_without_environment():
    configured = ActionServerSettings.from_env({})
    assert (configured.host, configured.port, configured.token) == ("127.0.0.1", 5055, "")
    assert configured.catalog_db_url == configured.handoff_db_url == DEFAULT_URL
    assert configured.coaching_hours == ActionServerSettings().coaching_hours
    assert configured.typical_wait_minutes == 10


@pytest.mark.parametrize("env, handoffs", [
    ({"CATALOG_DB_URL": "sqlite:///c.db"}, "sqlite:///c.db"),
    ({"CATALOG_DB_URL": "sqlite:///c.db", "HANDOFF_DB_URL": "sqlite:///h.db"}, "sqlite:///h.db"),
    ({"HANDOFF_DB_URL": "sqlite:///h.db"}, "sqlite:///h.db"),
])
def test_action_server_and_desk_agree_where_handoffs_live(env, handoffs, monkeypatch):
    assert ActionServerSettings.from_env(env).handoff_db_url == handoffs
    for name in ("CATALOG_DB_URL", "HANDOFF_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ServerConfig.from_env().database_url == handoffs


def test_coaching_hours_are_read_with_the_rest():
    hours = ActionServerSettings.from_env({"COACH_HOURS": "Sat 10:00-12:00", "COACH_TIMEZONE": "UTC",
                                           "COACH_HOLIDAYS": "2026-12-26"}).coaching_hours
    assert hours.status(datetime(2026, 12, 19, 11, tzinfo=timezone.utc))[0] is True
    assert hours.status(datetime(2026, 12, 26, 11, tzinfo=timezone.utc))[0] is False


def test_malformed_hours_stop_the_server_at_start(monkeypatch, caplog):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "x" * 32)
    monkeypatch.setenv("COACH_HOURS", "weekdays 9 to 5")
    assert main() == 2
    assert "COACH_HOURS='weekdays 9 to 5' is not valid" in caplog.text


def test_the_handoff_tables_are_created_on_first_use(tmp_path, monkeypatch):
    """The action server can store a handoff before the desk (or `make catalog`) ever ran."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("HANDOFF_DB_URL", url)
    assert settings().handoff_db_url == url
    with handoff_session() as session:
        session.connection()
    assert {"handoffs", "handoff_messages", "coaches", "audit_log"} <= set(inspect(get_engine(url)).get_table_names())


@pytest.mark.parametrize("env, message", [
    ({"ACTION_PORT": "fifty"}, "ACTION_PORT='fifty' is not valid"),
    ({"COACH_TYPICAL_WAIT_MINUTES": "0"}, "COACH_TYPICAL_WAIT_MINUTES='0' is not valid"),
    ({"COACH_TIMEZONE": "Atlantis"}, "COACH_TIMEZONE='Atlantis' is not valid"),
])
def test_a_malformed_action_server_variable_is_named_with_its_value(env, message):
    with pytest.raises(ValueError, match=message):
        ActionServerSettings.from_env(env)


@pytest.mark.parametrize("env, message", [
    ({"DESK_RETENTION_DAYS": "ninety"}, "DESK_RETENTION_DAYS='ninety' is not valid"),
    ({"DESK_PORT": "-1"}, "DESK_PORT='-1' is not valid"),
    ({"COACH_TIMEZONE": "Atlantis"}, "COACH_TIMEZONE='Atlantis' is not valid"),
])
def test_a_malformed_desk_variable_is_named_with_its_value(env, message):
    with pytest.raises(ValueError, match=message):
        ServerConfig.from_env(env)


def test_a_missing_catalog_is_never_created_by_the_action_server(tmp_path, monkeypatch):
    catalog = tmp_path / "var" / "catalog.sqlite3"
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{catalog}")
    monkeypatch.delenv("HANDOFF_DB_URL", raising=False)
    with pytest.raises(CatalogUnavailable):
        with catalog_session() as session:
            session.connection()
    with pytest.raises(OperationalError):  # handoffs live in the catalog's database: not there either
        handoff_session()
    assert not catalog.parent.exists()
