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
from handoff_db.models import AuditEntry, Coach, DeskSession, PasswordLink, SignInAttempt

# scrypt's recommended interactive parameters (2^14): slow to guess, quick to check once.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024  # longer is refused unhashed: scrypt's cost grows with the input
SESSION_HOURS = 8  # one working day
PASSWORD_LINK_HOURS = 72  # a set-password link for a new coach (or a reset) works this long, once
USERNAME = r"[a-z0-9][a-z0-9._-]{1,39}"  # names in URLs, logs and the audit log: nothing to escape
# Failed sign-ins allowed in the window before further tries are refused unchecked.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
# The same placeholder hash for unknown usernames, so timing does not tell which names exist.
_UNKNOWN = "scrypt$" + "00" * 16 + "$" + "00" * 32
# The stored hash of an account waiting for its set-password link: no password hashes to it.
_UNUSABLE = "scrypt$" + "00" * 16 + "$" + "ff" * 32


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


def create_coach(session: Session, username: str, password: Optional[str], admin: bool = False,
                 display_name: Optional[str] = None, email: Optional[str] = None,
                 temporary: bool = False) -> None:
    """A new coach. Without a password the account cannot sign in until its set-password link is used;
    a `temporary` password must be changed at the first sign-in."""
    if password is not None:
        _check_password_rules(password)
    session.add(Coach(username=username, password_hash=hash_password(password) if password else _UNUSABLE,
                      is_admin=admin, display_name=display_name or None, email=email or None,
                      must_change_password=temporary))
    session.flush()


@dataclass(frozen=True)
class CoachView:
    username: str
    display_name: str
    email: Optional[str]
    is_admin: bool
    active: bool
    on_duty: bool
    must_change_password: bool


def _coach_view(row: Coach) -> CoachView:
    return CoachView(username=row.username, display_name=row.display_name or row.username, email=row.email,
                     is_admin=row.is_admin, active=row.active, on_duty=row.on_duty,
                     must_change_password=row.must_change_password)


def coaches(session: Session) -> List[CoachView]:
    return [_coach_view(row) for row in session.execute(select(Coach).order_by(Coach.username)).scalars()]


def coach(session: Session, username: str) -> Optional[CoachView]:
    row = session.execute(select(Coach).where(Coach.username == username)).scalars().first()
    return _coach_view(row) if row else None


def coach_names(session: Session) -> List[str]:
    """Every active coach's username, in order: whom a handoff can be given to."""
    return list(session.execute(select(Coach.username).where(Coach.active.is_(True)).order_by(Coach.username)).scalars())


def display_name(session: Session, username: Optional[str]) -> str:
    """The name learners see on a coach's replies: the display name, else the username."""
    found = session.execute(select(Coach.display_name).where(Coach.username == username)).scalar()
    return found or username or "Coach"


def is_admin(session: Session, username: str) -> bool:
    """Whether the coach may label messages and manage accounts; read on every request, so taking the
    role away (or deactivating the account) is immediate."""
    return bool(session.execute(select(Coach.is_admin).where(Coach.username == username,
                                                             Coach.active.is_(True))).scalar())


def _change(session: Session, username: str, by: str, action: str, **values) -> None:
    """One change to a coach's account, audited with who made it; LookupError for an unknown coach."""
    if not session.execute(update(Coach).where(Coach.username == username).values(**values)).rowcount:
        raise LookupError(f"no coach called {username}")
    audit(session, by, f"{action}: {username}"[:100])


def set_active(session: Session, username: str, active: bool, by: str) -> None:
    """Deactivating ends the coach's sessions; their handoffs stay claimed until an admin assigns them."""
    _change(session, username, by, "activated" if active else "deactivated", active=active)
    if not active:
        revoke_sessions(session, username)


def set_admin(session: Session, username: str, admin: bool, by: str) -> None:
    _change(session, username, by, "admin granted" if admin else "admin taken away", is_admin=admin)


def set_details(session: Session, username: str, display_name: Optional[str], email: Optional[str], by: str) -> None:
    _change(session, username, by, "details changed", display_name=display_name or None, email=email or None)


def set_on_duty(session: Session, username: str, on_duty: bool) -> None:
    _change(session, username, username, "on duty" if on_duty else "off duty", on_duty=on_duty)


def set_temporary_password(session: Session, username: str, by: str) -> str:
    """A new random password the coach must change at their first sign-in; ends their sessions. Returns it
    (shown once to the admin, never stored in the clear)."""
    password = secrets.token_urlsafe(12)
    _change(session, username, by, "temporary password set", password_hash=hash_password(password),
            must_change_password=True)
    revoke_sessions(session, username)
    return password


def issue_password_link(session: Session, username: str, by: str, now: Optional[datetime] = None) -> str:
    """A one-time token for the coach to set a password (shown once as a link); the old password stops
    working and every session ends, so a reset also locks out whoever knew it."""
    _change(session, username, by, "set-password link issued", password_hash=_UNUSABLE, must_change_password=False)
    revoke_sessions(session, username)
    session.execute(delete(PasswordLink).where(PasswordLink.coach == username))
    token = secrets.token_urlsafe(32)
    session.add(PasswordLink(token_hash=_digest(token), coach=username,
                             expires_at=_now(now) + timedelta(hours=PASSWORD_LINK_HOURS)))
    return token


def password_link_coach(session: Session, token: Optional[str], now: Optional[datetime] = None) -> Optional[str]:
    """The active coach a set-password link is for, unless it was used or has expired."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(PasswordLink).where(PasswordLink.token_hash == _digest(token))).scalars().first()
    if row is None or utc(row.expires_at) <= _now(now):
        return None
    found = coach(session, row.coach)
    return found.username if found and found.active else None


def use_password_link(session: Session, token: str, password: str) -> str:
    """Set the password the link is for, once; returns the coach. LookupError when the link does not work."""
    username = password_link_coach(session, token)
    if username is None:
        raise LookupError("this link has expired or was already used")
    set_password(session, username, password)
    session.execute(delete(PasswordLink).where(PasswordLink.coach == username))
    return username


def set_password(session: Session, username: str, password: str) -> int:
    """Change a coach's password and end every session they have; returns how many ended."""
    _check_password_rules(password)
    changed = session.execute(update(Coach).where(Coach.username == username)
                              .values(password_hash=hash_password(password), must_change_password=False)).rowcount
    if not changed:
        raise LookupError(f"no coach called {username}")
    audit(session, username, "password changed")
    return revoke_sessions(session, username)


def password_hash(session: Session, username: str) -> Optional[str]:
    """The hash to check a sign-in against; None for an unknown or deactivated coach."""
    return session.execute(select(Coach.password_hash).where(Coach.username == username,
                                                             Coach.active.is_(True))).scalar()


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
    must_change_password: bool = False


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
    row = session.execute(select(DeskSession, Coach.must_change_password).join(Coach, Coach.username == DeskSession.coach)
                          .where(DeskSession.token_hash == _digest(token), Coach.active.is_(True))).first()
    if row is None or utc(row[0].expires_at) <= _now(now):
        return None
    return SignedIn(coach=row[0].coach, csrf=row[0].csrf, must_change_password=row[1])


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
