"""Configuration of the web server (coach desk and website) and of the chat channels' shared Redis,
read from the environment.

A malformed value raises ValueError naming the variable and the value, so a service refuses to
start with a message saying what to fix rather than failing later on a learner's message.
"""
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handoff_db import handoff_db_url, has_own_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def number(env: Mapping[str, str], name: str, default: Union[int, float], minimum: Union[int, float] = 0,
           kind: type = int) -> Union[int, float]:
    """The variable as a number (whole unless `kind` is float) of at least `minimum`, else its default."""
    value = env.get(name) or ""
    if not value:
        return default
    try:
        parsed = kind(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed < minimum:
        raise ValueError(f"{name}={value!r} is not valid: it must be a {'whole ' if kind is int else ''}number "
                         f"of at least {minimum}")
    return parsed


def networks(env: Mapping[str, str], name: str) -> Tuple[Union[ipaddress.IPv4Network, ipaddress.IPv6Network], ...]:
    """The variable as addresses and networks (10.0.0.7, 10.244.0.0/16, fd00::/8), comma- or space-separated."""
    value = env.get(name) or ""
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in re.split(r"[,\s]+", value) if part)
    except ValueError as error:
        raise ValueError(f"{name}={value!r} is not valid: {error}") from None


def smtp_url(env: Mapping[str, str], name: str) -> Optional[str]:
    """The variable as an SMTP server's URL: smtp://[user:password@]host[:port] (STARTTLS when the server
    offers it), or smtps:// for TLS from the start."""
    value = env.get(name) or ""
    if not value:
        return None
    parsed = urlsplit(value)
    try:
        parsed.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError(f"{name} is not valid: it must look like smtp://user:password@mail.example.edu:587 "
                         "or smtps://mail.example.edu")
    return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_time(env: Mapping[str, str], name: str) -> Optional[Tuple[int, int, int]]:
    """The variable as a moment of the week, `Mon 08:00`: (weekday, Monday 0; hour; minute), None when unset."""
    value = (env.get(name) or "").strip()
    if not value:
        return None
    found = re.fullmatch(r"([A-Za-z]{3})\w*\s+(\d{1,2}):(\d{2})", value)
    if not found or found.group(1).lower() not in WEEKDAYS or int(found.group(2)) > 23 or int(found.group(3)) > 59:
        raise ValueError(f"{name}={value!r} is not valid: it must look like 'Mon 08:00' (a day and a time)")
    return WEEKDAYS.index(found.group(1).lower()), int(found.group(2)), int(found.group(3))


def time_zone(env: Mapping[str, str], name: str, default: str) -> str:
    """The variable as the name of a time zone, checked against the zone database."""
    value = env.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name}={value!r} is not valid: not a time zone such as 'America/New_York'") from None
    return value


# DELIVERY_RETRY_SECONDS: how long a reply Slack or Telegram refuses is sent again before it is given up.
DELIVERY_RETRY_SECONDS = 900


def delivery_retry_seconds(env: Mapping[str, str]) -> float:
    return number(env, "DELIVERY_RETRY_SECONDS", DELIVERY_RETRY_SECONDS, minimum=1, kind=float)


