"""The sign-in form's CSRF token, in a signed cookie of its own (standard library only).

Before sign-in there is no server-side session yet, so the form's token travels in a short-lived
cookie signed with DESK_SESSION_SECRET. Signed-in coaches have server-side sessions instead
(handoff_db/desk_access.py), which signing out, a password change or `revoke` ends.
"""
import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Optional

SESSION_COOKIE = "desk_session"  # a signed-in coach's session token
LOGIN_COOKIE = "desk_login"      # the sign-in form's CSRF token
LOGIN_SECONDS = 3600


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def issue_form_token(secret: str, now: Optional[float] = None) -> "tuple[str, str]":
    """A fresh CSRF token for the sign-in form, and the signed cookie value carrying it."""
    csrf = secrets.token_urlsafe(24)
    body = json.dumps({"csrf": csrf, "expires": (now or time.time()) + LOGIN_SECONDS}).encode()
    encoded = base64.urlsafe_b64encode(body).decode()
    return csrf, f"{encoded}.{_sign(secret, encoded.encode())}"


def form_token(secret: str, cookie: Optional[str], now: Optional[float] = None) -> Optional[str]:
    """The CSRF token in a sign-in form cookie, or None when it is missing, forged or expired."""
    if not cookie or "." not in cookie or len(cookie) > 500:
        return None
    encoded, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, encoded.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(encoded.encode()))
        csrf, expires = str(data["csrf"]), float(data["expires"])
    except (ValueError, KeyError, TypeError):
        return None
    return csrf if expires > (now or time.time()) else None


def csrf_ok(expected: Optional[str], submitted: object) -> bool:
    return bool(expected) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)
