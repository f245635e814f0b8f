"""Starts the Rasa server as `rasa run` would, with its secret from the environment, not the command line.

`python -m bot.rasa_server` (what `make run` starts). Differences from `rasa run --enable-api`:
- The HTTP API takes only a JWT in the Authorization header, signed with RASA_JWT_SECRET: a token
  on the command line shows in `ps`, and one in a query string lands in access logs. The token must
  be HS256 and expire, with a few seconds of leeway, not sanic-jwt's three minutes (bot/api_tokens.py).
- Conversation IDs in API paths are percent-decoded. Callers encode them (an ID may hold `/`,
  `..`, `?`, `#`); Sanic 21 would leave `rest%3Ame` as it is and find no such conversation.
- Request bodies are capped at MAX_BODY_BYTES (Sanic's default is 100 MB); the chat channels cap
  theirs lower (channels/limits.py).
- A message asking several questions is read one question at a time too (bot/question_processor.py).
- Its logs hold no learner text at INFO: Rasa's structured DEBUG lines (parse data, slots, events)
  stay out, and e-mail addresses and phone numbers are masked in any line (channels/log_privacy.py).
- With a model server in the endpoints file (the desk serves the model trained there), the model given
  by --model is served until the desk first answers, rather than none (Rasa's own behaviour), and a
  pulled model is loaded in a worker thread, so chat goes on meanwhile (bot/model_pulling.py).
- A call to the action server gives up after ACTION_TIMEOUT seconds (Rasa's own limit is 5
  minutes), and Rasa refuses to start when a turn of that many slow actions could outlive its
  conversation's lock (TICKET_LOCK_LIFETIME): several replicas would then run one conversation at
  once. The learner gets the "something went wrong" reply instead (bot/policies/reply_guard.py).
- Each action server response is checked against Rasa's schema by a validator built once
  (bot/action_response_check.py), not one rebuilt and checked itself at every call.
"""
import argparse
import logging
import os
import sys
from typing import Any, Awaitable, Callable, Optional, Sequence
from urllib.parse import unquote

from sanic import Sanic
from sanic.request import Request

from bot import api_tokens
from bot.actions.settings import DEFAULT_ACTION_TIMEOUT
from channels import log_privacy

MAX_BODY_BYTES = 1024 * 1024
# What a turn spends outside custom actions (NLU, policies, the tracker store), with room for a
# loaded machine: 20 users at once on two cores answer within 2 s (README.md, "Measured").
TURN_MARGIN_SECONDS = 10.0


def lock_outlives_turn(lock_lifetime: float, action_timeout: float, max_predictions: int) -> bool:
    """True when a turn of `max_predictions` custom actions, each cut off at `action_timeout`, ends
    within the lock's lifetime (Rasa lets the next message in once its ticket has expired)."""
    return max_predictions * action_timeout + TURN_MARGIN_SECONDS <= lock_lifetime


async def decode_conversation_id(request: Request) -> None:
    if "conversation_id" in request.match_info:
        request.match_info["conversation_id"] = unquote(request.match_info["conversation_id"])


def middleware_for(secret: str) -> Callable[[Sanic, Any], Awaitable[None]]:
    """A listener adding ours to Rasa's app: the token checks first, then the ID decoding."""
    async def add_middleware(app: Sanic, _loop: Any) -> None:
        app.register_middleware(api_tokens.token_check(secret), "request")
        app.register_middleware(decode_conversation_id, "request")
    return add_middleware


def local_model_fallback(model_path: str) -> Callable[[Sanic, Any], Awaitable[None]]:
    """A listener loading the local model when the model server gave none at start (the desk was not
    up yet, or is down): Rasa then pulls again every few seconds, and replaces it once the desk answers.
    Its fingerprint is given as the desk's ETag names it, so the same model is not fetched again."""
    async def load_if_none(app: Sanic, _loop: Any) -> None:
        agent = app.ctx.agent
        if agent.is_ready() or not agent.model_server or not os.path.exists(model_path):
            return
        from rasa.engine.storage.local_model_storage import LocalModelStorage

        model_id = LocalModelStorage.metadata_from_archive(model_path).model_id
        logging.getLogger(__name__).warning("no model from the model server yet: serving %s until it answers",
                                            model_path)
        agent.load_model(model_path, fingerprint=f'"{model_id}"')
    return load_if_none


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rasa_server", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--interface", default=os.environ.get("RASA_HOST", "0.0.0.0"))
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS") or "endpoints.yml")
    parser.add_argument("--action-timeout", type=float,
                        default=float(os.environ.get("ACTION_TIMEOUT") or DEFAULT_ACTION_TIMEOUT))
    parser.add_argument("--cors", nargs="*", default=os.environ.get("WEB_ORIGIN", "").split() or None)
    args = parser.parse_args(argv)
    secret = os.environ.get("RASA_JWT_SECRET", "")
    if len(secret) < 32:
        print("RASA_JWT_SECRET must hold at least 32 characters: refusing to open the HTTP API.", file=sys.stderr)
        return 2
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))  # Sanic reads SANIC_* on creation

    import rasa.core.actions.action
    import rasa.core.agent
    import rasa.core.run
    from rasa.core.lock_store import LOCK_LIFETIME  # TICKET_LOCK_LIFETIME, read by Rasa
    from rasa.core.processor import MAX_NUMBER_OF_PREDICTIONS  # MAX_NUMBER_OF_PREDICTIONS, read by Rasa
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    if not lock_outlives_turn(LOCK_LIFETIME, args.action_timeout, MAX_NUMBER_OF_PREDICTIONS):
        print(f"TICKET_LOCK_LIFETIME ({LOCK_LIFETIME} s) must be at least MAX_NUMBER_OF_PREDICTIONS "
              f"({MAX_NUMBER_OF_PREDICTIONS}) x ACTION_TIMEOUT ({args.action_timeout:g} s) + {TURN_MARGIN_SECONDS:g} s, "
              "or a slow turn outlives its conversation's lock.", file=sys.stderr)
        return 2
    # RemoteAction passes this module constant as each call's timeout; Rasa offers no setting.
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = args.action_timeout
    # The agent builds its processor from this name; Rasa offers no setting for it either.
    from bot.question_processor import QuestionReadingProcessor

    rasa.core.agent.MessageProcessor = QuestionReadingProcessor
    from bot import action_response_check

    action_response_check.install()
    # A model pulled from the desk is loaded in a worker thread, not on the event loop (bot/model_pulling.py).
    from bot import model_pulling

    model_pulling.install()

    log_privacy.configure()
    configure_logging_and_warnings(logging.INFO)
    # Rasa logs parse data, slot values and events through structlog at DEBUG; unconfigured, structlog
    # prints every level. Configured, it goes through logging (and log_privacy) at INFO and above.
    configure_structlog(logging.INFO)
    rasa.core.run.serve_application(
        model_path=args.model, credentials=args.credentials, endpoints=AvailableEndpoints.read_endpoints(args.endpoints),
        interface=args.interface, port=args.port, cors=args.cors, enable_api=True,
        jwt_secret=secret, jwt_method=api_tokens.ALGORITHM,
        server_listeners=[(middleware_for(secret), "before_server_start"),
                          (local_model_fallback(args.model), "after_server_start")],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
