"""The desk's accounts and saved replies: admins create, deactivate, reset and promote coaches and
manage saved replies; every coach sets their own password and duty. Thin views over desk_access and
saved_replies; every change is in the audit log with who made it."""
import asyncio
import logging
import re
from typing import Optional

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from channels.desk import sessions
from channels.desk.keys import config_key, db_key, hashing_key
from channels.desk.views import (
    _form_csrf,
    _redirect,
    _set_cookie,
    _url,
    coach_required,
    login_page,
    page,
    render,
)
from handoff_db import desk_access, handoffs, saved_replies

logger = logging.getLogger(__name__)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}")


def _coaches_page(request: web.Request, notice: Optional[str] = None, created_link: Optional[str] = None,
                  temporary: Optional[str] = None, status: int = 200) -> web.Response:
    with request.app[db_key]() as session:
        everyone = desk_access.coaches(session)
    return page(request, "coaches.html", status=status, coaches=everyone, notice=notice, created_link=created_link,
                temporary=temporary)


@coach_required(admin=True)
async def coaches_page(request: web.Request) -> web.Response:
    return _coaches_page(request, notice=request.query.get("notice"))


def _details(form) -> "tuple[Optional[str], Optional[str]]":
    display_name = str(form.get("display_name", "")).strip()[:100] or None
    email = str(form.get("email", "")).strip()[:200] or None
    if email and not EMAIL.fullmatch(email):
        raise ValueError("That e-mail address does not look right.")
    return display_name, email


def _link(request: web.Request, token: str) -> str:
    return request.app[config_key].public_url.rstrip("/") + _url(request, "welcome") + "?token=" + token


async def _hashed(request: web.Request, work):
    """Account changes that hash a password run in the hashing thread, like sign-in."""
    return await asyncio.get_running_loop().run_in_executor(request.app[hashing_key], work)


@coach_required(admin=True)
async def create_coach(request: web.Request) -> web.Response:
    """A new coach, with a one-time set-password link (the default) or a temporary password, shown once."""
    form, admin = request["form"], request["desk_session"].coach
    username = str(form.get("username", "")).strip().lower()
    if not re.fullmatch(desk_access.USERNAME, username):
        return _coaches_page(request, status=400, notice="A username is 2 to 40 lowercase letters, digits, dots, "
                                                         "dashes or underscores.")
    try:
        display_name, email = _details(form)
    except ValueError as error:
        return _coaches_page(request, status=400, notice=str(error))
    with_link = form.get("password") != "temporary"

    def create() -> str:
        with request.app[db_key]() as session, session.begin():
            desk_access.create_coach(session, username, None, admin=form.get("admin") == "yes",
                                     display_name=display_name, email=email)
            handoffs.audit(session, admin, f"coach created: {username}"[:100])
            if with_link:
                return desk_access.issue_password_link(session, username, admin)
            return desk_access.set_temporary_password(session, username, admin)
    try:
        secret = await _hashed(request, create)
    except IntegrityError:
        return _coaches_page(request, status=409, notice=f"A coach called {username} already exists.")
    logger.info("%s created the coach account %s", admin, username)
    if with_link:
        return _coaches_page(request, notice=f"Created {username}. Send them this link (it works once, for "
                                             f"{desk_access.PASSWORD_LINK_HOURS} hours):",
                             created_link=_link(request, secret))
    return _coaches_page(request, notice=f"Created {username}. Their temporary password (shown only now; they "
                                         "choose their own at first sign-in):", temporary=secret)


# What each button on a coach's row does: (function of desk_access, its arguments, the notice).
CHANGES = {
    "deactivate": (desk_access.set_active, (False,), "{name} can no longer sign in; their sessions ended."),
    "activate": (desk_access.set_active, (True,), "{name} can sign in again."),
    "grant_admin": (desk_access.set_admin, (True,), "{name} is now an admin."),
    "revoke_admin": (desk_access.set_admin, (False,), "{name} is no longer an admin."),
}


@coach_required(admin=True)
async def change_coach(request: web.Request) -> web.Response:
    """One change to a coach's account: deactivate or activate, admin or not, details, or a password reset."""
    form, admin = request["form"], request["desk_session"].coach
    username, change = request.match_info["username"], str(form.get("change", ""))
    if username == admin and change in ("deactivate", "revoke_admin"):
        return _coaches_page(request, status=400, notice="You cannot lock yourself out: ask another admin.")
    try:
        if change in CHANGES:
            function, arguments, notice = CHANGES[change]
            with request.app[db_key]() as session, session.begin():
                function(session, username, *arguments, by=admin)
            return _coaches_page(request, notice=notice.format(name=username))
        if change == "details":
            display_name, email = _details(form)
            with request.app[db_key]() as session, session.begin():
                desk_access.set_details(session, username, display_name, email, by=admin)
            return _coaches_page(request, notice=f"Saved {username}'s details.")
        if change in ("reset_link", "reset_temporary"):
            def reset() -> str:
                with request.app[db_key]() as session, session.begin():
                    if change == "reset_link":
                        return desk_access.issue_password_link(session, username, admin)
                    return desk_access.set_temporary_password(session, username, admin)
            secret = await _hashed(request, reset)
            if change == "reset_link":
                return _coaches_page(request, notice=f"{username}'s password no longer works. Send them this link "
                                                     "to choose a new one:", created_link=_link(request, secret))
            return _coaches_page(request, notice=f"{username}'s temporary password (shown only now):", temporary=secret)
    except LookupError:
        raise web.HTTPNotFound(text="No such coach.") from None
    except ValueError as error:
        return _coaches_page(request, status=400, notice=str(error))
    raise web.HTTPBadRequest(text="No such change.")


