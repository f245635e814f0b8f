"""The services' logs kept no longer than DESK_RETENTION_DAYS, like the transcripts.

Under `make run` supervisord writes each service's output to LOG_DIR/NAME.log (and rotates it at
10 MB into NAME.log.1...). Nothing there says how old a line is but the line itself, so the desk's
hourly housekeeping (and `python -m channels.desk purge`) does two things:

- a log whose oldest line is a day old (or half the retention, if shorter), or which holds 10 MB,
  is copied to NAME.log.<oldest>-<now> (UTC) and emptied: supervisord appends, so it writes on from
  the start of the emptied file;
- a copy, or one of supervisord's, whose oldest line is DESK_RETENTION_DAYS old is deleted.

A line's time is the one every service and supervisord put at its start (channels/log_privacy.py);
a file with none is dated by its last change. In Kubernetes the services log to standard error
and the cluster's log retention applies instead.
"""
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional, Tuple

ROLL_SIZE = 10 * 1024 * 1024
ROLL_AGE = timedelta(days=1)
STAMP = "%Y%m%dT%H%M%SZ"
COPY_NAME = re.compile(r"\.log\.(\d{8}T\d{6}Z)-\d{8}T\d{6}Z$")
LINE_TIME = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", re.MULTILINE)
LOOK_AT = 64 * 1024  # where the oldest line's time is looked for


def oldest_line(path: Path) -> datetime:
    """When the file's oldest line was written: its stamp in a copy's name, else the first time at the
    start of a line (local time, as logging writes it), else the file's last change."""
    named = COPY_NAME.search(path.name)
    if named:
        return datetime.strptime(named.group(1), STAMP).replace(tzinfo=timezone.utc)
    with path.open("rb") as log:
        found = LINE_TIME.search(log.read(LOOK_AT))
    if found:
        return datetime.strptime(found.group(1).decode(), "%Y-%m-%d %H:%M:%S").astimezone(timezone.utc)
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def roll_and_purge(log_dir: Path, retention_days: int, now: Optional[datetime] = None) -> Tuple[int, int]:
    """Roll the logs due for it and delete the copies past retention; returns (rolled, deleted)."""
    now = now or datetime.now(timezone.utc)
    roll_age = min(ROLL_AGE, timedelta(days=retention_days) / 2)
    rolled = deleted = 0
    for log in sorted(log_dir.glob("*.log")):
        size = log.stat().st_size
        if size == 0:
            continue
        oldest = oldest_line(log)
        if size >= ROLL_SIZE or now - oldest >= roll_age:
            shutil.copyfile(log, log.with_name(f"{log.name}.{oldest:{STAMP}}-{now:{STAMP}}"))
            with log.open("r+b") as emptied:
                emptied.truncate(0)
            rolled += 1
    for copy in sorted(log_dir.glob("*.log.*")):
        if now - oldest_line(copy) >= timedelta(days=retention_days):
            copy.unlink()
            deleted += 1
    return rolled, deleted
