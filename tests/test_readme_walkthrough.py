"""README's "Use it in a project" block, run as written: activate `.venv`, copy the example,
install the skill, gather, validate, emit, install the backend's packages, run its tests, record
the PHR with the summary pytest really printed, and print ADR suggestions."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from sp_backend.records.template import split_front_matter

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_block(heading: str) -> str:
    """The first ```bash block after `heading`, before the next `## ` heading."""
    section = README.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert blocks, f"README: no bash block under {heading!r}"
    return blocks[0]


def test_use_it_in_a_project_runs_as_written(tmp_path: Path):
    if not (REPO / ".venv/bin/activate").is_file():
        pytest.skip("no .venv/ yet: the README's two commands make it")
    block = readme_block("## Use it in a project")
    # the record's result is the one this run printed, never a canned one
    assert '--tests "backend: python -m pytest -q: $RESULT"' in block
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # No network in tests: pip may only confirm what .venv already holds.
    env.update(TMPDIR=str(tmp_path), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run(
        ["bash", "-e", "-c", block],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )
    if done.returncode != 0 and "No matching distribution" in done.stderr:
        pytest.skip(f"the backend needs a package .venv lacks (offline): {done.stderr[-300:]}")
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    projects = list(tmp_path.glob("*/project"))
    assert len(projects) == 1
    project = projects[0]
    out = done.stdout.splitlines()
    summary = next(line for line in out if re.fullmatch(r"\d+ passed.* in [\d.]+s", line))
    record = project / "history/prompts/task-crud/0001-implement-task-crud-backend.green.prompt.md"
    assert f"history/prompts/task-crud/{record.name}" in done.stdout
    front, _ = split_front_matter(record.read_text(encoding="utf-8")) or ("", "")
    meta = yaml.safe_load(front)
    assert meta["tests"] == [f"backend: python -m pytest -q: {summary}"]  # this run's result
    assert meta["command"] == "/sp.backend-engineer task-crud --with-tests"
    assert "backend/app/main.py" in meta["files"]
    adr = [line for line in out if line.startswith("📋 Architectural decision detected: ")]
    assert len(adr) >= 3
    assert out[-1].startswith("Note: /sp.adr ")
    assert "create-phr.sh would refuse" in done.stderr  # a warning, not an error
