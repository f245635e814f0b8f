"""Rasa's model pulling (the endpoints file's `models:`), with a pulled model loaded in a worker thread.

Rasa 3.6 loads a model it pulled on its event loop (rasa/core/agent.py, `_update_model_from_server`):
for the 20 to 40 s a load takes, every conversation on that process waits, and requests time out.
This is that function with the load moved to a thread: the old model answers until the new one is
ready, then the agent switches to it (`Agent.load_model` sets the new processor in one assignment).
`install()` puts it in Rasa's place, where `load_from_server` and the pulling job look it up.
"""
import asyncio
import logging

import aiohttp
import rasa.core.agent
from rasa.core.agent import Agent, _load_and_set_updated_model, _pull_model_and_fingerprint
from rasa.nlu.utils import is_url
from rasa.utils.common import TempDirectoryPath, get_temp_dir_name
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


async def update_model_from_server(model_server: EndpointConfig, agent: Agent) -> None:
    """Pull the served model when its fingerprint changed, and load it off the event loop."""
    if not is_url(model_server.url):
        raise aiohttp.InvalidURL(model_server.url)
    with TempDirectoryPath(get_temp_dir_name()) as temporary_directory:
        try:
            fingerprint = await _pull_model_and_fingerprint(model_server, agent.fingerprint, temporary_directory)
            if fingerprint:
                logger.info("loading the model %s from the model server", fingerprint)
                await asyncio.to_thread(_load_and_set_updated_model, agent, temporary_directory, fingerprint)
                logger.info("now serving the model %s", fingerprint)
        except Exception:  # as Rasa's own: the model loaded before stays
            logger.exception("Failed to update the model; the previous model stays loaded.")


def install() -> None:
    rasa.core.agent._update_model_from_server = update_model_from_server
