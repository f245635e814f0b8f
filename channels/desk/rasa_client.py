"""The desk's only way into Rasa: its HTTP API, with the token from configuration."""
import logging

import aiohttp

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not take the request; what the coach did is stored and will show on the next push."""


async def run_action(client: aiohttp.ClientSession, rasa_url: str, token: str, sender_id: str, action: str) -> None:
    """Run an action in the learner's conversation and send its messages to their latest channel."""
    url = f"{rasa_url.rstrip('/')}/conversations/{sender_id}/execute"
    try:
        async with client.post(url, params={"output_channel": "latest", "token": token}, json={"name": action},
                               timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status >= 400:
                raise RasaUnavailable(f"Rasa answered {response.status}: {(await response.text())[:200]}")
    except (aiohttp.ClientError, TimeoutError) as error:
        logger.error("could not run %s for %s: %s", action, sender_id, error)
        raise RasaUnavailable(str(error)) from error
