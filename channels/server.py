"""The web server `make run` starts on port 8080: the website at /, the coach desk at /desk/."""
import logging

from aiohttp import web

from channels.config import ServerConfig
from channels.desk.app import create_desk_app
from channels.website.app import create_site_app


def create_app(config: ServerConfig) -> web.Application:
    app = create_site_app(config)
    app.add_subapp("/desk/", create_desk_app(config))
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = ServerConfig.from_env()
    web.run_app(create_app(config), host="0.0.0.0", port=config.port)


if __name__ == "__main__":
    main()
