"""The website's aiohttp application: one landing page, its script and the chat widget's bundle."""
from pathlib import Path

import jinja2
from aiohttp import web

from channels.config import ServerConfig
from channels.desk.app import refuse_large_bodies

HERE = Path(__file__).parent
# rasa-webchat's prebuilt browser bundle, installed by `npm ci` from the pinned lock file.
WIDGET_BUNDLE = HERE / "node_modules" / "rasa-webchat" / "lib"
site_config_key = web.AppKey("site_config", ServerConfig)
site_templates_key = web.AppKey("site_templates", jinja2.Environment)


async def home(request: web.Request) -> web.Response:
    config = request.app[site_config_key]
    html = request.app[site_templates_key].get_template("home.html").render(socket_url=config.chat_socket_url)
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {config.chat_socket_url} {config.chat_socket_url.replace('http', 'ws', 1)}; "
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def create_site_app(config: ServerConfig) -> web.Application:
    # It takes no uploads at all; the desk's forms are small too.
    app = web.Application(client_max_size=64 * 1024, middlewares=[refuse_large_bodies])
    app[site_config_key] = config
    app[site_templates_key] = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app.router.add_get("/", home, name="home")
    app.router.add_static("/static/", HERE / "static", name="static")
    if WIDGET_BUNDLE.is_dir():
        app.router.add_static("/widget/", WIDGET_BUNDLE, name="widget")
    return app
