"""Every route of the coach desk, with its name, in one place."""
from pathlib import Path

from aiohttp import web

from channels.desk import views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.queue_page, name="queue")
    app.router.add_get("/queue.json", views.queue_json, name="queue_json")
    app.router.add_get("/login", views.login_page, name="login")
    app.router.add_post("/login", views.login, name="login_post")
    app.router.add_post("/logout", views.logout, name="logout")
    app.router.add_get("/handoffs/{id:\\d+}", views.handoff_page, name="handoff")
    app.router.add_get("/handoffs/{id:\\d+}/messages", views.handoff_messages, name="handoff_messages")
    app.router.add_post("/handoffs/{id:\\d+}/claim", views.claim, name="claim")
    app.router.add_post("/handoffs/{id:\\d+}/reply", views.reply, name="reply")
    app.router.add_post("/handoffs/{id:\\d+}/close", views.close, name="close")
    app.router.add_post("/handoffs/{id:\\d+}/reassign", views.reassign, name="reassign")
    app.router.add_static("/static/", Path(__file__).parent / "static", name="static")
