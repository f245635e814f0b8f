"""A training job's progress, one JSON file the job writes and the desk reads."""
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict

STATUS_FILE = "status.json"
# Stages, in order; a job ends in one of the last three.
TRAINING, CHECKING, PASSED, FAILED, ERROR = "training", "checking", "passed", "failed", "error"
ENDED = (PASSED, FAILED, ERROR)


def read(job_dir: Path) -> Dict[str, Any]:
    path = job_dir / STATUS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def update(job_dir: Path, **fields: Any) -> Dict[str, Any]:
    """The status with these fields changed, replaced whole so a reader never sees half of it."""
    status = {**read(job_dir), **fields}
    handle, temporary = tempfile.mkstemp(dir=job_dir, prefix=".status-")
    with os.fdopen(handle, "w") as out:
        json.dump(status, out)
    os.replace(temporary, job_dir / STATUS_FILE)
    return status
