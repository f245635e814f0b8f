"""Thin views of the coach desk: read the request, call the handoff store, render or redirect."""
import logging
from typing import Any, Dict, Optional

from aiohttp import web

from catalog_db import handoffs
from catalog_db.engine import make_session
from channels.desk import sessions
from channels.desk.keys import config_key, http_key, templates_key
from channels.desk.rasa_client import RasaUnavailable, run_action

logger = logging.getLogger(__name__)
# The store's calls are short indexed queries; running them inline keeps the views simple, and the
# desk serves a handful of coaches, so blocking the loop for a few milliseconds costs nothing.


def _session(request: web.Request) -> Optional[sessions.DeskSession]:
    return sessions.read(request.app[config_key].session_secret, request.cookies.get(sessions.COOKIE))


def _url(request: web.Request, name: str, **parts: str) -> str:
    return str(request.app.router[name].url_for(**parts))


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[templates_key].get_template(template).render(
        url=lambda name, **parts: _url(request, name, **{k: str(v) for k, v in parts.items()}), **context)
    return web.Response(text=html, content_type="text/html", status=status)


def _redirect(location: str) -> web.Response:
    """A redirect that can carry a cookie (raised HTTPFound cannot be returned with one cleanly)."""
    return web.Response(status=303, headers={"Location": location})


def _set_cookie(response: web.StreamResponse, value: str, path: str) -> None:
    response.set_cookie(sessions.COOKIE, value, httponly=True, samesite="Lax", path=path,
                        max_age=sessions.LIFETIME_SECONDS)


def _cookie_path(request: web.Request) -> str:
    return _url(request, "queue")


def coach_required(json: bool = False):
    """Views for signed-in coaches only: others are sent to sign in (pages) or get 401 (JSON)."""
    def decorate(view):
        async def guarded(request: web.Request) -> web.StreamResponse:
            desk_session = _session(request)
            if desk_session is None or not desk_session.coach:
                if json:
                    raise web.HTTPUnauthorized(text='{"error": "sign in first"}', content_type="application/json")
                raise web.HTTPFound(_url(request, "login"))
            if request.method == "POST":
                form = await request.post()
                if not sessions.csrf_ok(desk_session, form.get("csrf")):
                    raise web.HTTPForbidden(text="This form has expired; reload the page and try again.")
                request["form"] = form
            request["desk_session"] = desk_session
            return await view(request)
        return guarded
    return decorate


async def login_page(request: web.Request, error: Optional[str] = None) -> web.Response:
    # An anonymous session carries the CSRF token of the sign-in form itself.
    cookie = sessions.issue(request.app[config_key].session_secret, "")
    anonymous = sessions.read(request.app[config_key].session_secret, cookie)
    response = _render(request, "login.html", status=401 if error else 200, csrf=anonymous.csrf, error=error)
    _set_cookie(response, cookie, _cookie_path(request))
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    anonymous = _session(request)
    if anonymous is None or not sessions.csrf_ok(anonymous, form.get("csrf")):
        raise web.HTTPForbidden(text="This form has expired; reload the page and try again.")
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    config = request.app[config_key]
    with make_session(config.database_url) as session, session.begin():
        if not handoffs.verify_coach(session, username, password):
            logger.warning("failed sign-in for %r", username)
            return await login_page(request, error="That username and password don't match.")
        handoffs.audit(session, username, "sign-in")
    response = _redirect(_url(request, "queue"))
    _set_cookie(response, sessions.issue(config.session_secret, username), _cookie_path(request))
    return response


@coach_required()
async def logout(request: web.Request) -> web.StreamResponse:
    response = _redirect(_url(request, "login"))
    response.del_cookie(sessions.COOKIE, path=_cookie_path(request))
    return response


def _queue_rows(request: web.Request) -> list:
    with make_session(request.app[config_key].database_url) as session:
        return handoffs.queue(session)


@coach_required()
async def queue_page(request: web.Request) -> web.Response:
    return _render(request, "queue.html", coach=request["desk_session"].coach, csrf=request["desk_session"].csrf,
                   queue=_queue_rows(request))


