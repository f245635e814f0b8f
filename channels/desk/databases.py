"""The desk's three databases, opened once at start: handoffs and coaches (with the analytics' own
tables), the catalog (program names) and Rasa's tracker store (read by the analytics).

The desk starts without them: until they can be used, every page says which one is missing or
unreachable (503, not a bare 500), and the desk's tables are created as soon as their database is
there. A SQLite file is never created here unless it is the desk's own (HANDOFF_DB_URL).
"""
import logging
from functools import lru_cache
from typing import AsyncIterator

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from catalog_db.engine import get_engine, sqlite_file
from channels.desk import views
from channels.desk.analytics import summary
from channels.desk.keys import catalog_key, config_key, db_key, tracker_key
from handoff_db.schema import create_schema

logger = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def ensure_tables(engine: Engine) -> None:
    """The handoff tables and the analytics' own, once per process; a failure is not remembered, so
    the next request tries again."""
    create_schema(engine)
    summary.create_schema(engine)


def reason(error: SQLAlchemyError) -> str:
    """The database's own words, first line only (SQLAlchemy appends the statement and its parameters)."""
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or ["unknown error"])[0][:200]


def problem(engine: Engine, error: SQLAlchemyError) -> str:
    """What is wrong with a database, in a sentence for the log and the coach (never its password)."""
    path = sqlite_file(engine.url)
    if path is not None and not path.exists():
        return f"{path} does not exist"
    where = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    return f"{where}: {reason(error)}"


async def opened(app: web.Application) -> AsyncIterator[None]:
    """Views take sessions from the app, never open a database by URL."""
    config = app[config_key]
    desk, catalog, tracker = (get_engine(config.database_url, create=config.own_database),
                              get_engine(config.catalog_db_url), get_engine(config.tracker_db_url))
    try:
        ensure_tables(desk)
    except SQLAlchemyError as error:
        logger.error("the desk's database cannot be used yet (%s); its pages say so until it can",
                     problem(desk, error))
    app[db_key] = sessionmaker(desk, future=True)
    app[catalog_key] = sessionmaker(catalog, future=True)
    app[tracker_key] = tracker
    yield
    for engine in {desk, catalog, tracker}:
        engine.dispose()


@web.middleware
async def unavailable_page(request: web.Request, handler) -> web.StreamResponse:
    """Which database the desk cannot use, on a page of its own (503)."""
    desk = request.app[db_key].kw["bind"]
    try:
        ensure_tables(desk)
        return await handler(request)
    except SQLAlchemyError as error:
        found = problem(desk, error)
        if sqlite_file(desk.url) is not None and sqlite_file(desk.url) == sqlite_file(request.app[catalog_key].kw["bind"].url):
            found += " (it holds the catalog and the handoffs: build it with `make catalog`)"
        logger.error("%s %s: a database cannot be used: %s", request.method, request.path, found)
        return views.render(request, "unavailable.html", status=503, problem=found)
