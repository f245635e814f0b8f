"""The services' logs: rolled daily (or at 10 MB) and deleted once their oldest line is past retention."""
import os
from datetime import datetime, timedelta, timezone

from channels.desk import log_retention
from channels.desk.log_retention import roll_and_purge

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def line(at: datetime, text: str) -> str:
    return f"{at.astimezone():%Y-%m-%d %H:%M:%S},123 INFO rasa: {text}\n"  # local time, as logging writes it


def test_a_log_is_rolled_once_its_oldest_line_is_a_day_old_and_supervisord_writes_on_into_it(tmp_path):
    log = tmp_path / "rasa.log"
    log.write_text(line(NOW - timedelta(hours=30), "old") + line(NOW - timedelta(hours=1), "new"))
    fresh = tmp_path / "web.log"
    fresh.write_text(line(NOW - timedelta(hours=2), "recent"))
    with log.open("ab") as supervisord:  # how supervisord holds it open
        assert roll_and_purge(tmp_path, retention_days=90, now=NOW) == (1, 0)
        supervisord.write(b"after the roll\n")
    [copy] = tmp_path.glob("rasa.log.*")
    assert copy.name == f"rasa.log.{NOW - timedelta(hours=30):%Y%m%dT%H%M%SZ}-{NOW:%Y%m%dT%H%M%SZ}"
    assert "old" in copy.read_text() and log.read_text() == "after the roll\n"
    assert fresh.read_text() == line(NOW - timedelta(hours=2), "recent")  # not a day old yet


def test_copies_are_deleted_once_their_oldest_line_is_past_retention(tmp_path):
    stamp = "%Y%m%dT%H%M%SZ"
    kept = tmp_path / f"rasa.log.{NOW - timedelta(days=89):{stamp}}-{NOW - timedelta(days=88):{stamp}}"
    gone = tmp_path / f"rasa.log.{NOW - timedelta(days=91):{stamp}}-{NOW - timedelta(days=89):{stamp}}"
    rotated = tmp_path / "actions.log.1"  # supervisord's own rotation, dated by its first line
    rotated.write_text("Traceback without a time\n" + line(NOW - timedelta(days=95), "ancient"))
    for path in (kept, gone):
        path.write_text("x\n")
    assert roll_and_purge(tmp_path, retention_days=90, now=NOW) == (0, 2)
    assert [path.name for path in tmp_path.iterdir()] == [kept.name]


def test_a_big_log_is_rolled_at_once_and_a_short_retention_rolls_more_often(tmp_path, monkeypatch):
    monkeypatch.setattr(log_retention, "ROLL_SIZE", 100)
    big = tmp_path / "web.log"
    big.write_text(line(NOW - timedelta(minutes=5), "x" * 200))
    assert roll_and_purge(tmp_path, retention_days=90, now=NOW) == (1, 0)
    short = tmp_path / "rasa.log"
    short.write_text(line(NOW - timedelta(hours=13), "half a day"))
    # With a day's retention a log is rolled after half of it, and a copy whose oldest line is a day
    # old goes at once.
    assert roll_and_purge(tmp_path, retention_days=1, now=NOW) == (1, 0)
    assert roll_and_purge(tmp_path, retention_days=1, now=NOW + timedelta(hours=12)) == (0, 1)


def test_a_log_without_times_is_dated_by_its_last_change(tmp_path):
    bare = tmp_path / "actions.log"
    bare.write_text("DeprecationWarning: printed before logging was set up\n")
    os.utime(bare, ((NOW - timedelta(days=2)).timestamp(),) * 2)
    assert roll_and_purge(tmp_path, retention_days=90, now=NOW) == (1, 0)
