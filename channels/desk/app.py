"""The coach desk's aiohttp application: resources, state and the background housekeeping."""
import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import AsyncIterator, Optional

import aiohttp
import jinja2
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from zoneinfo import ZoneInfo

from channels.config import ServerConfig
from channels.desk import databases, email_alerts, log_retention, rasa_client, training
from channels.desk.analytics.app import setup_analytics
from channels.desk.delivery import Deliveries
from channels.desk.keys import (
    config_key,
    db_key,
    deliveries_key,
    hashing_key,
    http_key,
    templates_key,
)
from channels.desk.routes import setup_routes
from channels.limits import TOO_LONG_MESSAGE
from handoff_db import desk_access, handoffs

logger = logging.getLogger(__name__)

PURGE_SECONDS = 3600
ROUND_SECONDS = 5  # how soon a new handoff reaches the coaches' Slack channel
COLLECT_SECONDS = 15  # how soon a learner message the relay missed reaches the desk
# One sign-in check at a time: forty at once queue here instead of taking both cores from Rasa.
HASHING_THREADS = 1
MAX_BODY_BYTES = 64 * 1024  # the largest form is a coach's reply (4,000 characters kept)


@web.middleware
async def refuse_large_bodies(request: web.Request, handler) -> web.StreamResponse:
    """413 on a declared size over the limit before reading a byte (aiohttp would wait for the body); a
    view taking larger bodies (a catalog file) says so in its `max_body_bytes`."""
    larger = getattr(request.match_info.handler, "max_body_bytes", None)
    if larger:
        request = request.clone(client_max_size=larger)
    if (request.content_length or 0) > request.client_max_size:
        raise web.HTTPRequestEntityTooLarge(max_size=request.client_max_size, actual_size=request.content_length)
    return await handler(request)


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


async def hashing_pool(app: web.Application) -> AsyncIterator[None]:
    with ThreadPoolExecutor(HASHING_THREADS, thread_name_prefix="password") as pool:
        app[hashing_key] = pool
        yield


