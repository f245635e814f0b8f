"""A PostgreSQL database and a Redis key prefix of a test's (or benchmark's) own on the local servers,
created for it and removed afterwards: nothing it did not create is touched."""
import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg2
import redis

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}  # trust authentication
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database (created from the `test` database's connection); yields its SQLAlchemy URL."""
    name = f"advisor_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname="test", **POSTGRES)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg2://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
        finally:
            with admin.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.close()


@contextmanager
def scratch_redis_prefix() -> Iterator[str]:
    """A key prefix nobody else uses (letters and digits, as Rasa's lock store wants); its keys are
    deleted afterwards."""
    prefix = f"advisortest{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()


def redis_keys(prefix: str) -> list:
    return [key.decode() for key in redis.Redis(host=REDIS_HOST, port=REDIS_PORT).scan_iter(match=f"{prefix}:*")]

