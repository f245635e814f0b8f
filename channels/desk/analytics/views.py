"""The analytics pages of the desk: the overview with its charts (any coach) and the review (admins).

Queries and drawing run in a worker thread, so a large period never stalls the desk's live pages.
"""
import asyncio
import csv
import io
import logging
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from zoneinfo import ZoneInfo

from channels.config import PROJECT_ROOT, ServerConfig
from channels.desk.analytics import charts, figures, review, tracker_events
from channels.desk.analytics.keys import series_key, updater_key
from channels.desk.analytics.models import ConversationSummary, SummaryProgress
from channels.desk.analytics.summary import REVIEWED
from channels.desk.keys import catalog_key, config_key, db_key, tracker_key
from channels.desk.views import OUTCOME_LABELS, _url, coach_required
from channels.desk.views import page as desk_page
from handoff_db import desk_access, handoffs

logger = logging.getLogger(__name__)

DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"
NLU_DIR = PROJECT_ROOT / "bot" / "data" / "nlu"
CATCH_UP_EVENTS = 20000  # folded before a page is drawn (about a second); more is left to the background
LOCK_WAIT_SECONDS = 3  # for a background round to finish its chunk (as many events, as long)
GROUPS_PER_PAGE = 50


def _series(name: str, session: Session, period: figures.Period, catalog_sessions: sessionmaker,
            groups: Optional[List[figures.Group]] = None) -> figures.Series:
    if name == "faq":
        return figures.top_faq_topics(session, period)
    if name == "satisfaction":
        return figures.satisfaction_per_day(session, period)
    if name == "satisfaction_topics":
        return figures.satisfaction_by_topic(session, period)
    if name in ("programs", "satisfaction_programs"):
        by_program = figures.top_programs if name == "programs" else figures.satisfaction_by_program
        try:
            with catalog_sessions() as catalog:
                return by_program(session, period, catalog)
        except SQLAlchemyError as error:  # names are a nicety: the slugs still say which program
            logger.warning("catalog unavailable for program names: %s", error)
            return by_program(session, period, None)
    groups = figures.digest(session, period) if groups is None else groups
    if name == "conversations":
        return figures.conversations_per_day(groups, period)
    if name == "rates":
        return figures.rates_per_day(groups, period)
    return figures.questionnaire_funnel(groups)


DRAW: Dict[str, Callable[[figures.Series], str]] = {
    "conversations": charts.days_by_column,
    "rates": lambda series: charts.lines_per_day(series, (2, 3), ("containment", "handoff-rate")),
    "faq": charts.bars,
    "programs": charts.bars,
    "funnel": charts.bars,
    "satisfaction": lambda series: charts.lines_per_day(series, (1,), ("satisfaction",), "% of answers rated"),
    "satisfaction_topics": lambda series: charts.bars(series, 100),
    "satisfaction_programs": lambda series: charts.bars(series, 100),
}


def _zone(config: ServerConfig) -> ZoneInfo:
    return ZoneInfo(config.office_timezone)


def _period(request: web.Request) -> figures.Period:
    today = datetime.now(_zone(request.app[config_key])).date()
    try:
        return figures.Period.parse(request.query, today)
    except ValueError as error:
        raise web.HTTPBadRequest(text=f"Cannot show that period: {error}.") from None


def _with_period(url: str, period: figures.Period, **more: str) -> str:
    return f"{url}?{urllib.parse.urlencode({**period.query(), **more})}"


@dataclass(frozen=True)
class Progress:
    folded: int  # the last of Rasa's events in the summary
    behind: int  # how many were stored since; -1 when the store cannot be read


async def _catch_up(request: web.Request) -> Progress:
    """Fold what Rasa stored since the last round."""
    def run() -> Progress:
        request.app[updater_key](CATCH_UP_EVENTS, timeout=LOCK_WAIT_SECONDS)
        tracker = request.app[tracker_key]
        with request.app[db_key]() as session:
            progress = session.get(SummaryProgress, 1)
            folded = progress.last_event_id if progress else 0
        if not tracker_events.has_events(tracker):
            return Progress(folded, 0)
        with tracker.connect() as connection:
            return Progress(folded, max(0, tracker_events.last_id(connection) - folded))
    try:
        return await asyncio.to_thread(run)
    except SQLAlchemyError as error:
        logger.error("could not read the tracker store for the analytics: %s", error)
        return Progress(-1, -1)


