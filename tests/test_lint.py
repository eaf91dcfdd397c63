"""The project's own code is ruff-clean (rules and format from pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_ruff_check_and_format() -> None:
    paths = ["scripts", "tests", "bench"]
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    form = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *paths],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert form.returncode == 0, form.stdout
