"""Signed-cookie sessions and CSRF tokens for the coach desk (standard library only)."""
import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Optional

COOKIE = "desk_session"
LIFETIME_SECONDS = 8 * 3600  # one working day


@dataclass(frozen=True)
class DeskSession:
    coach: str
    csrf: str
    expires: float


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def issue(secret: str, coach: str, now: Optional[float] = None) -> str:
    """A cookie value naming the coach, with a fresh CSRF token and an expiry."""
    body = json.dumps({"coach": coach, "csrf": secrets.token_urlsafe(24),
                       "expires": (now or time.time()) + LIFETIME_SECONDS}).encode()
    encoded = base64.urlsafe_b64encode(body).decode()
    return f"{encoded}.{_sign(secret, encoded.encode())}"


def read(secret: str, cookie: Optional[str], now: Optional[float] = None) -> Optional[DeskSession]:
    """The session in a cookie, or None when it is missing, forged or expired."""
    if not cookie or "." not in cookie:
        return None
    encoded, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, encoded.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(encoded.encode()))
        session = DeskSession(coach=str(data["coach"]), csrf=str(data["csrf"]), expires=float(data["expires"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > (now or time.time()) else None


def csrf_ok(session: DeskSession, submitted: Optional[str]) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf, submitted)
