"""Retraining on the desk through aiohttp's test client: the model server Rasa pulls from (token, ETag,
304), promotion and roll back in the model store, and who may train. Training itself runs in
tests/e2e/test_retraining.py."""
import asyncio
import io
import json
import os
import tarfile
import time
import uuid

import pytest

from catalog_db.engine import get_engine, make_session
from channels.config import ServerConfig
from channels.desk import model_store
from channels.desk.app import create_desk_app
from handoff_db import desk_access
from handoff_db.models import AuditEntry
from handoff_db.schema import create_schema
from tests.desk.test_analytics import csrf_of, sign_in

PASSWORD = "correct horse battery"
TOKEN = "model-token-" + "x" * 24


def archive(path, model_id=None):
    """A model archive as Rasa writes one: its metadata.json names the model (the rest is not read here)."""
    model_id = model_id or uuid.uuid4().hex
    body = json.dumps({"model_id": model_id, "trained_at": "2026-12-07T18:00:00"}).encode()
    with tarfile.open(path, "w:gz") as out:
        for name, data in (("components/x.bin", os.urandom(2048)), ("metadata.json", body)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return model_id


@pytest.fixture
def config(tmp_path):
    desk = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    create_schema(get_engine(desk, create=True))
    with make_session(desk) as session, session.begin():
        desk_access.create_coach(session, "dana", PASSWORD)
        desk_access.create_coach(session, "ali", PASSWORD, admin=True)
    base = tmp_path / "advisor.tar.gz"
    archive(base, "base-model")
    return ServerConfig(session_secret="desk-secret", database_url=desk, catalog_db_url=desk,
                        tracker_db_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}", model_store_dir=tmp_path / "store",
                        base_model_path=base, model_server_token=TOKEN, training_data_dir=tmp_path / "data",
                        reviewed_nlu_path=tmp_path / "reviewed.yml")


@pytest.fixture
async def client(aiohttp_client, config):
    return await aiohttp_client(create_desk_app(config))


async def pull(client, fingerprint=None, token=TOKEN):
    headers = {"X-Model-Token": token}
    if fingerprint is not None:
        headers["If-None-Match"] = fingerprint
    return await client.get("/model", headers=headers)


async def test_rasa_pulls_the_served_model_by_its_fingerprint_and_gets_304_while_it_is_served(client, config):
    first = await pull(client, uuid.uuid4().hex)  # a Rasa with no model yet sends a random, unquoted one
    assert first.status == 200
    assert first.headers["ETag"] == '"base-model"'
    assert await first.read() == config.base_model_path.read_bytes()
    assert (await pull(client, first.headers["ETag"])).status == 304

    candidate = config.model_store_dir / "candidate.tar.gz"
    config.model_store_dir.mkdir()
    new_id = archive(candidate)
    model_store.promote(config.model_store_dir, config.base_model_path, candidate)
    changed = await pull(client, first.headers["ETag"])
    assert changed.status == 200 and changed.headers["ETag"] == f'"{new_id}"'
    assert (await pull(client, changed.headers["ETag"])).status == 304


async def test_the_model_is_refused_without_the_token(client, config):
    assert (await pull(client, token="")).status == 403
    assert (await pull(client, token=TOKEN[:-1] + "y")).status == 403


async def test_no_token_configured_serves_nobody(aiohttp_client, config):
    client = await aiohttp_client(create_desk_app(ServerConfig(**{**config.__dict__, "model_server_token": ""})))
    assert (await pull(client, token="")).status == 403


