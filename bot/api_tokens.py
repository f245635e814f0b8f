"""The checks every JWT given to Rasa's HTTP API passes before Rasa's own (sanic-jwt's) look at it.

Rasa hands its tokens to sanic-jwt, which allows three minutes past a token's expiry, accepts a
token without `exp` for ever, and answers 500 to a token signed with another algorithm (`none`
included) because PyJWT's error for it is not one sanic-jwt catches. Here a token must be an HS256
JWT signed with RASA_JWT_SECRET that expires, and has expired at most a few seconds ago (clocks
of the desk and Rasa may differ that much); anything else gets 401 before Rasa sees it.
"""
from typing import Awaitable, Callable, Optional

import jwt
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
# The chat channels have their own secrets (Slack's signature, Telegram's header) and never take a JWT.
CHANNEL_PATHS = ("/webhooks/", "/socket.io")


def token_refusal(authorization: str, secret: str) -> Optional[str]:
    """Why an Authorization header must be refused, or None when its token passes."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token.strip():
        return "The Authorization header must be 'Bearer <token>'."
    try:
        jwt.decode(token.strip(), secret, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
                   options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        return "The token has expired."
    except jwt.MissingRequiredClaimError:
        return "The token must expire (an `exp` claim)."
    except jwt.InvalidTokenError:  # a wrong signature or algorithm, or not a JWT at all
        return "The token is not valid."
    return None


def token_check(secret: str) -> Callable[[Request], Awaitable[Optional[HTTPResponse]]]:
    """A request middleware answering 401 to an API request whose token does not pass."""
    async def check(request: Request) -> Optional[HTTPResponse]:
        authorization = request.headers.get("Authorization")
        if authorization is None or request.path.startswith(CHANNEL_PATHS):
            return None  # Rasa itself refuses a call without a token to any route that needs one
        reason = token_refusal(authorization, secret)
        if reason is None:
            return None
        return response.json({"status": "failure", "reason": "NotAuthenticated", "message": reason, "code": 401},
                             status=401)
    return check