@coach_required()
async def set_duty(request: web.Request) -> web.StreamResponse:
    """A coach on duty is e-mailed about new handoffs (SMTP_URL), when they gave an address."""
    on_duty = request["form"].get("on_duty") == "yes"
    with request.app[db_key]() as session, session.begin():
        desk_access.set_on_duty(session, request["desk_session"].coach, on_duty)
    raise web.HTTPFound(_url(request, "queue"))


# ---- passwords: a coach's own, and the one-time link ----------------------------------------------


def _password_form(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    return page(request, "password.html", status=status, error=error,
                forced=request["desk_session"].must_change_password)


@coach_required()
async def password_page(request: web.Request) -> web.Response:
    return _password_form(request)


@coach_required()
async def change_password(request: web.Request) -> web.StreamResponse:
    """A coach's new password (a temporary one must be replaced first); every other session ends."""
    form, coach = request["form"], request["desk_session"].coach
    new, again = str(form.get("password", "")), str(form.get("again", ""))
    if new != again:
        return _password_form(request, "The two passwords differ.", 400)
    current = str(form.get("current", ""))

    def change() -> Optional[str]:
        with request.app[db_key]() as session:
            stored = desk_access.password_hash(session, coach)
        if not desk_access.password_matches(stored, current):
            return "Your current password is not right."
        with request.app[db_key]() as session, session.begin():
            desk_access.set_password(session, coach, new)
            token = desk_access.start_session(session, coach)
        request["new_session"] = token
        return None
    try:
        error = await _hashed(request, change)
    except ValueError as problem:
        error = str(problem)
    if error:
        return _password_form(request, error, 400)
    response = _redirect(_url(request, "queue"))
    _set_cookie(request, response, sessions.SESSION_COOKIE, request["new_session"], desk_access.SESSION_HOURS * 3600)
    return response


async def welcome_page(request: web.Request) -> web.Response:
    return _welcome(request, request.query.get("token", ""))


def _welcome(request: web.Request, token: str, error: Optional[str] = None, status: int = 200) -> web.Response:
    """The page a set-password link opens: not signed in, so the form's CSRF token is the sign-in form's."""
    with request.app[db_key]() as session:
        username = desk_access.password_link_coach(session, token)
    if username is None:
        return render(request, "welcome.html", status=410, username=None, coach=None)
    csrf, cookie = sessions.issue_form_token(request.app[config_key].session_secret)
    response = render(request, "welcome.html", status=status, username=username, token=token, csrf=csrf, error=error,
                      coach=None)
    _set_cookie(request, response, sessions.LOGIN_COOKIE, cookie, sessions.LOGIN_SECONDS)
    return response


async def use_welcome_link(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    if not sessions.csrf_ok(_form_csrf(request), form.get("csrf")):
        raise web.HTTPForbidden(text="This form has expired; reload the page and try again.")
    token, new, again = str(form.get("token", "")), str(form.get("password", "")), str(form.get("again", ""))
    if new != again:
        return _welcome(request, token, "The two passwords differ.", 400)

    def use() -> str:
        with request.app[db_key]() as session, session.begin():
            return desk_access.use_password_link(session, token, new)
    try:
        username = await _hashed(request, use)
    except LookupError:
        return _welcome(request, token)
    except ValueError as error:
        return _welcome(request, token, str(error), 400)
    logger.info("%s set their password with a one-time link", username)
    return await login_page(request, error=None)


# ---- saved replies ---------------------------------------------------------------------------------


def _saved_page(request: web.Request, notice: Optional[str] = None, status: int = 200) -> web.Response:
    with request.app[db_key]() as session:
        replies = saved_replies.saved_replies(session)
    return page(request, "saved_replies.html", status=status, replies=replies, notice=notice)


@coach_required()
async def saved_replies_page(request: web.Request) -> web.Response:
    """Every coach reads them (and inserts them on a handoff); admins change them here."""
    return _saved_page(request, notice=request.query.get("notice"))


@coach_required(admin=True)
async def save_reply(request: web.Request) -> web.Response:
    form = request["form"]
    reply_id = int(request.match_info["id"]) if "id" in request.match_info else None
    try:
        with request.app[db_key]() as session, session.begin():
            if form.get("delete") == "yes" and reply_id is not None:
                saved_replies.remove(session, reply_id, request["desk_session"].coach)
                notice = "Deleted."
            else:
                saved_replies.save(session, str(form.get("shortcut", "")), str(form.get("title", "")),
                                   str(form.get("text", "")), request["desk_session"].coach, reply_id)
                notice = "Saved."
    except ValueError as error:
        return _saved_page(request, notice=str(error), status=400)
    return _saved_page(request, notice=notice)
