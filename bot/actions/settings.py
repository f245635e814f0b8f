"""Every environment variable the action server reads, in one frozen settings object.

Built once per process (`settings()`): the server's start-up (bot/action_server.py) and the
actions, which rasa-sdk creates without arguments, share the same object.
"""
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from bot.actions.coaching_hours import CoachingHours
from catalog_db.engine import DEFAULT_URL
from channels.config import number
from handoff_db import handoff_db_url, has_own_database

DEFAULT_HOURS = ("Mon-Fri 09:00-17:00", "America/New_York", "")
DEFAULT_ACTION_TIMEOUT = 5.0  # Rasa's limit on an action (bot/rasa_server.py), which reads it too
# What an action needs after a catalog query gave up: the rest of its work and the way back to Rasa.
ANSWER_MARGIN_SECONDS = 1.0


@dataclass(frozen=True)
class ActionServerSettings:
    """What the action server and its actions are configured with; each field has a variable."""

    host: str = "127.0.0.1"         # ACTION_HOST: only Rasa on this machine calls it; 0.0.0.0 for a cluster
    port: int = 5055                # ACTION_PORT
    token: str = ""                 # ACTION_SERVER_TOKEN: the shared secret Rasa sends (endpoints.yml)
    catalog_db_url: str = DEFAULT_URL  # CATALOG_DB_URL, else var/catalog.sqlite3
    handoff_db_url: str = DEFAULT_URL  # HANDOFF_DB_URL, else the catalog database
    own_handoff_db: bool = False       # HANDOFF_DB_URL given: its SQLite file is created on first use
    # COACH_HOURS, COACH_TIMEZONE, COACH_HOLIDAYS: when coaches answer (bot/actions/coaching_hours.py)
    coaching_hours: CoachingHours = field(default_factory=lambda: CoachingHours.parse(*DEFAULT_HOURS))
    typical_wait_minutes: int = 10  # COACH_TYPICAL_WAIT_MINUTES: the wait a learner is told
    # CATALOG_TIMEOUT: seconds a catalog query may wait (a locked file, a slow server); below ACTION_TIMEOUT
    catalog_timeout: float = 2.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ActionServerSettings":
        """The settings from `env`; ValueError naming the variable and its value when one is malformed
        (such as COACH_HOURS), which stops the action server at start."""
        catalog = env.get("CATALOG_DB_URL") or DEFAULT_URL
        hours, zone, holidays = DEFAULT_HOURS
        return cls(
            host=env.get("ACTION_HOST") or cls.host,
            port=number(env, "ACTION_PORT", cls.port, minimum=1),
            token=env.get("ACTION_SERVER_TOKEN", ""),
            catalog_db_url=catalog,
            handoff_db_url=handoff_db_url(env) or catalog,
            own_handoff_db=has_own_database(env),
            coaching_hours=CoachingHours.parse(env.get("COACH_HOURS") or hours, env.get("COACH_TIMEZONE") or zone,
                                               env.get("COACH_HOLIDAYS", holidays)),
            typical_wait_minutes=number(env, "COACH_TYPICAL_WAIT_MINUTES", cls.typical_wait_minutes, minimum=1),
            catalog_timeout=catalog_timeout(env),
        )


def catalog_timeout(env: Mapping[str, str]) -> float:
    """CATALOG_TIMEOUT, which must leave the action time to answer within Rasa's ACTION_TIMEOUT."""
    seconds = number(env, "CATALOG_TIMEOUT", ActionServerSettings.catalog_timeout, minimum=0.1, kind=float)
    action_timeout = number(env, "ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT, minimum=1, kind=float)
    if seconds > action_timeout - ANSWER_MARGIN_SECONDS:
        raise ValueError(f"CATALOG_TIMEOUT={seconds:g} is not valid: it must be at most ACTION_TIMEOUT "
                         f"({action_timeout:g} s) - {ANSWER_MARGIN_SECONDS:g} s, so the catalog's own answer reaches "
                         "the learner before Rasa gives up on the action")
    return seconds


@lru_cache(maxsize=None)
def settings() -> ActionServerSettings:
    """The settings of this process, read once."""
    return ActionServerSettings.from_env()