@coach_required(json=True)
async def queue_json(request: web.Request) -> web.Response:
    return web.json_response([
        {"id": h.id, "channel": h.channel, "reason": h.reason, "status": h.status, "claimed_by": h.claimed_by,
         "waiting_minutes": int(h.waiting_seconds // 60), "last_message": h.last_learner_message,
         "url": _url(request, "handoff", id=str(h.id))}
        for h in _queue_rows(request)])


def _handoff_or_404(session, handoff_id: int) -> handoffs.HandoffView:
    handoff = handoffs.handoff_by_id(session, handoff_id)
    if handoff is None:
        raise web.HTTPNotFound(text="No such handoff.")
    return handoff


def _message_json(message: handoffs.MessageView) -> Dict[str, Any]:
    return {"id": message.id, "role": message.role, "author": message.author, "text": message.text,
            "at": message.created_at.isoformat()}


@coach_required()
async def handoff_page(request: web.Request) -> web.Response:
    handoff_id = int(request.match_info["id"])
    with make_session(request.app[config_key].database_url) as session:
        handoff = _handoff_or_404(session, handoff_id)
        transcript = handoffs.messages(session, handoff_id)
    return _render(request, "handoff.html", coach=request["desk_session"].coach, csrf=request["desk_session"].csrf,
                   handoff=handoff, transcript=transcript, notice=request.query.get("notice"))


@coach_required(json=True)
async def handoff_messages(request: web.Request) -> web.Response:
    handoff_id = int(request.match_info["id"])
    after = int(request.query.get("after", "0") or 0)
    with make_session(request.app[config_key].database_url) as session:
        handoff = _handoff_or_404(session, handoff_id)
        new = handoffs.messages(session, handoff_id, after_id=after)
    return web.json_response({"status": handoff.status, "messages": [_message_json(m) for m in new]})


async def _push(request: web.Request, sender_id: str, action: str) -> Optional[str]:
    """Ask Rasa to deliver to the learner; returns a notice for the coach when it could not."""
    config = request.app[config_key]
    try:
        await run_action(request.app[http_key], config.rasa_url, config.rasa_token, sender_id, action)
    except RasaUnavailable:
        return "Saved, but the assistant could not be reached: the learner will see it once it is back."
    return None


def _back(request: web.Request, handoff_id: int, notice: Optional[str] = None) -> web.HTTPFound:
    location = _url(request, "handoff", id=str(handoff_id))
    return web.HTTPFound(location + (f"?notice={notice}" if notice else ""))


@coach_required()
async def claim(request: web.Request) -> web.StreamResponse:
    handoff_id = int(request.match_info["id"])
    with make_session(request.app[config_key].database_url) as session, session.begin():
        _handoff_or_404(session, handoff_id)
        handoffs.claim_handoff(session, handoff_id, request["desk_session"].coach)
    raise _back(request, handoff_id)


@coach_required()
async def reply(request: web.Request) -> web.StreamResponse:
    handoff_id = int(request.match_info["id"])
    text = str(request["form"].get("text", "")).strip()
    if not text:
        raise _back(request, handoff_id, "Type a message first.")
    coach = request["desk_session"].coach
    with make_session(request.app[config_key].database_url) as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        if handoff.status not in handoffs.ACTIVE:
            raise _back(request, handoff_id, "This handoff is closed.")
        handoffs.add_message(session, handoff_id, "coach", text[:4000], author=coach)
        handoffs.audit(session, coach, "reply", handoff_id)
    raise _back(request, handoff_id, await _push(request, handoff.sender_id, "action_deliver_coach_messages"))


@coach_required()
async def close(request: web.Request) -> web.StreamResponse:
    handoff_id = int(request.match_info["id"])
    with make_session(request.app[config_key].database_url) as session, session.begin():
        handoff = _handoff_or_404(session, handoff_id)
        handoffs.close_handoff(session, handoff_id, request["desk_session"].coach)
    raise _back(request, handoff_id, await _push(request, handoff.sender_id, "action_handoff_closed"))
