"""Who may use the coach desk: coaches' passwords, sign-in throttling and server-side sessions.

Plain functions on a Session; the caller owns the transaction. Password hashing (scrypt, tens of
milliseconds of CPU) is a pure function the desk runs off its event loop.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from handoff_db.handoffs import audit, utc
from handoff_db.models import AuditEntry, Coach, DeskSession, SignInAttempt

# scrypt's recommended interactive parameters (2^14): slow to guess, quick to check once.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024  # longer is refused unhashed: scrypt's cost grows with the input
SESSION_HOURS = 8  # one working day
# Failed sign-ins allowed in the window before further tries are refused unchecked.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
# The same placeholder hash for unknown usernames, so timing does not tell which names exist.
_UNKNOWN = "scrypt$" + "00" * 16 + "$" + "00" * 32


def _now(now: Optional[datetime]) -> datetime:
    return now or datetime.now(timezone.utc)


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(stored_hash: Optional[str], password: str) -> bool:
    """Whether the password hashes to the stored hash; CPU-bound, so run it in a thread."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    _, salt, _ = (stored_hash or _UNKNOWN).split("$")
    matches = hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored_hash or _UNKNOWN)
    return matches and stored_hash is not None


def _check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise ValueError(f"a coach's password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")


def create_coach(session: Session, username: str, password: str, admin: bool = False) -> None:
    _check_password_rules(password)
    session.add(Coach(username=username, password_hash=hash_password(password), is_admin=admin))
    session.flush()


def coach_names(session: Session) -> List[str]:
    """Every coach's username, in order: whom an admin can give a handoff to."""
    return list(session.execute(select(Coach.username).order_by(Coach.username)).scalars())


def is_admin(session: Session, username: str) -> bool:
    """Whether the coach may label messages; read on every request, so taking the role away is immediate."""
    return bool(session.execute(select(Coach.is_admin).where(Coach.username == username)).scalar())


def set_password(session: Session, username: str, password: str) -> int:
    """Change a coach's password and end every session they have; returns how many ended."""
    _check_password_rules(password)
    changed = session.execute(update(Coach).where(Coach.username == username)
                              .values(password_hash=hash_password(password))).rowcount
    if not changed:
        raise LookupError(f"no coach called {username}")
    audit(session, username, "password changed")
    return revoke_sessions(session, username)


def password_hash(session: Session, username: str) -> Optional[str]:
    return session.execute(select(Coach.password_hash).where(Coach.username == username)).scalar()


def _failures(session: Session, since: datetime, **where: str) -> int:
    conditions = [SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since]
    conditions += [getattr(SignInAttempt, column) == value for column, value in where.items()]
    return session.execute(select(func.count()).select_from(SignInAttempt).where(*conditions)).scalar_one()


def sign_in_wait(session: Session, username: str, address: str, now: Optional[datetime] = None) -> Optional[timedelta]:
    """None when this account may try from this address now, else how long until it may."""
    now = _now(now)
    since = now - THROTTLE_WINDOW
    if (_failures(session, since, username=username[:100]) < MAX_FAILURES_PER_ACCOUNT
            and _failures(session, since, address=address[:64]) < MAX_FAILURES_PER_ADDRESS):
        return None
    oldest = session.execute(
        select(func.min(SignInAttempt.at)).where(
            SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since,
            (SignInAttempt.username == username[:100]) | (SignInAttempt.address == address[:64]))).scalar()
    return max(timedelta(seconds=1), utc(oldest) + THROTTLE_WINDOW - now)


def record_sign_in(session: Session, username: str, address: str, succeeded: bool,
                   now: Optional[datetime] = None) -> None:
    """Keep the attempt for throttling, and put it in the audit log."""
    session.add(SignInAttempt(username=username[:100], address=address[:64], succeeded=succeeded, at=_now(now)))
    audit(session, username[:100], "sign-in" if succeeded else f"sign-in failed from {address}"[:100])


def record_throttled(session: Session, username: str, address: str) -> None:
    audit(session, username[:100], f"sign-in refused (too many failures) from {address}"[:100])


@dataclass(frozen=True)
class SignedIn:
    coach: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, coach: str, now: Optional[datetime] = None) -> str:
    """A new session for the coach; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(DeskSession(token_hash=_digest(token), coach=coach, csrf=secrets.token_urlsafe(24),
                            created_at=_now(now), expires_at=_now(now) + timedelta(hours=SESSION_HOURS)))
    return token


def signed_in(session: Session, token: Optional[str], now: Optional[datetime] = None) -> Optional[SignedIn]:
    """The coach a cookie's token belongs to, unless it was ended or has expired."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(DeskSession).where(DeskSession.token_hash == _digest(token))).scalars().first()
    if row is None or utc(row.expires_at) <= _now(now):
        return None
    return SignedIn(coach=row.coach, csrf=row.csrf)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(DeskSession).where(DeskSession.token_hash == _digest(token)))


def revoke_sessions(session: Session, coach: str) -> int:
    """End every session of a coach (a stolen cookie stops working); returns how many."""
    ended = session.execute(delete(DeskSession).where(DeskSession.coach == coach)).rowcount
    audit(session, coach, f"sessions revoked ({ended})")
    return ended


def purge_expired(session: Session, audit_days: int, now: Optional[datetime] = None) -> int:
    """Delete expired sessions, sign-in attempts past the throttle's day, audit entries past retention."""
    now = _now(now)
    removed = session.execute(delete(DeskSession).where(DeskSession.expires_at < now)).rowcount
    removed += session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - timedelta(days=1))).rowcount
    removed += session.execute(delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=audit_days))).rowcount
    return removed
