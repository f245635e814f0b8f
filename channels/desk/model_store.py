"""The model every Rasa process serves, as the desk keeps it: the one `make train` built, or a newer one
trained and checked on the desk, and the one it replaced, to roll back to.

A directory (MODEL_STORE_DIR) holds `current.tar.gz` (the desk's newest accepted model) and
`previous.tar.gz` (what was served before it). The served model is `current.tar.gz` unless the
model `make train` built (RASA_MODEL) is newer: a developer who retrains on new data is not
overridden by an older model from the desk. Rasa pulls the served model from the desk by its
fingerprint (views in training_views.py). Every function here touches files: call it off the event loop.
"""
import contextlib
import json
import os
import shutil
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Dict, Iterator, Optional, Tuple

CURRENT = "current.tar.gz"
PREVIOUS = "previous.tar.gz"
METADATA = "metadata.json"  # in every Rasa 3 model archive (rasa/engine/storage/local_model_storage.py)


@dataclass(frozen=True)
class Model:
    path: Path
    fingerprint: str  # Rasa's model_id: unique to each training, so every new model is pulled
    trained_at: str
    from_desk: bool  # trained on the desk, not by `make train`


_read: Dict[Tuple[int, int, int], Tuple[str, str]] = {}
_lock = threading.Lock()


def _identity(handle: BinaryIO) -> Tuple[str, str]:
    """(model_id, trained_at) from an open archive's metadata; read once per file version."""
    stat = os.fstat(handle.fileno())
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _read:
            with tarfile.open(fileobj=handle, mode="r:gz") as archive:
                member = next(m for m in archive if m.name.lstrip("./") == METADATA)
                metadata = json.load(archive.extractfile(member))
            _read[key] = (metadata["model_id"], metadata["trained_at"])
            handle.seek(0)
        return _read[key]


def read(path: Path, from_desk: bool) -> Model:
    with path.open("rb") as handle:
        return Model(path, *_identity(handle), from_desk)


@contextlib.contextmanager
def open_served(store: Path, base: Path) -> Iterator[Optional[Tuple[Model, BinaryIO]]]:
    """The served model and its open file, read from that same file: a promotion meanwhile does not mix
    one model's fingerprint with another's bytes."""
    path = _newest(store, base)
    if path is None:
        yield None
        return
    with path.open("rb") as handle:
        yield Model(path, *_identity(handle), path != base), handle


def _newest(store: Path, base: Path) -> Optional[Path]:
    paths = [path for path in (store / CURRENT, base) if path.exists()]
    return max(paths, key=lambda path: path.stat().st_mtime_ns, default=None)


def served(store: Path, base: Path) -> Optional[Model]:
    """What Rasa should run now; None before any model exists."""
    path = _newest(store, base)
    return read(path, from_desk=path != base) if path else None


def previous(store: Path) -> Optional[Model]:
    path = store / PREVIOUS
    return read(path, from_desk=True) if path.exists() else None


def _touch(path: Path) -> None:
    now = time.time()
    os.utime(path, (now, now))


def _keep_as_previous(store: Path, was: Optional[Path], base: Path) -> None:
    """What is served now becomes the previous model, by a second name (a hard link): the served
    file is never missing, not even for a moment."""
    if was is None:
        return
    spare = store / ".previous.tar.gz"
    if was == base:
        shutil.copyfile(base, spare)  # the developer's file stays where `make` expects it
    else:
        with contextlib.suppress(FileNotFoundError):
            spare.unlink()
        os.link(was, spare)
    os.replace(spare, store / PREVIOUS)


def promote(store: Path, base: Path, candidate: Path) -> Model:
    """The candidate becomes the served model; what was served is kept as the previous one."""
    store.mkdir(parents=True, exist_ok=True)
    _keep_as_previous(store, _newest(store, base), base)
    _touch(candidate)  # newer than `make train`'s model, whatever the candidate's own time
    os.replace(candidate, store / CURRENT)
    return read(store / CURRENT, from_desk=True)


def roll_back(store: Path, base: Path) -> Model:
    """The previous model is served again, and the one it replaces becomes the previous one (so a
    second click undoes the first). ValueError when there is nothing to roll back to."""
    if not (store / PREVIOUS).exists():
        raise ValueError("there is no previous model to roll back to")
    back = store / ".rollback.tar.gz"
    os.replace(store / PREVIOUS, back)
    _keep_as_previous(store, _newest(store, base), base)
    _touch(back)
    os.replace(back, store / CURRENT)
    return read(store / CURRENT, from_desk=True)
