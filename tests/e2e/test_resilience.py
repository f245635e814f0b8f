"""The learner still hears from us when the action server or the catalog database is down."""
import asyncio
import threading
import time
import uuid

import pytest

from tests.e2e.stack import Stack, free_port

POSTGRES = ("127.0.0.1", 5432)


def test_action_server_down_then_back(stack):
    sender = f"down-{uuid.uuid4().hex[:8]}"
    stack.actions.stop()
    try:
        started = time.monotonic()
        reply = stack.reply(sender, "How much is Lockout/Tagout Safety Training?")
        assert time.monotonic() - started < 5
        assert "something went wrong" in reply.lower() and "253-2762" in reply
        assert "$" not in reply
    finally:
        stack.actions.start()
    assert "$99" in stack.reply(sender, "How much is Lockout/Tagout Safety Training?")


class SwitchableProxy:
    """A TCP proxy to PostgreSQL that the test can cut and restore: the database 'goes down'."""

    def __init__(self):
        self.port = free_port()
        self.up = True
        self.loop = asyncio.new_event_loop()
        self.connections = []
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(5)

    async def _serve(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader, writer):
        if not self.up:
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*POSTGRES)
        except OSError:
            writer.close()
            return
        self.connections += [writer, upstream_writer]
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    def cut(self):
        def close_all():
            self.up = False
            for writer in self.connections:
                writer.close()
            self.connections.clear()
        self.loop.call_soon_threadsafe(close_all)
        time.sleep(0.2)

    def restore(self):
        self.up = True


@pytest.fixture
def postgres_catalog():
    """The seed catalog loaded into PostgreSQL, reached through a proxy the test can cut."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    from catalog_db.cli import main as catalog_cli

    direct = f"postgresql+psycopg2://postgres@{POSTGRES[0]}:{POSTGRES[1]}/test"
    try:
        sqlalchemy.create_engine(direct, connect_args={"connect_timeout": 3}).connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    schema = f"e2e_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(direct, future=True)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    proxy = SwitchableProxy()
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{proxy.port}/test?options=-csearch_path%3D{schema}"
    assert catalog_cli(["load", "--url", url]) == 0
    yield url, proxy
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_database_down_then_back(postgres_catalog, tmp_path):
    url, proxy = postgres_catalog
    stack = Stack(tmp_path, {"CATALOG_DB_URL": url}).start()
    try:
        sender = f"db-{uuid.uuid4().hex[:8]}"
        assert "$10" in stack.reply(sender, "how much is Introduction to Generative AI?")
        proxy.cut()
        started = time.monotonic()
        reply = stack.reply(sender, "How much is Lockout/Tagout Safety Training?")
        assert time.monotonic() - started < 8
        assert "catalog" in reply.lower() and "253-2762" in reply and "$" not in reply
        proxy.restore()
        assert "$99" in stack.reply(sender, "How much is Lockout/Tagout Safety Training?")
    finally:
        stack.stop()
