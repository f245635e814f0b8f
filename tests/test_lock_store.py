"""Two replicas issuing tickets for one conversation at the same moment get different tickets."""
import threading
import uuid

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore


@pytest.fixture
def prefix():
    """A key prefix of this test's own on the local Redis; its keys are deleted afterwards."""
    name = f"advisortest{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis(host="127.0.0.1")
    for key in client.scan_iter(match=f"{name}:*"):
        client.delete(key)


def test_tickets_issued_at_once_by_two_replicas_are_distinct(prefix):
    config = EndpointConfig(url="127.0.0.1", port="6379", db="0", key_prefix=prefix, type="x")
    replicas = [AtomicRedisLockStore(endpoint_config=config) for _ in range(2)]
    conversations = [f"rest:race-{n}" for n in range(30)]
    tickets = {c: [] for c in conversations}
    start = threading.Barrier(2)

    def replica(store: AtomicRedisLockStore) -> None:
        for conversation in conversations:
            start.wait()
            tickets[conversation].append(store.issue_ticket(conversation, lock_lifetime=60))

    threads = [threading.Thread(target=replica, args=(store,)) for store in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(sorted(issued) == [0, 1] for issued in tickets.values()), tickets
    store = replicas[0]
    for conversation in conversations:
        store.cleanup(conversation, 0)
        assert store.get_lock(conversation).is_someone_waiting()  # ticket 1 still holds it
        store.cleanup(conversation, 1)
        assert store.get_lock(conversation) is None
    assert store.key_prefix == f"{prefix}:lock:" and store.mutex_prefix == f"{prefix}:lock_mutex:"
