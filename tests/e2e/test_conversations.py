"""Scripted conversations through the REST channel, checked by the shared evaluation script."""
import subprocess
import sys

import pytest

from tests.e2e.stack import CONVERSE, ROOT

CASE_FILES = [ROOT.parent / "shared" / "eval" / "cases.json", ROOT / "tests" / "e2e" / "cases.json"]


@pytest.mark.parametrize("cases", CASE_FILES, ids=lambda path: path.parent.name + "/" + path.name)
def test_every_case_passes(stack, cases, tmp_path):
    result = subprocess.run(
        [sys.executable, str(CONVERSE), str(cases), "--url", stack.url, "--verbose",
         "--json", str(tmp_path / "results.json")],
        capture_output=True, text=True, timeout=900,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 failed" in result.stdout