def _is_admin(sessions_of: sessionmaker, coach: str) -> bool:
    with sessions_of() as session:
        return desk_access.is_admin(session, coach)


def admin_required(view):
    """Views for admins only: signed-in coaches who are not get 403; others are sent to sign in."""
    @coach_required()
    @wraps(view)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if not await asyncio.to_thread(_is_admin, request.app[db_key], request["desk_session"].coach):
            raise web.HTTPForbidden(text="Only admins can review messages.")
        return await view(request)
    return guarded


def percent(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def minutes(seconds: Optional[float]) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


@coach_required()
async def overview_page(request: web.Request) -> web.Response:
    config = request.app[config_key]
    period = _period(request)
    progress = await _catch_up(request)

    def compute() -> Tuple[figures.Overview, List[figures.Series], List[figures.CoachFigures], bool]:
        with request.app[db_key]() as session:
            groups = figures.digest(session, period)
            found = figures.overview(session, period, _zone(config), groups)
            series = [_series(name, session, period, request.app[catalog_key], groups) for name in DRAW]
            coaches = figures.per_coach(session, period, _zone(config))
            return found, series, coaches, desk_access.is_admin(session, request["desk_session"].coach)
    found, series, coaches, admin = await asyncio.to_thread(compute)
    for name, one in zip(DRAW, series):
        request.app[series_key].put((name, period, progress.folded), one)
    shown = [{"name": name, "series": one, "svg": _with_period(_url(request, "analytics_chart", chart=name), period),
              "csv": _with_period(_url(request, "analytics_csv", chart=name), period)}
             for name, one in zip(DRAW, series)]
    days = (period.end - period.start).days + 1
    return desk_page(request, "analytics.html", period=period, overview=found, charts=shown, behind=progress.behind,
                 preset=days if period.end == datetime.now(_zone(config)).date() and days in figures.PRESETS else None,
                 presets=figures.PRESETS, percent=percent, minutes=minutes, is_admin=admin,
                 outcome_names=OUTCOME_LABELS, coaches=coaches)


def _chart_name(request: web.Request) -> str:
    name = request.match_info["chart"]
    if name not in DRAW:
        raise web.HTTPNotFound(text="No such chart.")
    return name


async def _chart_series(request: web.Request, name: str, period: figures.Period) -> figures.Series:
    key = (name, period, (await _catch_up(request)).folded)
    cached = request.app[series_key].get(key)
    if cached is not None:
        return cached

    def compute() -> figures.Series:
        with request.app[db_key]() as session:
            return _series(name, session, period, request.app[catalog_key])
    series = await asyncio.to_thread(compute)
    request.app[series_key].put(key, series)
    return series


@coach_required()
async def chart_svg(request: web.Request) -> web.Response:
    name, period = _chart_name(request), _period(request)
    series = await _chart_series(request, name, period)
    svg = await asyncio.to_thread(DRAW[name], series)
    # An image: nothing in it may run, only its own inline styles apply.
    return web.Response(text=svg, content_type="image/svg+xml", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "Cache-Control": "private, max-age=60"})


