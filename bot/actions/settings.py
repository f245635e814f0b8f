"""Every environment variable the action server reads, in one frozen settings object."""
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional


@dataclass(frozen=True)
class ActionServerSettings:
    """What the action server and its actions are configured with; each field has a variable."""

    host: str = "127.0.0.1"         # ACTION_HOST: only Rasa on this machine calls it; 0.0.0.0 for a cluster
    port: int = 5055                # ACTION_PORT
    token: str = ""                 # ACTION_SERVER_TOKEN: the shared secret Rasa sends (endpoints.yml)
    handoff_db_url: Optional[str] = None  # HANDOFF_DB_URL, else the catalog database (CATALOG_DB_URL)
    typical_wait_minutes: str = "10"      # COACH_TYPICAL_WAIT_MINUTES: the wait a learner is told

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ActionServerSettings":
        return cls(
            host=env.get("ACTION_HOST") or cls.host,
            port=int(env.get("ACTION_PORT") or cls.port),
            token=env.get("ACTION_SERVER_TOKEN", ""),
            handoff_db_url=env.get("HANDOFF_DB_URL") or None,
            typical_wait_minutes=env.get("COACH_TYPICAL_WAIT_MINUTES") or cls.typical_wait_minutes,
        )


@lru_cache(maxsize=None)
def settings() -> ActionServerSettings:
    """The settings of this process, read once."""
    return ActionServerSettings.from_env()