def test_promotion_keeps_what_was_served_and_roll_back_swaps_them(config):
    store, base = config.model_store_dir, config.base_model_path
    assert model_store.served(store, base).fingerprint == "base-model"
    assert model_store.previous(store) is None
    with pytest.raises(ValueError):
        model_store.roll_back(store, base)
    store.mkdir()
    first = archive(store / "one.tar.gz")
    model_store.promote(store, base, store / "one.tar.gz")
    assert model_store.served(store, base).fingerprint == first and model_store.served(store, base).from_desk
    assert model_store.previous(store).fingerprint == "base-model"
    assert base.exists(), "make's model stays where make expects it"
    second = archive(store / "two.tar.gz")
    model_store.promote(store, base, store / "two.tar.gz")
    assert (model_store.served(store, base).fingerprint, model_store.previous(store).fingerprint) == (second, first)
    model_store.roll_back(store, base)
    assert (model_store.served(store, base).fingerprint, model_store.previous(store).fingerprint) == (first, second)
    model_store.roll_back(store, base)  # a second click undoes the first
    assert model_store.served(store, base).fingerprint == second


def test_a_newer_model_from_make_train_is_served_over_an_older_one_from_the_desk(config):
    store, base = config.model_store_dir, config.base_model_path
    store.mkdir()
    archive(store / "one.tar.gz")
    model_store.promote(store, base, store / "one.tar.gz")
    later = time.time() + 5
    archive(base, "retrained-by-make")
    os.utime(base, (later, later))
    assert model_store.served(store, base).fingerprint == "retrained-by-make"


async def test_only_admins_see_the_training_page_and_train(client):
    await sign_in(client, "dana")
    assert (await client.get("/training", allow_redirects=False)).status == 403
    assert (await client.post("/training", data={"csrf": "x"}, allow_redirects=False)).status == 403


async def test_roll_back_with_nothing_to_roll_back_to_is_refused_politely(client, config):
    await sign_in(client, "ali")
    page = await client.get("/training")
    html = await page.text()
    assert page.status == 200 and "base-model" in html and "by make train" in html and "Roll back" not in html
    refused = await client.post("/training/rollback", data={"csrf": csrf_of(html)}, allow_redirects=False)
    assert refused.status == 409
    assert "no previous model" in await refused.text()
    assert (await client.post("/training", data={"csrf": "forged"}, allow_redirects=False)).status == 403


async def test_roll_back_serves_the_previous_model_again_and_is_audited(client, config):
    store = config.model_store_dir
    store.mkdir()
    new_id = archive(store / "one.tar.gz")
    model_store.promote(store, config.base_model_path, store / "one.tar.gz")
    await sign_in(client, "ali")
    html = await (await client.get("/training")).text()
    assert new_id[:12] in html and "Roll back to model base-model" in html
    done = await client.post("/training/rollback", data={"csrf": csrf_of(html)})
    assert done.status == 200 and "served again" in await done.text()
    assert (await pull(client)).headers["ETag"] == '"base-model"'
    with make_session(config.database_url) as session:
        assert session.query(AuditEntry).filter(AuditEntry.action.like("rolled back to model base-model%")).count() == 1


async def test_a_training_that_cannot_run_ends_in_error_and_the_next_may_start(aiohttp_client, config, tmp_path):
    """No Rasa environment where TRAINING_PYTHON says: the job ends at once, the served model stays."""
    broken = ServerConfig(**{**config.__dict__, "training_python": str(tmp_path / "no-such-python")})
    client = await aiohttp_client(create_desk_app(broken))
    await sign_in(client, "ali")
    started = await client.post("/training", data={"csrf": csrf_of(await (await client.get("/training")).text())})
    assert started.status == 200
    for _ in range(100):
        page = await (await client.get("/training")).text()
        if 'data-stage="error"' in page:
            break
        await asyncio.sleep(0.1)
    assert 'data-stage="error"' in page and "could not finish" in page
    assert (await pull(client)).headers["ETag"] == '"base-model"'
    again = await client.post("/training", data={"csrf": csrf_of(page)}, allow_redirects=False)
    assert again.status == 303, "an ended job does not hold the next one back"
    with make_session(config.database_url) as session:
        assert session.query(AuditEntry).filter(AuditEntry.action.like("training failed%")).count() >= 1
