"""mypy on jbp/ and simulation/ (configured in pyproject.toml's [tool.mypy]), so the suite
and CI fail on a type error as they do on a failing test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_jbp_and_simulation_type_check():
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert "No module named mypy" not in run.stderr, "install the test extras: pip install -e .[test]"
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout
