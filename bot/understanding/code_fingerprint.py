"""Rasa's training cache keys a component's model by its configuration and data, not its code:
a changed tagger or reader would be served from the cache. Our trained components add their
package's source to the key."""
import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def source_fingerprint() -> str:
    """sha256 of every module of bot/understanding, in a stable order."""
    digest = hashlib.sha256()
    for module in sorted(PACKAGE.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()
