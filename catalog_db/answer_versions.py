"""The general answers' wording as edited on the desk: every saved version of a response, newest last.

The domain (bot/domain/faq.yml) keeps the shipped wording; a response with no version, or whose
newest version has no text (a revert to the default), is said in the domain's words. Plain functions
on a Session; the caller owns the transaction.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_db.models import AnswerVersion

# The responses staff may reword: the general answers. Program answers are filled from the catalog.
EDITABLE_PREFIXES = ("utter_faq_", "utter_general_")
MAX_TEXT = 4000


def is_editable(response: str) -> bool:
    return response.startswith(EDITABLE_PREFIXES)


@dataclass(frozen=True)
class Version:
    id: int
    response: str
    text: Optional[str]  # None: the domain's default
    author: str
    saved_at: datetime


def _version(row: AnswerVersion) -> Version:
    return Version(id=row.id, response=row.response, text=row.text, author=row.author, saved_at=row.saved_at)


def newest_versions(session: Session) -> Dict[str, Version]:
    """The newest version of each response that has any, by response."""
    newest = select(func.max(AnswerVersion.id)).group_by(AnswerVersion.response)
    rows = session.scalars(select(AnswerVersion).where(AnswerVersion.id.in_(newest)))
    return {row.response: _version(row) for row in rows}


def current_texts(session: Session) -> Dict[str, str]:
    """The edited wording learners get, by response; responses said in the domain's words are absent."""
    return {response: version.text for response, version in newest_versions(session).items()
            if version.text is not None}


def history(session: Session, response: str) -> List[Version]:
    """Every version of a response, newest first."""
    rows = session.scalars(select(AnswerVersion).where(AnswerVersion.response == response)
                           .order_by(AnswerVersion.id.desc()))
    return [_version(row) for row in rows]


def version(session: Session, version_id: int) -> Optional[Version]:
    row = session.get(AnswerVersion, version_id)
    return _version(row) if row else None


def save_version(session: Session, response: str, text: Optional[str], author: str,
                 now: Optional[datetime] = None) -> Version:
    """A new newest version of a response; `text` None goes back to the domain's wording."""
    if not is_editable(response):
        raise ValueError(f"{response} is not one of the general answers")
    if text is not None and not (text.strip() and len(text) <= MAX_TEXT):
        raise ValueError(f"An answer needs a text of at most {MAX_TEXT} characters.")
    row = AnswerVersion(response=response, text=text, author=author, saved_at=now or datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return _version(row)
