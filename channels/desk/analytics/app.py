"""Adds the analytics to the desk: its tables, its routes, and the rounds that keep the summary current."""
import asyncio
import contextlib
import logging
from typing import AsyncIterator

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from zoneinfo import ZoneInfo

from channels.desk.analytics import summary
from channels.desk.analytics.keys import SeriesCache, series_key, updater_key
from channels.desk.analytics.views import setup_routes
from channels.desk.databases import ensure_tables, reason
from channels.desk.keys import config_key, db_key, tracker_key

logger = logging.getLogger(__name__)

ROUND_SECONDS = 5
ROUND_EVENTS = 20000
PURGE_SECONDS = 3600


async def rounds(app: web.Application) -> AsyncIterator[None]:
    config = app[config_key]
    desk, tracker = app[db_key].kw["bind"], app[tracker_key]  # opened once, with the desk's other databases
    app[updater_key] = summary.Updater(desk, tracker, ZoneInfo(config.office_timezone))
    app[series_key] = SeriesCache()

    async def loop() -> None:
        since_purge = PURGE_SECONDS
        while True:
            try:
                ensure_tables(desk)  # here, not at start: the desk starts without its database
                if since_purge >= PURGE_SECONDS:
                    events, conversations = await asyncio.to_thread(
                        summary.purge_expired, desk, tracker, config.retention_days)
                    if events or conversations:
                        logger.info("deleted %d events and %d conversations past retention", events, conversations)
                        app[series_key].clear()
                    since_purge = 0
                # In chunks, so a page waiting to fold the newest events gets its turn during a long catch-up.
                while await asyncio.to_thread(app[updater_key], ROUND_EVENTS) >= ROUND_EVENTS:
                    pass
            except SQLAlchemyError as error:  # the pages say so too (databases.unavailable_page)
                logger.error("analytics round: a database cannot be used: %s", reason(error))
            except Exception:  # keep the desk up; the next round tries again
                logger.exception("analytics round failed")
            await asyncio.sleep(ROUND_SECONDS)
            since_purge += ROUND_SECONDS

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup_analytics(app: web.Application) -> None:
    app.cleanup_ctx.append(rounds)
    setup_routes(app)
