"""The web server `make run` starts on port 8080: the website at /, the coach desk at /desk/."""
import logging
import sys

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from channels import log_privacy
from channels.config import ServerConfig
from channels.desk.app import create_desk_app
from channels.website.app import create_site_app


class PathOnlyAccessLog(AbstractAccessLogger):
    """Requests logged without their query string: a desk search (`?q=`) holds what a learner wrote, a
    set-password link its one-time token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s \"%s %s\" %s %.3fs", request.remote, request.method, request.path, response.status, time)


def create_app(config: ServerConfig) -> web.Application:
    app = create_site_app(config)
    app.add_subapp("/desk/", create_desk_app(config))
    return app


def main() -> int:
    log_privacy.configure()
    try:
        config = ServerConfig.from_env()
        app = create_app(config)
    except ValueError as error:  # a malformed or missing setting, named in the message
        logging.getLogger(__name__).error("%s", error)
        return 2
    web.run_app(app, host="0.0.0.0", port=config.port, access_log_class=PathOnlyAccessLog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
