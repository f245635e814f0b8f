"""Every route of the coach desk, with its name, in one place."""
from pathlib import Path

from aiohttp import web

from channels.desk import account_views, answer_views, catalog_views, training_views, views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.queue_page, name="queue")
    app.router.add_get("/queue.json", views.queue_json, name="queue_json")
    app.router.add_get("/alerts.json", views.alerts_json, name="alerts_json")
    app.router.add_get("/login", views.login_page, name="login")
    app.router.add_post("/login", views.login, name="login_post")
    app.router.add_post("/logout", views.logout, name="logout")
    app.router.add_get("/handoffs", views.search_page, name="search")
    app.router.add_get("/handoffs/{id:\\d+}", views.handoff_page, name="handoff")
    app.router.add_get("/handoffs/{id:\\d+}/messages", views.handoff_messages, name="handoff_messages")
    app.router.add_post("/handoffs/{id:\\d+}/claim", views.claim, name="claim")
    app.router.add_post("/handoffs/{id:\\d+}/assign", views.assign, name="assign")
    app.router.add_post("/handoffs/{id:\\d+}/reply", views.reply, name="reply")
    app.router.add_post("/handoffs/{id:\\d+}/notes", views.note, name="note")
    app.router.add_post("/handoffs/{id:\\d+}/close", views.close, name="close")
    app.router.add_post("/handoffs/{id:\\d+}/reopen", views.reopen, name="reopen")
    app.router.add_get("/saved-replies", account_views.saved_replies_page, name="saved_replies")
    app.router.add_post("/saved-replies", account_views.save_reply, name="saved_reply_add")
    app.router.add_post("/saved-replies/{id:\\d+}", account_views.save_reply, name="saved_reply_change")
    app.router.add_get("/coaches", account_views.coaches_page, name="coaches")
    app.router.add_post("/coaches", account_views.create_coach, name="coach_add")
    app.router.add_post("/coaches/{username}", account_views.change_coach, name="coach_change")
    app.router.add_post("/duty", account_views.set_duty, name="duty")
    app.router.add_get("/password", account_views.password_page, name="password")
    app.router.add_post("/password", account_views.change_password, name="password_post")
    app.router.add_get("/welcome", account_views.welcome_page, name="welcome")
    app.router.add_post("/welcome", account_views.use_welcome_link, name="welcome_post")
    app.router.add_get("/catalog", catalog_views.catalog_page, name="catalog")
    app.router.add_get("/catalog/new", catalog_views.new_program_page, name="program_new")
    app.router.add_post("/catalog/new", catalog_views.save_program, name="program_add")
    app.router.add_get("/catalog/export", catalog_views.export_page, name="catalog_export")
    app.router.add_post("/catalog/import", catalog_views.import_catalog, name="catalog_import")
    app.router.add_get("/catalog/programs/{slug}", catalog_views.program_page, name="program")
    app.router.add_post("/catalog/programs/{slug}", catalog_views.save_program, name="program_change")
    app.router.add_post("/catalog/programs/{slug}/retire", catalog_views.retire_program, name="program_retire")
    app.router.add_get("/answers", answer_views.answers_page, name="answers")
    app.router.add_get("/answers/{response}", answer_views.answer_page, name="answer")
    app.router.add_post("/answers/{response}", answer_views.save_answer, name="answer_save")
    app.router.add_post("/answers/{response}/revert", answer_views.revert_answer, name="answer_revert")
    training_views.setup_routes(app)
    app.router.add_static("/static/", Path(__file__).parent / "static", name="static")