@dataclass(frozen=True)
class ServerConfig:
    """Settings shared by the coach desk and the website; every field has an environment variable."""

    port: int = 8080                       # DESK_PORT
    rasa_url: str = "http://127.0.0.1:5005"  # RASA_URL
    rasa_jwt_secret: str = ""              # RASA_JWT_SECRET: signs the desk's calls to Rasa's API
    chat_socket_url: str = "http://localhost:5005"  # CHAT_SOCKET_URL: Rasa's socket.io as browsers reach it
    session_secret: str = ""               # DESK_SESSION_SECRET: signs the coaches' session cookies
    database_url: Optional[str] = None     # HANDOFF_DB_URL, else the catalog database
    own_database: bool = False             # HANDOFF_DB_URL given: a database of the desk's own, created if need be
    catalog_db_url: Optional[str] = None   # CATALOG_DB_URL, else var/catalog.sqlite3: program names
    public_url: str = "http://localhost:8080"  # DESK_PUBLIC_URL: links in Slack notices
    slack_webhook_url: Optional[str] = None  # COACH_SLACK_WEBHOOK_URL: optional new-handoff notices
    retention_days: int = 90               # DESK_RETENTION_DAYS: closed transcripts, conversations and analytics
    abandoned_days: int = 30               # DESK_ABANDONED_DAYS: open handoffs with no message are closed after this
    audit_retention_days: int = 365        # DESK_AUDIT_RETENTION_DAYS: the audit log is kept this long
    # TRACKER_DB_URL: Rasa's tracker store, which the analytics read (and the retention purge trims)
    tracker_db_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.sqlite3'}"
    # REVIEWED_NLU_FILE: where admins' labelled examples go; the next `make train` learns them
    reviewed_nlu_path: Path = PROJECT_ROOT / "bot" / "data" / "nlu" / "reviewed.yml"
    office_timezone: str = "America/New_York"  # COACH_TIMEZONE: the office's days in the analytics
    # DESK_TRUSTED_PROXIES: proxies whose X-Forwarded-For names the client (channels/desk/client_address.py)
    trusted_proxies: Tuple[Union[ipaddress.IPv4Network, ipaddress.IPv6Network], ...] = ()
    delivery_retry_seconds: float = DELIVERY_RETRY_SECONDS  # DELIVERY_RETRY_SECONDS: then a coach's reply failed
    log_dir: Optional[Path] = None  # LOG_DIR: the services' logs under `make run`, kept DESK_RETENTION_DAYS
    smtp_url: Optional[str] = None  # SMTP_URL: e-mail new handoffs to the coaches on duty (optional)
    smtp_from: str = "Credential Advisor desk <desk@localhost>"  # SMTP_FROM: the alerts' sender
    # DESK_WEEKLY_SUMMARY: when admins are e-mailed the week's analytics (`Mon 08:00`, office time); unset: never
    weekly_summary: Optional[Tuple[int, int, int]] = None
    # Retraining from the desk (channels/desk/training.py) and the model Rasa pulls from it (model_store.py).
    model_store_dir: Path = PROJECT_ROOT / "var" / "models"  # MODEL_STORE_DIR: served, previous, training jobs
    base_model_path: Path = PROJECT_ROOT / "bot" / "models" / "advisor.tar.gz"  # RASA_MODEL: `make train`'s model
    model_server_token: str = ""  # MODEL_SERVER_TOKEN: what Rasa sends to pull the model; none, none pulled
    training_data_dir: Path = PROJECT_ROOT / "bot" / "data"  # TRAINING_DATA_DIR: trained with the reviewed examples
    training_python: str = str(PROJECT_ROOT / ".venv" / "bin" / "python")  # TRAINING_PYTHON: Rasa's environment

    @property
    def secure_cookies(self) -> bool:
        """Behind HTTPS (a proxy in front), the session cookie is never sent over plain HTTP."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ServerConfig":
        """The settings from `env`; ValueError naming the variable when one is malformed."""
        return cls(
            port=number(env, "DESK_PORT", cls.port, minimum=1),
            rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"),
            rasa_jwt_secret=env.get("RASA_JWT_SECRET", ""),
            chat_socket_url=env.get("CHAT_SOCKET_URL", f"http://localhost:{env.get('RASA_PORT', '5005')}"),
            session_secret=env.get("DESK_SESSION_SECRET", ""),
            database_url=handoff_db_url(env),
            own_database=has_own_database(env),
            catalog_db_url=env.get("CATALOG_DB_URL") or None,
            public_url=env.get("DESK_PUBLIC_URL", f"http://localhost:{env.get('DESK_PORT', cls.port)}"),
            slack_webhook_url=env.get("COACH_SLACK_WEBHOOK_URL") or None,
            retention_days=number(env, "DESK_RETENTION_DAYS", cls.retention_days, minimum=1),
            abandoned_days=number(env, "DESK_ABANDONED_DAYS", cls.abandoned_days, minimum=1),
            audit_retention_days=number(env, "DESK_AUDIT_RETENTION_DAYS", cls.audit_retention_days, minimum=1),
            tracker_db_url=env.get("TRACKER_DB_URL") or cls.tracker_db_url,
            reviewed_nlu_path=Path(env.get("REVIEWED_NLU_FILE") or cls.reviewed_nlu_path),
            office_timezone=time_zone(env, "COACH_TIMEZONE", cls.office_timezone),
            trusted_proxies=networks(env, "DESK_TRUSTED_PROXIES"),
            delivery_retry_seconds=delivery_retry_seconds(env),
            log_dir=Path(env["LOG_DIR"]) if env.get("LOG_DIR") else None,
            smtp_url=smtp_url(env, "SMTP_URL"),
            smtp_from=env.get("SMTP_FROM") or cls.smtp_from,
            weekly_summary=weekly_time(env, "DESK_WEEKLY_SUMMARY"),
            model_store_dir=Path(env.get("MODEL_STORE_DIR") or cls.model_store_dir),
            base_model_path=Path(env.get("RASA_MODEL") or cls.base_model_path),
            model_server_token=env.get("MODEL_SERVER_TOKEN", ""),
            training_data_dir=Path(env.get("TRAINING_DATA_DIR") or cls.training_data_dir),
            training_python=env.get("TRAINING_PYTHON") or cls.training_python,
        )


@dataclass(frozen=True)
class RedisConfig:
    """The Redis that Rasa replicas share in scale-out mode (README.md, "Scale-out"); the same
    variables configure Rasa's lock store (bot/endpoints.cluster.yml). Without REDIS_HOST, one
    Rasa process keeps everything in memory and needs no Redis."""

    host: Optional[str] = None   # REDIS_HOST: unset in the single-process default
    port: int = 6379             # REDIS_PORT
    db: int = 0                  # REDIS_DB
    key_prefix: str = "advisor"  # REDIS_KEY_PREFIX: letters and digits (Rasa ignores any other prefix)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}"

    def key(self, *parts: str) -> str:
        """A key (or pub/sub channel) of ours: `<prefix>:<part>:<part>…`, beside Rasa's `<prefix>:lock:…`."""
        return ":".join((self.key_prefix, *parts))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "RedisConfig":
        return cls(
            host=env.get("REDIS_HOST") or None,
            port=number(env, "REDIS_PORT", cls.port, minimum=1),
            db=number(env, "REDIS_DB", cls.db),
            key_prefix=env.get("REDIS_KEY_PREFIX") or cls.key_prefix,
        )
