"""A short run of the benchmark: every operation of the generated backend under load answers
2xx with no socket errors. Not a timing assertion (CI machines vary)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, REQUIRE_POSTGRES, postgres_available


def test_benchmark_smoke_has_no_errors(tmp_path: Path) -> None:
    problem = postgres_available()
    if problem or shutil.which("wrk") is None:
        why = problem or "wrk is not installed (apt-get install wrk)"
        if REQUIRE_POSTGRES:
            pytest.fail(f"benchmark smoke needs PostgreSQL and wrk: {why}")
        pytest.skip(f"benchmark smoke skipped: {why}")
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stderr[-3000:]
    apps = json.loads((tmp_path / "results.json").read_text())["apps"]
    operations = apps["generated"]
    assert {
        "list_first",
        "list_deep",
        "list_cursor_deep",
        "list_filtered",
        "get",
        "create",
        "patch",
        "delete",
    } <= set(operations)
    for name, measured in operations.items():
        assert measured["errors"] == 0, name
        assert measured["rps"] > 0, name
