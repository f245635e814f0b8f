"""The end-to-end stack keeps to its own temporary directory: never the developer's var/, .env.local or
reviewed examples (checked without starting it)."""
import os

from sqlalchemy.engine import make_url

from tests.e2e.stack import ROOT, Stack


def test_every_database_and_file_of_the_stack_is_in_its_directory(tmp_path, monkeypatch):
    for name in ("CATALOG_DB_URL", "TRACKER_DB_URL", "HANDOFF_DB_URL", "LOG_DIR", "RUN_DIR", "ENV_FILE"):
        monkeypatch.setenv(name, str(ROOT / "var" / "developer"))  # a developer's own settings must not leak in
    stack = Stack(tmp_path)
    for name in ("CATALOG_DB_URL", "TRACKER_DB_URL", "HANDOFF_DB_URL"):
        database = make_url(stack.env[name]).database
        assert os.path.dirname(database) == str(tmp_path), name
    for name in ("LOG_DIR", "RUN_DIR", "ENV_FILE", "REVIEWED_NLU_FILE"):
        assert stack.env[name].startswith(str(tmp_path)), name
