"""Starts the Rasa server as `rasa run` would, with its secret from the environment, not the command line.

`python -m bot.rasa_server` (what `make run` starts). Differences from `rasa run --enable-api`:
- The HTTP API takes only a JWT in the Authorization header, signed with RASA_JWT_SECRET: a token
  on the command line shows in `ps`, and one in a query string lands in access logs.
- Conversation IDs in API paths are percent-decoded. Callers encode them (an ID may hold `/`,
  `..`, `?`, `#`); Sanic 21 would leave `rest%3Ame` as it is and find no such conversation.
- Request bodies are capped at MAX_BODY_BYTES (Sanic's default is 100 MB); the chat channels cap
  theirs lower (channels/limits.py).
"""
import argparse
import logging
import os
import sys
from typing import Optional, Sequence
from urllib.parse import unquote

from sanic import Sanic
from sanic.request import Request

MAX_BODY_BYTES = 1024 * 1024


async def decode_conversation_id(request: Request) -> None:
    if "conversation_id" in request.match_info:
        request.match_info["conversation_id"] = unquote(request.match_info["conversation_id"])


async def add_middleware(app: Sanic, _loop: object) -> None:
    app.register_middleware(decode_conversation_id, "request")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rasa_server", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--interface", default=os.environ.get("RASA_HOST", "0.0.0.0"))
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--cors", nargs="*", default=os.environ.get("WEB_ORIGIN", "").split() or None)
    args = parser.parse_args(argv)
    secret = os.environ.get("RASA_JWT_SECRET", "")
    if len(secret) < 32:
        print("RASA_JWT_SECRET must hold at least 32 characters: refusing to open the HTTP API.", file=sys.stderr)
        return 2
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))  # Sanic reads SANIC_* on creation

    import rasa.core.run
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.INFO)
    rasa.core.run.serve_application(
        model_path=args.model, credentials=args.credentials, endpoints=AvailableEndpoints.read_endpoints(args.endpoints),
        interface=args.interface, port=args.port, cors=args.cors, enable_api=True,
        jwt_secret=secret, jwt_method="HS256", server_listeners=[(add_middleware, "before_server_start")],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
