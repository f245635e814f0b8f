"""Rasa's Redis lock store, with each change to a conversation's lock made atomically.

Rasa's `RedisLockStore` keeps a conversation's ticket lock as one Redis value and changes it by
reading it, changing it and writing it back. Two replicas receiving messages of one conversation
at the same moment both read "no lock", both issue ticket 0 and both run: the very case the lock
store is for (tests/e2e/test_cluster.py sends two such messages). Here each of those changes holds
a short Redis mutex of its own conversation (`<prefix>:lock_mutex:<conversation>`), so tickets are
issued, expired and returned one replica at a time; waiting for a ticket stays Rasa's.
"""
from typing import Any, Optional

from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.lock import Lock

# A change is two round trips to Redis; a replica that dies holding the mutex frees it after this.
MUTEX_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes cannot interleave across replicas."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its class (endpoints.yml)
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self.mutex_prefix = self.key_prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)] + "lock_mutex:"

    def _mutex(self, conversation_id: str) -> Lock:
        return self.red.lock(self.mutex_prefix + conversation_id, timeout=MUTEX_SECONDS,
                             blocking_timeout=MUTEX_SECONDS)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
