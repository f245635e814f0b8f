"""Thin views of the coach desk: read the request, call the handoff store, render or redirect."""
import asyncio
import logging
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from channels.conversation_ids import can_push
from channels.desk import rasa_client, sessions
from channels.desk.client_address import client_address
from channels.desk.keys import config_key, db_key, deliveries_key, hashing_key, http_key, templates_key
from handoff_db import desk_access, handoffs, saved_replies
from handoff_db.models import OUTCOMES

logger = logging.getLogger(__name__)
# The store's calls are short indexed queries; running them inline keeps the views simple, and the
# desk serves a handful of coaches, so blocking the loop for a few milliseconds costs nothing. The
# exception is sign-in, which anyone can send many of at once: it runs in the hashing thread.


def _signed_in(request: web.Request) -> Optional[desk_access.SignedIn]:
    with request.app[db_key]() as session:
        return desk_access.signed_in(session, request.cookies.get(sessions.SESSION_COOKIE))


def _is_admin(request: web.Request, coach: str) -> bool:
    with request.app[db_key]() as session:
        return desk_access.is_admin(session, coach)


def _url(request: web.Request, name: str, **parts: str) -> str:
    return str(request.app.router[name].url_for(**parts))


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[templates_key].get_template(template).render(
        url=lambda name, **parts: _url(request, name, **{k: str(v) for k, v in parts.items()}), **context)
    return web.Response(text=html, content_type="text/html", status=status)


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page for the signed-in coach: the header's name, role, duty and the forms' CSRF token."""
    desk_session = request["desk_session"]
    with request.app[db_key]() as session:
        me = desk_access.coach(session, desk_session.coach)
    context.setdefault("is_admin", bool(me and me.is_admin and me.active))
    return render(request, template, status=status, coach=desk_session.coach, csrf=desk_session.csrf,
                  on_duty=bool(me and me.on_duty), **context)


def _redirect(location: str) -> web.Response:
    """A redirect that can carry a cookie (raised HTTPFound cannot be returned with one cleanly)."""
    return web.Response(status=303, headers={"Location": location})


def _set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    secure = request.secure or request.app[config_key].secure_cookies
    response.set_cookie(name, value, httponly=True, samesite="Lax", path=_cookie_path(request), max_age=max_age,
                        secure=secure)


def _cookie_path(request: web.Request) -> str:
    return _url(request, "queue")


def _form_csrf(request: web.Request) -> Optional[str]:
    return sessions.form_token(request.app[config_key].session_secret, request.cookies.get(sessions.LOGIN_COOKIE))


def coach_required(json: bool = False, admin: bool = False):
    """Views for signed-in coaches only: others are sent to sign in (pages) or get 401 (JSON). A coach
    with a temporary password is sent to choose their own first; `admin` views refuse others (403)."""
    def decorate(view):
        async def guarded(request: web.Request) -> web.StreamResponse:
            desk_session = _signed_in(request)
            if desk_session is None:
                if json:
                    raise web.HTTPUnauthorized(text='{"error": "sign in first"}', content_type="application/json")
                raise web.HTTPFound(_url(request, "login"))
            if desk_session.must_change_password and request.match_info.route.name not in ("password", "password_post",
                                                                                           "logout"):
                raise web.HTTPFound(_url(request, "password"))
            if admin and not _is_admin(request, desk_session.coach):
                raise web.HTTPForbidden(text="Only an admin can do this.")
            if request.method == "POST":
                form = await request.post()
                if not sessions.csrf_ok(desk_session.csrf, form.get("csrf")):
                    raise web.HTTPForbidden(text="This form has expired; reload the page and try again.")
                request["form"] = form
            request["desk_session"] = desk_session
            return await view(request)
        return guarded
    return decorate


async def login_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    csrf, cookie = sessions.issue_form_token(request.app[config_key].session_secret)
    response = render(request, "login.html", status=status, csrf=csrf, error=error)
    _set_cookie(request, response, sessions.LOGIN_COOKIE, cookie, sessions.LOGIN_SECONDS)
    return response


def _check_sign_in(sessions_of: sessionmaker, username: str, password: str,
                   address: str) -> Tuple[Optional[str], Optional[timedelta]]:
    """The whole sign-in, run in the hashing thread: the throttle first (too many failures are refused
    unchecked), then scrypt, then the attempt recorded. Returns a session token, or the wait."""
    with sessions_of() as session, session.begin():
        wait = desk_access.sign_in_wait(session, username, address)
        if wait is not None:
            desk_access.record_throttled(session, username, address)
            return None, wait
        stored = desk_access.password_hash(session, username)
    matches = desk_access.password_matches(stored, password)
    with sessions_of() as session, session.begin():
        desk_access.record_sign_in(session, username, address, matches)
        return (desk_access.start_session(session, username) if matches else None), None


async def login(request: web.Request) -> web.StreamResponse:
    """Checks the password (and its database work) off the event loop, so guessing slows no one else."""
    form = await request.post()
    if not sessions.csrf_ok(_form_csrf(request), form.get("csrf")):
        raise web.HTTPForbidden(text="This form has expired; reload the page and try again.")
    username, password = str(form.get("username", ""))[:100], str(form.get("password", ""))
    address = client_address(request.remote, request.headers.getall("X-Forwarded-For", []),
                             request.app[config_key].trusted_proxies)
    token, wait = await asyncio.get_running_loop().run_in_executor(
        request.app[hashing_key], _check_sign_in, request.app[db_key], username, password, address)
    if wait is not None:
        logger.warning("sign-in refused for %r from %s: too many failures", username, address)
        minutes = max(1, round(wait.total_seconds() / 60))
        response = await login_page(request, status=429, error=(
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."))
        response.headers["Retry-After"] = str(int(wait.total_seconds()))
        return response
    if token is None:
        logger.warning("failed sign-in for %r from %s", username, address)
        return await login_page(request, status=401, error="That username and password don't match.")
    response = _redirect(_url(request, "queue"))
    _set_cookie(request, response, sessions.SESSION_COOKIE, token, desk_access.SESSION_HOURS * 3600)
    response.del_cookie(sessions.LOGIN_COOKIE, path=_cookie_path(request))
    return response


@coach_required()
async def logout(request: web.Request) -> web.StreamResponse:
    with request.app[db_key]() as session, session.begin():
        desk_access.end_session(session, request.cookies[sessions.SESSION_COOKIE])
        handoffs.audit(session, request["desk_session"].coach, "sign-out")
    response = _redirect(_url(request, "login"))
    response.del_cookie(sessions.SESSION_COOKIE, path=_cookie_path(request))
    return response


QUEUE_LIMIT = 200  # the queue page shows this many, longest waiting first (the rest: search, status "waiting")
# What a coach reads of a reply's way to the learner, on the page and in its live updates (desk.js).
DELIVERY_LABELS = {
    handoffs.SENT: "sent",
    handoffs.WAITING: "waiting to be delivered",
    handoffs.FAILED: "failed: not delivered; your next reply sends it again",
}
OUTCOME_LABELS = {"answered": "answered", "enrolled": "enrolled", "referred": "referred elsewhere",
                  "no_response": "no response from the learner"}
STATUS_LABELS = {"active": "waiting or claimed", "open": "waiting", "claimed": "claimed", "closed": "closed",
                 "cancelled": "cancelled by the learner"}


def _alert_cursor(request: web.Request) -> Dict[str, int]:
    """Where this page's alerts start: nothing that was already there when it loaded alerts the coach."""
    with request.app[db_key]() as session:
        newest_handoff, newest_message = handoffs.newest_ids(session)
    return {"handoffs": newest_handoff, "messages": newest_message}


