"""Saved replies: answers admins write once for coaches to insert (a picker, or `/shortcut` in the
reply box). Plain functions on a Session; the caller owns the transaction. Every change is audited."""
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handoff_db.handoffs import audit
from handoff_db.models import SavedReply

SHORTCUT = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # what follows the "/" in the reply box
MAX_TEXT = 4000  # a coach's reply is kept to this length too


@dataclass(frozen=True)
class SavedReplyView:
    id: int
    shortcut: str
    title: str
    text: str


def _view(row: SavedReply) -> SavedReplyView:
    return SavedReplyView(id=row.id, shortcut=row.shortcut, title=row.title, text=row.text)


def saved_replies(session: Session) -> List[SavedReplyView]:
    return [_view(row) for row in session.execute(select(SavedReply).order_by(SavedReply.shortcut)).scalars()]


def by_shortcut(session: Session, shortcut: str) -> Optional[SavedReplyView]:
    row = session.execute(select(SavedReply).where(SavedReply.shortcut == shortcut.lower())).scalars().first()
    return _view(row) if row else None


def expand(session: Session, text: str) -> str:
    """A reply that is only `/shortcut` becomes that saved reply's text (the desk's page does this as the
    coach types; this is the same for a browser without scripts). Anything else is left as it is."""
    match = re.fullmatch(r"\s*/([a-z0-9-]+)\s*", text, re.IGNORECASE)
    found = by_shortcut(session, match.group(1)) if match else None
    return found.text if found else text


def save(session: Session, shortcut: str, title: str, text: str, by: str, reply_id: Optional[int] = None) -> None:
    """Add a saved reply, or change the one `reply_id` names; ValueError when a field is not usable."""
    shortcut, title, text = shortcut.strip().lstrip("/").lower(), title.strip(), text.strip()
    if not SHORTCUT.fullmatch(shortcut):
        raise ValueError("A shortcut is 1 to 40 lowercase letters, digits or dashes, such as fees-aid.")
    if not title or len(title) > 100 or not text or len(text) > MAX_TEXT:
        raise ValueError(f"A saved reply needs a title (up to 100 characters) and a text (up to {MAX_TEXT}).")
    clash = by_shortcut(session, shortcut)
    if clash is not None and clash.id != reply_id:
        raise ValueError(f"/{shortcut} is already taken by “{clash.title}”.")
    row = session.get(SavedReply, reply_id) if reply_id else SavedReply()
    if row is None:
        raise ValueError("That saved reply was deleted meanwhile.")
    row.shortcut, row.title, row.text, row.updated_by, row.updated_at = (
        shortcut, title, text, by, datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    audit(session, by, f"saved reply {'changed' if reply_id else 'added'}: /{shortcut}"[:100])


def remove(session: Session, reply_id: int, by: str) -> None:
    row = session.get(SavedReply, reply_id)
    if row is not None:
        audit(session, by, f"saved reply deleted: /{row.shortcut}"[:100])
        session.execute(delete(SavedReply).where(SavedReply.id == reply_id))
