"""Opening the catalog from an action: one short session per question, never one shared."""
import logging
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.actions.settings import settings
from catalog_db.engine import make_session

logger = logging.getLogger(__name__)


class CatalogUnavailable(Exception):
    """The catalog database could not be reached or queried."""


@contextmanager
def catalog_session() -> Iterator[Session]:
    """A read-only session on CATALOG_DB_URL for one action run; database errors become CatalogUnavailable."""
    try:
        with make_session(settings().catalog_db_url) as session:
            yield session
    except SQLAlchemyError as error:
        logger.error("catalog database error: %s", error)
        raise CatalogUnavailable() from error
