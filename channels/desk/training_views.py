"""Retraining on the desk (admins) and the model server every Rasa process pulls from.

`/desk/training`: the served model, "Train now", the running job's progress, the last job's result
and the roll back. `/desk/model`: the served model for Rasa's model server endpoint (the endpoints
file's `models: url`), answered 304 while the fingerprint Rasa sends in If-None-Match is still the
served one; it takes only requests carrying MODEL_SERVER_TOKEN (X-Model-Token), as a model holds
what learners wrote.
"""
import asyncio
import hmac
import logging
import os
import time
import urllib.parse
from typing import Any, Dict, Optional, Tuple

from aiohttp import web

from channels.desk import model_store
from channels.desk.keys import config_key
from channels.desk.training import Busy, trainer_key
from channels.desk.views import _url, coach_required, page

logger = logging.getLogger(__name__)
CHUNK_BYTES = 1024 * 1024
TOKEN_HEADER = "X-Model-Token"


def _models(request: web.Request) -> Tuple[Optional[model_store.Model], Optional[model_store.Model], Dict[str, Any]]:
    config = request.app[config_key]
    return (model_store.served(config.model_store_dir, config.base_model_path),
            model_store.previous(config.model_store_dir), request.app[trainer_key].progress())


async def _training(request: web.Request, status: int = 200, refused: Optional[str] = None) -> web.Response:
    served, previous, job = await asyncio.to_thread(_models, request)
    return page(request, "training.html", status=status, served=served, previous=previous, job=job, refused=refused,
                notice=request.query.get("notice"), now=time.time())


@coach_required(admin=True)
async def training_page(request: web.Request) -> web.Response:
    return await _training(request)


@coach_required(admin=True)
async def train_now(request: web.Request) -> web.Response:
    try:
        await request.app[trainer_key].start(request["desk_session"].coach)
    except Busy:
        return await _training(request, status=409, refused=(
            "A training is already running, and one runs at a time. Its progress is below: "
            "start another when it has ended."))
    raise web.HTTPSeeOther(_url(request, "training"))


@coach_required(admin=True)
async def roll_back(request: web.Request) -> web.Response:
    try:
        served = await request.app[trainer_key].roll_back(request["desk_session"].coach)
    except ValueError as error:
        return await _training(request, status=409, refused=f"Not rolled back: {error}.")
    notice = urllib.parse.urlencode({"notice": f"Rolled back: model {served.fingerprint[:12]} is served again."})
    raise web.HTTPSeeOther(f"{_url(request, 'training')}?{notice}")


def _authorized(request: web.Request) -> bool:
    token = request.app[config_key].model_server_token
    given = request.headers.get(TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


async def model_file(request: web.Request) -> web.StreamResponse:
    """The served model, for Rasa's model pulling (rasa/core/agent.py: If-None-Match in, ETag out, 304)."""
    if not _authorized(request):
        raise web.HTTPForbidden(text="This is for the assistant's own servers.")
    config = request.app[config_key]
    opened = model_store.open_served(config.model_store_dir, config.base_model_path)
    found = await asyncio.to_thread(opened.__enter__)
    try:
        if found is None:
            raise web.HTTPNotFound(text="No model has been trained yet.")
        served, handle = found
        etag = f'"{served.fingerprint}"'
        if any(tag.value == served.fingerprint for tag in request.if_none_match or ()):
            return web.Response(status=304, headers={"ETag": etag})
        size = os.fstat(handle.fileno()).st_size
        response = web.StreamResponse(headers={"ETag": etag, "Content-Type": "application/gzip",
                                               "Content-Length": str(size), "filename": "advisor.tar.gz"})
        await response.prepare(request)
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                await response.write(chunk)
            await response.write_eof()
        except ConnectionResetError:  # the puller went away (a Rasa stopping): it asks again on its next pull
            logger.info("the model's download was broken off by the client")
        return response
    finally:
        await asyncio.to_thread(opened.__exit__, None, None, None)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/training", training_page, name="training")
    app.router.add_post("/training", train_now, name="train_now")
    app.router.add_post("/training/rollback", roll_back, name="training_rollback")
    app.router.add_get("/model", model_file, name="model")
