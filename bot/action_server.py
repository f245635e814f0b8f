"""Starts the action server: rasa-sdk's app on 127.0.0.1, refusing calls without Rasa's shared secret.

`python -m bot.action_server` (what `make run` starts). rasa-sdk's own `rasa run actions` listens
on every interface and answers anyone: a forged tracker posted to /webhook could write into a
handoff. Here every route but /health needs the ACTION_SERVER_TOKEN that Rasa sends in the
X-Action-Token header (bot/endpoints.yml).
"""
import hmac
import logging
import sys

from rasa_sdk import endpoint
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.settings import ActionServerSettings, settings
from channels import log_privacy

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
# Rasa posts the whole tracker: a long conversation is some hundreds of kB.
MAX_BODY_BYTES = 8 * 1024 * 1024


def create_app(settings: ActionServerSettings) -> Sanic:
    if not settings.token:
        raise ValueError("ACTION_SERVER_TOKEN is empty: the action server will not answer without a shared secret")
    app = endpoint.create_app("bot.actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    @app.middleware("request")
    async def require_token(request: Request) -> "HTTPResponse | None":
        if request.path == "/health":
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if hmac.compare_digest(given.encode(), settings.token.encode()):
            return None
        logger.warning("Refused %s %s from %s: %s.", request.method, request.path, request.ip,
                       "wrong token" if given else f"no {TOKEN_HEADER}")
        return response.json({"error": f"missing or wrong {TOKEN_HEADER}"}, status=401)

    return app


def main() -> int:
    log_privacy.configure()
    try:  # the actions read the same object (bot/actions/settings.py)
        configured = settings()
        app = create_app(configured)
    except ValueError as error:
        logger.error("%s", error)
        return 2
    logger.info("Action server on http://%s:%s", configured.host, configured.port)
    app.run(host=configured.host, port=configured.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
