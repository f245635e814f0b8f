"""Opening the catalog from an action: one short session per question, never one shared."""
import logging
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.actions.settings import settings
from catalog_db.engine import limit_waiting, make_session

logger = logging.getLogger(__name__)


class CatalogUnavailable(Exception):
    """The catalog database could not be reached or queried."""


@contextmanager
def catalog_session() -> Iterator[Session]:
    """A read-only session on CATALOG_DB_URL for one action run; database errors become CatalogUnavailable.

    A query waits at most CATALOG_TIMEOUT seconds (on a locked SQLite file, a slow server), well within
    Rasa's ACTION_TIMEOUT, so the learner hears that the catalog cannot be reached rather than
    Rasa's generic "something went wrong" after the action timed out.
    """
    configured = settings()
    try:
        with make_session(configured.catalog_db_url) as session:
            limit_waiting(session, configured.catalog_timeout)
            yield session
    except SQLAlchemyError as error:
        logger.error("catalog database error: %s", error.__class__.__name__)
        raise CatalogUnavailable() from error
