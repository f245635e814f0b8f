"""The real stack for end-to-end tests: started once per session, stopped at the end."""
import subprocess
import sys

import pytest

from tests.e2e.people import PASSWORD, Coach
from tests.e2e.stack import ROOT, Stack


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not (ROOT / "bot" / "models" / "advisor.tar.gz").exists():
        pytest.fail("no trained model: run `make setup` first")
    running = Stack(tmp_path_factory.mktemp("logs")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def coach(stack):
    """A coach signed in to the live desk."""
    # Exits 1 when the coach exists from an earlier run on the same database: that is fine.
    subprocess.run([sys.executable, "-m", "channels.desk", "create-coach", "coach-e2e", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=stack.env, cwd=ROOT, capture_output=True)
    desk = Coach(stack.web_url)
    desk.sign_in()
    return desk
