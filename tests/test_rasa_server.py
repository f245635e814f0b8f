"""Rasa is not started when a slow turn could outlive its conversation's lock."""
import subprocess
import sys

from bot.rasa_server import lock_outlives_turn
from tests.e2e.stack import ROOT


def test_the_defaults_hold_the_rule():
    assert lock_outlives_turn(lock_lifetime=60, action_timeout=5, max_predictions=10)
    assert not lock_outlives_turn(lock_lifetime=60, action_timeout=6, max_predictions=10)
    assert not lock_outlives_turn(lock_lifetime=30, action_timeout=5, max_predictions=10)


def test_a_lock_shorter_than_a_slow_turn_is_refused_at_start():
    env = {"PATH": "/usr/bin:/bin", "RASA_JWT_SECRET": "x" * 40, "TICKET_LOCK_LIFETIME": "20",
           "ACTION_TIMEOUT": "5", "RASA_TELEMETRY_ENABLED": "false"}
    started = subprocess.run([sys.executable, "-m", "bot.rasa_server", "--model", "nowhere.tar.gz"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 2
    assert "TICKET_LOCK_LIFETIME (20 s) must be at least" in started.stderr