def _csv_cell(value: Any) -> Any:
    """Blank for no value; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@coach_required()
async def chart_csv(request: web.Request) -> web.Response:
    name, period = _chart_name(request), _period(request)
    series = await _chart_series(request, name, period)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(series.header)
    writer.writerows([_csv_cell(value) for value in row] for row in series.rows)
    filename = f"{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


REVIEW_KINDS = {"misunderstood": "misunderstood", "off_topic": "declined as off-topic",
                "low_confidence": "low-confidence guess", review.UNHELPFUL: "rated unhelpful"}
REVIEW_FILTERS = ("kind", "channel", "order", "q", "start", "end", "page")  # what a label returns to


@dataclass(frozen=True)
class ReviewFilters:
    kinds: Tuple[str, ...]
    channels: Tuple[str, ...]  # Rasa's names (rest, socketio, slack, telegram); none: every channel
    order: str
    search: str

    @classmethod
    def parse(cls, query) -> "ReviewFilters":
        kinds = tuple(k for k in query.getall("kind", []) if k in REVIEWED) or REVIEWED
        channels = tuple(c for c in query.getall("channel", []) if c in handoffs.CHANNEL_NAMES)
        order = query.get("order") if query.get("order") in review.ORDERS else review.ORDERS[0]
        return cls(kinds, channels, order, str(query.get("q", "")).strip()[:200])


def _matching_keys(session: Session, tracker, period: figures.Period, filters: ReviewFilters) -> List[str]:
    """The groups whose newest message holds the words searched for (compared as the groups are formed)."""
    newest = review.newest_of_groups(session, period.start, period.end, filters.kinds, filters.channels)
    wanted = review.normalize(filters.search)
    found: List[str] = []
    ids = {message: key for key, message in newest.items()}
    messages = list(ids)
    with tracker.connect() as connection:
        for start in range(0, len(messages), 500):
            chunk = messages[start:start + 500]
            texts = tracker_events.texts(connection, chunk)
            found.extend(ids[message] for message in chunk if wanted in review.normalize(texts.get(message, "")))
    return found


@admin_required
async def review_page(request: web.Request) -> web.Response:
    config = request.app[config_key]
    period = _period(request)
    filters = ReviewFilters.parse(request.query)
    page = max(1, int(request.query.get("page", "1")) if request.query.get("page", "1").isdigit() else 1)
    behind = (await _catch_up(request)).behind

    def compute() -> Tuple[int, List[review.Group], Dict[int, str], Dict[int, str]]:
        with request.app[db_key]() as session:
            keys = (_matching_keys(session, request.app[tracker_key], period, filters) if filters.search else None)
            total, groups = review.queue(session, period.start, period.end, filters.kinds, GROUPS_PER_PAGE,
                                         (page - 1) * GROUPS_PER_PAGE, filters.channels, filters.order, keys)
        with request.app[tracker_key].connect() as connection:
            texts = tracker_events.texts(connection, [group.newest_id for group in groups])
            answers = {group.newest_id: tracker_events.answer(connection, group.newest_id, group.answer_event_id)
                       for group in groups if group.answer_event_id is not None}
        return total, groups, texts, answers
    total, groups, texts, answers = await asyncio.to_thread(compute)
    zone = _zone(config)
    rows = [{"group": group, "text": texts.get(group.newest_id, ""), "answer": answers.get(group.newest_id),
             "kinds": ", ".join(f"{REVIEW_KINDS[k]} ×{n}" for k, n in sorted(group.outcomes.items())),
             "seen": datetime.fromtimestamp(group.newest_at, zone).strftime("%Y-%m-%d %H:%M"),
             "conversation": _url(request, "analytics_conversation", id=str(group.conversation_id))}
            for group in groups]
    pages = max(1, -(-total // GROUPS_PER_PAGE))
    shown = {"kind": list(filters.kinds), "channel": list(filters.channels), "order": filters.order,
             "q": filters.search, **period.query()}
    return desk_page(request, "review.html", period=period, rows=rows, total=total, page=page, pages=pages,
                 choices=review.described_choices(DOMAIN_DIR, NLU_DIR), notice=request.query.get("notice"),
                 behind=behind, is_admin=True, filters=filters, kind_names=REVIEW_KINDS,
                 channel_names=handoffs.CHANNEL_NAMES,
                 page_url=lambda n: f"{_url(request, 'analytics_review')}?{urllib.parse.urlencode({**shown, 'page': n}, doseq=True)}",
                 label_url=_url(request, "analytics_label"),
                 back_query=urllib.parse.urlencode({**shown, "page": page}, doseq=True))


def _review_back(request: web.Request) -> str:
    """The review page the label was made on, with its filters (only the review's own parameters)."""
    given = urllib.parse.parse_qsl(str(request["form"].get("back", "")))
    kept = [(name, value) for name, value in given if name in REVIEW_FILTERS]
    if not any(name == "start" for name, _ in kept):  # the form of a page before filters
        kept += list(_period_from_form(request).query().items()) + [("page", str(request["form"].get("page", "1")))]
    return f"{_url(request, 'analytics_review')}?{urllib.parse.urlencode(kept)}"


@admin_required
async def label(request: web.Request) -> web.StreamResponse:
    """One decision for one group, or for every group ticked (`row`: "<group key>:<message id>")."""
    config = request.app[config_key]
    form, admin = request["form"], request["desk_session"].coach
    decision, intent = str(form.get("decision", "")), str(form.get("intent", "")) or None
    picked = [str(row).partition(":") for row in form.getall("row", [])]
    rows = [(key, message) for key, _, message in picked] or [(str(form.get("key", "")), str(form.get("message", "")))]
    back = _review_back(request)
    if rows == [("", "")]:
        raise web.HTTPBadRequest(text="Tick the messages to label first.")
    if decision not in review.DECISIONS or not all(message.isdigit() for _, message in rows):
        raise web.HTTPBadRequest(text="That is not a decision the review knows.")
    if decision == "example" and intent not in review.intent_choices(DOMAIN_DIR):
        raise web.HTTPBadRequest(text="Choose an intent or answer from the list.")
    written = intent if decision == "example" else review.OFF_TOPIC_INTENT if decision == "off_topic" else None

    def apply() -> str:
        with request.app[tracker_key].connect() as connection:
            texts = tracker_events.texts(connection, [int(message) for _, message in rows])
        if any(texts.get(int(message)) is None or review.text_key(texts[int(message)]) != key for key, message in rows):
            raise web.HTTPBadRequest(text="That message is no longer in the review.")
        refused = []
        for key, message in rows:
            if written:
                try:
                    review.add_example(config.reviewed_nlu_path, written, texts[int(message)])
                except ValueError as error:
                    refused.append(str(error))
                    continue
            with request.app[db_key]() as session, session.begin():
                review.label(session, key, decision, written, admin, time.time())
                handoffs.audit(session, admin, f"review {decision} {written or ''}".strip()[:100])
        done = len(rows) - len(refused)
        if not written:
            said = "Dismissed." if len(rows) == 1 else f"Dismissed {done} groups."
        elif done:
            said = (f"Added as an example of {written}" if len(rows) == 1 else f"Added {done} examples of {written}"
                    ) + "; the next `make train` learns it."
        else:
            said = ""
        return f"{said} Not added: {'; '.join(refused)}.".strip() if refused else said
    notice = await asyncio.to_thread(apply)
    raise web.HTTPSeeOther(f"{back}&{urllib.parse.urlencode({'notice': notice})}")


def _period_from_form(request: web.Request) -> figures.Period:
    form = request["form"]
    today = datetime.now(_zone(request.app[config_key])).date()
    try:
        return figures.Period.parse({"start": str(form.get("start", "")), "end": str(form.get("end", ""))}, today)
    except ValueError:
        return figures.Period.parse({}, today)


@admin_required
async def conversation_page(request: web.Request) -> web.Response:
    config = request.app[config_key]
    conversation_id = int(request.match_info["id"])

    def compute():
        with request.app[db_key]() as session:
            found = session.execute(select(ConversationSummary).where(ConversationSummary.id == conversation_id)
                                    ).scalars().first()
            if found is None:
                return None, []
            session.expunge(found)
        with request.app[tracker_key].connect() as connection:
            return found, tracker_events.conversation(connection, found.sender_id, found.id, found.last_event_id)
    found, events = await asyncio.to_thread(compute)
    if found is None:
        raise web.HTTPNotFound(text="No such conversation (it may be past the retention period).")
    zone = _zone(config)
    lines = [{"role": "learner" if event["event"] == "user" else "assistant", "text": event.get("text") or "",
              "at": datetime.fromtimestamp(event.get("timestamp") or 0, zone).strftime("%Y-%m-%d %H:%M:%S")}
             for event in events if event.get("text")]
    return desk_page(request, "conversation.html", conversation=found, channel=figures.channel_name(found.channel),
                 lines=lines, is_admin=True)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/analytics", overview_page, name="analytics")
    app.router.add_get("/analytics/charts/{chart}.svg", chart_svg, name="analytics_chart")
    app.router.add_get("/analytics/data/{chart}.csv", chart_csv, name="analytics_csv")
    app.router.add_get("/analytics/review", review_page, name="analytics_review")
    app.router.add_post("/analytics/review/label", label, name="analytics_label")
    app.router.add_get("/analytics/conversations/{id:\\d+}", conversation_page, name="analytics_conversation")