async def http_client(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as client:
        app[http_key] = client
        app[deliveries_key] = Deliveries(app[db_key], client, app[config_key])
        yield


async def announce_new_handoffs(app: web.Application) -> None:
    """Post each new handoff to the coaches' Slack channel, when one is configured.

    No transaction is open while Slack is waited on (up to 10 s): on SQLite a handoff being opened
    meanwhile would otherwise find the database locked.
    """
    config = app[config_key]
    if not config.slack_webhook_url:
        return
    with app[db_key]() as session:
        waiting = handoffs.unannounced(session)
    for handoff in waiting:
        text = (f"New handoff from {handoff.channel_name}: {handoff.reason} — "
                f"{config.public_url.rstrip('/')}/desk/handoffs/{handoff.id}")
        try:
            async with app[http_key].post(config.slack_webhook_url, json={"text": text},
                                          timeout=aiohttp.ClientTimeout(total=10)) as response:
                response.raise_for_status()
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.error("could not post handoff %s to Slack: %s", handoff.id, error)
            return  # try again on the next round
        with app[db_key]() as session, session.begin():
            handoffs.mark_announced(session, handoff.id)


async def email_new_handoffs(app: web.Application) -> None:
    sent = await email_alerts.email_new_handoffs(app[db_key], app[config_key])
    if sent:
        logger.info("e-mailed the coaches on duty about %d new handoffs", len(sent))


async def collect_missed_learner_messages(app: web.Application) -> int:
    """Learner messages Rasa holds that the desk does not: their relay failed (action server down).

    A cheap look at each open handoff's newest message first; the whole record only when it is
    not on the desk yet. Needs Rasa, not the action server.
    """
    config = app[config_key]
    with app[db_key]() as session:
        active = handoffs.queue(session)
    added = 0
    for handoff in active:
        state = await rasa_client.conversation(app[http_key], config.rasa_url, config.rasa_jwt_secret,
                                               handoff.sender_id, with_events=False)
        newest = (state.get("latest_message") or {}).get("text")
        # A payload ("/human_handoff" from the widget's button) is no message for the coach: the transcript
        # leaves it out, so it would never match what the desk holds.
        if not newest or newest.startswith("/") or newest in (handoff.last_learner_message, TOO_LONG_MESSAGE):
            continue
        record = await rasa_client.conversation(app[http_key], config.rasa_url, config.rasa_jwt_secret,
                                                handoff.sender_id, with_events=True)
        said = handoffs.learner_messages(record.get("events") or [], handoff.created_at, skip=[TOO_LONG_MESSAGE])
        with app[db_key]() as session, session.begin():
            added += handoffs.record_learner_messages(session, handoff.id, said)
    if added:
        logger.info("collected %d learner messages the relay had missed", added)
    return added


def purge_old_logs(config: ServerConfig) -> None:
    """Retention of the services' logs, when they are files here (LOG_DIR, set by `make run`)."""
    if config.log_dir is not None and config.log_dir.is_dir():
        rolled, deleted = log_retention.roll_and_purge(config.log_dir, config.retention_days)
        if rolled or deleted:
            logger.info("rolled %d logs and deleted %d past retention", rolled, deleted)


def purge_old_transcripts(sessions_of: sessionmaker, config: ServerConfig) -> int:
    """Retention: abandoned handoffs closed, closed ones past retention deleted, old audit entries too."""
    with sessions_of() as session, session.begin():
        abandoned = handoffs.close_abandoned(session, config.abandoned_days)
        if abandoned:
            logger.info("closed %d handoffs with no message for %d days", abandoned, config.abandoned_days)
        desk_access.purge_expired(session, config.audit_retention_days)
        return handoffs.purge_closed(session, config.retention_days)


async def housekeeping(app: web.Application) -> AsyncIterator[None]:
    """Hourly: apply retention (purge_old_transcripts); every few seconds: announce new handoffs, send
    again coach replies and closes the learner's platform refused (delivery.py), and collect learner
    messages the relay missed."""
    async def loop() -> None:
        since_purge, since_collect = PURGE_SECONDS, 0
        while True:
            try:
                if since_purge >= PURGE_SECONDS:
                    since_purge = 0
                    purge_old_logs(app[config_key])
                    removed = purge_old_transcripts(app[db_key], app[config_key])
                    if removed:
                        logger.info("deleted %d closed handoffs past retention", removed)
                await announce_new_handoffs(app)
                await email_new_handoffs(app)
                await app[deliveries_key].round()
                if since_collect >= COLLECT_SECONDS:
                    since_collect = 0
                    await collect_missed_learner_messages(app)
            except rasa_client.RasaUnavailable as error:
                logger.warning("could not look for missed learner messages: %s", error)
            except SQLAlchemyError as error:  # the pages say so too (databases.unavailable_page)
                logger.error("desk housekeeping: %s", databases.problem(app[db_key].kw["bind"], error))
            except Exception:  # keep the desk up; the next round tries again
                logger.exception("desk housekeeping failed")
            await asyncio.sleep(ROUND_SECONDS)
            since_purge += ROUND_SECONDS
            since_collect += ROUND_SECONDS

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def templates(config: ServerConfig) -> jinja2.Environment:
    """The desk's templates, escaping everything, with `office`: a time as the office reads it."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("channels.desk", "templates"), autoescape=True)
    zone = ZoneInfo(config.office_timezone)

    def office(moment: Optional[datetime]) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else ""
    environment.filters["office"] = office
    environment.globals["office_zone"] = zone
    return environment


def create_desk_app(config: ServerConfig) -> web.Application:
    if not config.session_secret:
        raise ValueError("DESK_SESSION_SECRET is empty: the desk will not sign sessions without a secret")
    app = web.Application(middlewares=[refuse_large_bodies, security_headers, databases.unavailable_page],
                          client_max_size=MAX_BODY_BYTES)
    app[config_key] = config
    app[templates_key] = templates(config)
    app.cleanup_ctx.extend([databases.opened, hashing_pool, http_client, housekeeping, training.trainer])
    setup_routes(app)
    setup_analytics(app)
    return app
