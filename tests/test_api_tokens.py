"""The token checks in front of Rasa's HTTP API: HS256, signed with the secret, expiring, little leeway."""
import base64
import json
import time

import jwt
import pytest

from bot.api_tokens import LEEWAY_SECONDS, token_refusal

SECRET = "s" * 40
USER = {"user": {"username": "coach-desk", "role": "admin"}}


def bearer(claims: dict, key=SECRET, algorithm: str = "HS256") -> str:
    return "Bearer " + jwt.encode(claims, key, algorithm=algorithm)


def forged_header(claims: dict, header: dict) -> str:
    """A token whose header claims `header`, with the body and an HS256 signature of the secret."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    real = jwt.encode(claims, SECRET, algorithm="HS256").rsplit(".", 1)[1]
    return f"Bearer {part(header)}.{part(claims)}.{real}"


def test_a_fresh_token_passes():
    assert token_refusal(bearer({**USER, "exp": int(time.time()) + 60}), SECRET) is None


def test_a_token_expired_within_the_leeway_passes_and_one_expired_longer_is_refused():
    now = int(time.time())
    assert token_refusal(bearer({**USER, "exp": now - LEEWAY_SECONDS + 2}), SECRET) is None
    assert token_refusal(bearer({**USER, "exp": now - LEEWAY_SECONDS - 2}), SECRET) == "The token has expired."
    assert token_refusal(bearer({**USER, "exp": now - 60}), SECRET) == "The token has expired."  # sanic-jwt: 180 s


def test_a_token_that_never_expires_is_refused():
    assert token_refusal(bearer(USER), SECRET) == "The token must expire (an `exp` claim)."


@pytest.mark.parametrize("authorization", [
    bearer({**USER, "exp": int(time.time()) + 60}, key=None, algorithm="none"),
    bearer({**USER, "exp": int(time.time()) + 60}, algorithm="HS512"),
    bearer({**USER, "exp": int(time.time()) + 60}, algorithm="HS384"),
    forged_header({**USER, "exp": int(time.time()) + 60}, {"alg": "RS256", "typ": "JWT"}),
    forged_header({**USER, "exp": int(time.time()) + 60}, {"alg": "none", "typ": "JWT"}),
    bearer({**USER, "exp": int(time.time()) + 60}, key="another-secret-" + "x" * 30),
    "Bearer not.a.token",
    "Bearer ",
    "Basic Y29hY2g6cGFzc3dvcmQ=",
    jwt.encode({**USER, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256"),  # without "Bearer"
])
def test_other_algorithms_wrong_signatures_and_malformed_headers_are_refused(authorization):
    assert token_refusal(authorization, SECRET) is not None
