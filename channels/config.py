"""Configuration of the web server (coach desk and website), read from the environment."""
import os
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ServerConfig:
    """Settings shared by the coach desk and the website; every field has an environment variable."""

    port: int = 8080                       # DESK_PORT
    rasa_url: str = "http://127.0.0.1:5005"  # RASA_URL
    rasa_jwt_secret: str = ""              # RASA_JWT_SECRET: signs the desk's calls to Rasa's API
    chat_socket_url: str = "http://localhost:5005"  # CHAT_SOCKET_URL: Rasa's socket.io as browsers reach it
    session_secret: str = ""               # DESK_SESSION_SECRET: signs the coaches' session cookies
    database_url: Optional[str] = None     # HANDOFF_DB_URL, else the catalog database
    public_url: str = "http://localhost:8080"  # DESK_PUBLIC_URL: links in Slack notices
    slack_webhook_url: Optional[str] = None  # COACH_SLACK_WEBHOOK_URL: optional new-handoff notices
    retention_days: int = 90               # DESK_RETENTION_DAYS: closed transcripts are deleted after this
    abandoned_days: int = 30               # DESK_ABANDONED_DAYS: open handoffs with no message are closed after this
    audit_retention_days: int = 365        # DESK_AUDIT_RETENTION_DAYS: the audit log is kept this long

    @property
    def secure_cookies(self) -> bool:
        """Behind HTTPS (a proxy in front), the session cookie is never sent over plain HTTP."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls) -> "ServerConfig":
        env = os.environ
        return cls(
            port=int(env.get("DESK_PORT", cls.port)),
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"),
            rasa_jwt_secret=env.get("RASA_JWT_SECRET", ""),
            chat_socket_url=env.get("CHAT_SOCKET_URL", f"http://localhost:{env.get('RASA_PORT', '5005')}"),
            session_secret=env.get("DESK_SESSION_SECRET", ""),
            database_url=env.get("HANDOFF_DB_URL") or env.get("CATALOG_DB_URL") or None,
            public_url=env.get("DESK_PUBLIC_URL", f"http://localhost:{env.get('DESK_PORT', cls.port)}"),
            slack_webhook_url=env.get("COACH_SLACK_WEBHOOK_URL") or None,
            retention_days=int(env.get("DESK_RETENTION_DAYS", cls.retention_days)),
            abandoned_days=int(env.get("DESK_ABANDONED_DAYS", cls.abandoned_days)),
            audit_retention_days=int(env.get("DESK_AUDIT_RETENTION_DAYS", cls.audit_retention_days)),
        )