@coach_required()
async def queue_page(request: web.Request) -> web.Response:
    with request.app[db_key]() as session:
        waiting, total = handoffs.queue(session, limit=QUEUE_LIMIT), handoffs.queue_size(session)
    return page(request, "queue.html", queue=waiting, total=total, alert_cursor=_alert_cursor(request))


@coach_required(json=True)
async def queue_json(request: web.Request) -> web.Response:
    with request.app[db_key]() as session:
        waiting = handoffs.queue(session, limit=QUEUE_LIMIT)
    return web.json_response([
        {"id": h.id, "channel": h.channel_name, "reason": h.reason, "status": h.status, "claimed_by": h.claimed_by,
         "waiting_minutes": int(h.waiting_seconds // 60), "last_message": h.last_learner_message,
         "url": _url(request, "handoff", id=str(h.id))}
        for h in waiting])


@coach_required(json=True)
async def alerts_json(request: web.Request) -> web.Response:
    """New handoffs, and new messages from learners the coach claimed, since the page's last look (desk.js
    turns them into a notification and a sound). Only a first line of a learner's message is given."""
    try:
        after_handoff, after_message = int(request.query["handoffs"]), int(request.query["messages"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="`handoffs` and `messages` must be numbers.") from None
    with request.app[db_key]() as session:
        found = handoffs.alerts(session, request["desk_session"].coach, after_handoff, after_message)
    return web.json_response({
        "handoffs": found.last_handoff_id, "messages": found.last_message_id,
        "alerts": [{"title": f"New handoff from {h.channel_name}", "body": h.reason,
                    "url": _url(request, "handoff", id=str(h.id))} for h in found.new_handoffs]
        + [{"title": "Your learner wrote", "body": line, "url": _url(request, "handoff", id=str(handoff_id))}
           for handoff_id, line in found.learner_writes]})


def _handoff_or_404(session, handoff_id: int) -> handoffs.HandoffView:
    handoff = handoffs.handoff_by_id(session, handoff_id)
    if handoff is None:
        raise web.HTTPNotFound(text="No such handoff.")
    return handoff


def _message_json(request: web.Request, message: handoffs.MessageView) -> Dict[str, Any]:
    return {"id": message.id, "role": message.role, "author": message.author, "text": message.text,
            "at": request.app[templates_key].filters["office"](message.created_at), "delivery": message.delivery}


@coach_required()
async def handoff_page(request: web.Request) -> web.Response:
    handoff_id = int(request.match_info["id"])
    coach = request["desk_session"].coach
    with request.app[db_key]() as session:
        handoff = _handoff_or_404(session, handoff_id)
        transcript = handoffs.messages(session, handoff_id)
        admin = desk_access.is_admin(session, coach)
        context = dict(notes=handoffs.notes(session, handoff_id), coaches=desk_access.coach_names(session),
                       saved=saved_replies.saved_replies(session),
                       awaiting_answer=handoff.active and handoffs.awaiting_answer(session, handoff_id))
    return page(request, "handoff.html", handoff=handoff, transcript=transcript, notice=request.query.get("notice"),
                is_admin=admin, may_act=handoffs.may_act_on(handoff, coach, admin), delivery_labels=DELIVERY_LABELS,
                outcomes=OUTCOME_LABELS, alert_cursor=_alert_cursor(request), **context)


@coach_required(json=True)
async def handoff_messages(request: web.Request) -> web.Response:
    handoff_id = int(request.match_info["id"])
    try:
        after = int(request.query.get("after", "0") or 0)
    except ValueError:
        raise web.HTTPBadRequest(text="`after` must be a message number.") from None
    with request.app[db_key]() as session:
        handoff = _handoff_or_404(session, handoff_id)
        transcript = handoffs.messages(session, handoff_id)
    # New lines, and where each line on its way to the learner stands now (it changes as it is sent).
    return web.json_response({"status": handoff.status,
                              "messages": [_message_json(request, m) for m in transcript if m.id > after],
                              "deliveries": {m.id: {"state": m.delivery, "label": DELIVERY_LABELS[m.delivery]}
                                             for m in transcript if m.delivery}})


async def _deliver(request: web.Request, handoff: handoffs.HandoffView) -> Optional[str]:
    """Send the learner what waits for them; a notice for the coach when it did not all arrive."""
    refused = await request.app[deliveries_key].deliver(handoff.sender_id, handoff.channel)
    if refused is None:
        return None
    return (f"Saved, but it has not reached the learner yet ({refused}). It is sent again until it does; "
            "the transcript shows when.")


def _back(request: web.Request, handoff_id: int, notice: Optional[str] = None) -> web.HTTPFound:
    location = _url(request, "handoff", id=str(handoff_id))
    return web.HTTPFound(location + (f"?{urlencode({'notice': notice})}" if notice else ""))


def _claimed_by_another(session, handoff: handoffs.HandoffView, coach: str, action: str) -> Optional[web.HTTPForbidden]:
    """The refusal when `coach` may not `action` this handoff (another coach claimed it), audited; else None."""
    if handoffs.may_act_on(handoff, coach, desk_access.is_admin(session, coach)):
        return None
    handoffs.audit(session, coach, f"{action} refused: claimed by {handoff.claimed_by}"[:100], handoff.id)
    logger.warning("%s may not %s handoff %s, which %s claimed", coach, action, handoff.id, handoff.claimed_by)
    return web.HTTPForbidden(text=f"{handoff.claimed_by} has claimed this handoff: only they or an admin can "
                                  f"{action} it.")


@coach_required()
async def claim(request: web.Request) -> web.StreamResponse:
    handoff_id = int(request.match_info["id"])
    with request.app[db_key]() as session, session.begin():
        _handoff_or_404(session, handoff_id)
        claimed = handoffs.claim_handoff(session, handoff_id, request["desk_session"].coach)
        handoff = handoffs.handoff_by_id(session, handoff_id)
    if not claimed:
        raise _back(request, handoff_id, f"{handoff.claimed_by} has already claimed it." if handoff.claimed_by
                    else "This handoff is closed.")
    raise _back(request, handoff_id, await _deliver(request, handoff))


@coach_required()
async def assign(request: web.Request) -> web.StreamResponse:
    """Give the handoff to a coach: anyone while it is unclaimed, its coach to another, an admin always."""
    handoff_id, coach = int(request.match_info["id"]), request["desk_session"].coach
    to_coach = str(request["form"].get("coach", ""))
    with request.app[db_key]() as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        refused = _claimed_by_another(session, handoff, coach, "assign")
        if refused is None and to_coach not in desk_access.coach_names(session):
            refused = web.HTTPBadRequest(text="There is no active coach of that name.")
        moved = refused is None and handoffs.assign_handoff(session, handoff, to_coach, coach)
    if refused is not None:  # raised after the transaction, so the refusal's audit entry is kept
        raise refused
    if not moved:
        raise _back(request, handoff_id, "This handoff is closed.")
    raise _back(request, handoff_id, await _deliver(request, handoff) or f"Given to {to_coach}.")


@coach_required()
async def reply(request: web.Request) -> web.StreamResponse:
    handoff_id = int(request.match_info["id"])
    text = str(request["form"].get("text", "")).strip()
    if not text:
        raise _back(request, handoff_id, "Type a message first.")
    coach = request["desk_session"].coach
    with request.app[db_key]() as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        refused = _claimed_by_another(session, handoff, coach, "reply to")
        if refused is None and handoff.active:
            text = saved_replies.expand(session, text)
            handoffs.retry_failed(session, handoff.sender_id)  # what did not arrive goes first, in order
            handoffs.add_message(session, handoff_id, "coach", text[:saved_replies.MAX_TEXT], author=coach)
            handoffs.audit(session, coach, "reply", handoff_id)
    if refused is not None:
        raise refused
    if not handoff.active:
        raise _back(request, handoff_id, "This handoff is closed.")
    raise _back(request, handoff_id, await _deliver(request, handoff))


@coach_required()
async def note(request: web.Request) -> web.StreamResponse:
    """An internal note: any coach may leave one, on any handoff; the learner never sees it."""
    handoff_id = int(request.match_info["id"])
    text = str(request["form"].get("text", "")).strip()
    if not text:
        raise _back(request, handoff_id, "Type a note first.")
    with request.app[db_key]() as session, session.begin():
        _handoff_or_404(session, handoff_id)
        handoffs.add_note(session, handoff_id, request["desk_session"].coach, text[:saved_replies.MAX_TEXT])
    raise _back(request, handoff_id, "Note added (only coaches see it).")


@coach_required()
async def close(request: web.Request) -> web.StreamResponse:
    """Close with a wrap-up reason; when the learner spoke last, only once the coach confirmed it."""
    handoff_id = int(request.match_info["id"])
    coach, form = request["desk_session"].coach, request["form"]
    outcome = str(form.get("outcome", ""))
    if outcome not in OUTCOMES:
        raise _back(request, handoff_id, "Choose how the conversation ended before closing it.")
    with request.app[db_key]() as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        refused = _claimed_by_another(session, handoff, coach, "close")
        unconfirmed = (refused is None and form.get("confirm") != "yes"
                       and handoffs.awaiting_answer(session, handoff_id))
        closed = refused is None and not unconfirmed and handoffs.close_handoff(session, handoff_id, coach, outcome)
    if refused is not None:
        raise refused
    if unconfirmed:
        raise _back(request, handoff_id, "The learner's last message has no answer yet. Tick “Close without "
                                         "answering” to close it anyway.")
    if not closed:  # closing again does nothing: above all, not to the learner's newer handoff
        raise _back(request, handoff_id, "This handoff had already ended.")
    raise _back(request, handoff_id, await _deliver(request, handoff))


@coach_required()
async def reopen(request: web.Request) -> web.StreamResponse:
    """Reopen a handoff closed less than a day ago; the coach who reopens it has it, and the learner is told."""
    handoff_id, coach = int(request.match_info["id"]), request["desk_session"].coach
    with request.app[db_key]() as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        refused = handoffs.reopen_handoff(session, handoff, coach)
    if refused is not None:
        raise _back(request, handoff_id, refused)
    if not can_push(handoff.channel):  # REST: the learner's next message goes to the coach, and hears of it
        config = request.app[config_key]
        try:
            await rasa_client.append_events(request.app[http_key], config.rasa_url, config.rasa_jwt_secret,
                                            handoff.sender_id, [{"event": "slot", "name": "handoff_active",
                                                                 "value": True}], output_channel=handoff.channel)
        except rasa_client.RasaUnavailable as error:
            raise _back(request, handoff_id, f"Reopened, but the assistant could not be told ({error}).") from None
    raise _back(request, handoff_id, await _deliver(request, handoff) or "Reopened: you have it.")


def _day(value: str, name: str) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"`{name}` is a date such as 2026-11-30.") from None


@coach_required()
async def search_page(request: web.Request) -> web.Response:
    """Open and closed handoffs: words in what learners wrote, a coach's name or a program; filters by
    channel, status, coach and the days they were opened (office time)."""
    query = request.query
    zone = request.app[templates_key].globals["office_zone"]
    since, until = _day(query.get("since", ""), "since"), _day(query.get("until", ""), "until")
    channel, status = query.get("channel", ""), query.get("status", "")
    if channel and channel not in handoffs.CHANNEL_NAMES or status and status not in STATUS_LABELS:
        raise web.HTTPBadRequest(text="No such channel or status.")
    try:
        number = max(1, int(query.get("page", "1")))
    except ValueError:
        raise web.HTTPBadRequest(text="`page` must be a number.") from None
    wanted = handoffs.Search(
        words=query.get("q", "")[:200], channel=channel, status=status, coach=query.get("coach", "")[:100],
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None)
    with request.app[db_key]() as session:
        found, total = handoffs.search(session, wanted, number)
        coaches = [c.username for c in desk_access.coaches(session)]
    pages = max(1, -(-total // handoffs.PAGE_SIZE))
    kept = {name: value for name, value in query.items() if name != "page" and value}
    return page(request, "search.html", found=found, total=total, wanted=wanted, query=kept, coaches=coaches,
                channels=handoffs.CHANNEL_NAMES, statuses=STATUS_LABELS, page_number=min(number, pages), pages=pages,
                page_url=lambda n: _url(request, "search") + "?" + urlencode({**kept, "page": n}))
