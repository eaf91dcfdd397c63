"""The README as a new user meets it: clone this repository into a temporary folder and run, in
one shell and in the README's order, its commands as written — `bash .ci/demo` (which makes the
clone's own `.venv/`), the "Use it in a project" block, then "Validate the skill".

Left out, each for a reason: `bash .ci/test` is this suite itself; the benchmark needs wrk and
minutes (tests/test_bench_smoke.py runs its smoke mode); `.ci/lock` and `.ci/floors` resolve
fresh versions from the index (run apart, as the README says). The clone holds what is
committed, so this tests what a fresh clone gets, not uncommitted edits."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from sp_backend.records.template import split_front_matter

REPO = Path(__file__).resolve().parents[1]
# What pip prints when the package index cannot be reached: an offline machine, not a failure.
OFFLINE = (
    "No matching distribution",
    "Failed to establish a new connection",
    "Network is unreachable",
)


def readme_block(readme: str, heading: str) -> str:
    """The first ```bash block after `heading`, before the next `## ` heading."""
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert blocks, f"README: no bash block under {heading!r}"
    return blocks[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(tmp_path: Path) -> dict[str, str]:
    """This suite's environment minus its venv, as a new shell would have it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.pop("TEST_DATABASE_URL", None)
    ours = str(REPO / ".venv")
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(ours)
    )
    env.update(TMPDIR=str(tmp_path), DEMO_PORT=str(free_port()), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def test_fresh_clone_runs_the_readme_as_written(tmp_path: Path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    readme = (clone / "README.md").read_text(encoding="utf-8")  # the clone's, as committed
    two_commands = readme_block(readme, "## Two commands")
    assert "bash .ci/demo" in two_commands and "bash .ci/test" in two_commands
    first = [line for line in two_commands.splitlines() if line.startswith("bash .ci/demo")]
    use_it = readme_block(readme, "## Use it in a project")
    validate = readme_block(readme, "## Validate the skill")
    # the record's result is the one this run printed, never a canned one
    assert '--tests "backend: python -m pytest -q: $RESULT"' in use_it
    # The validator exits 1 on its findings: its report and status are read, not treated as a crash.
    validate_step = [
        "echo '== validate'",
        "exec 2>&1",
        "set +e",
        validate,
        'echo "== validate exit $?"',
    ]
    script = "\n".join([*first, use_it, *validate_step])
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=clone,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=1500,
        check=False,
    )
    said = done.stdout + done.stderr
    if done.returncode != 0 and any(sign in said for sign in OFFLINE):
        pytest.skip(
            f"a fresh clone installs from the package index, unreachable here: {said[-300:]}"
        )
    out = done.stdout.splitlines()
    demo_end = next(
        (i for i, line in enumerate(out) if line.startswith("== done: the backend is in")), None
    )
    assert demo_end is not None, (
        f"demo did not finish: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    )

    # The demo: two users on SQLite, then the authentication feature added to the same backend.
    statuses = [int(line.split()[1]) for line in out[:demo_end] if line.startswith("   HTTP ")]
    assert statuses == [200, 200, 404, 422, 401, 204, 201, 401, 200, 200, 200, 204], done.stdout
    demo_tests = [line for line in out[:demo_end] if re.fullmatch(r"\d+ passed.* in [\d.]+s", line)]
    assert len(demo_tests) == 2, done.stdout  # task CRUD, then task CRUD with accounts

    # "Use it in a project": every step ran, in a copy of the example under $TMPDIR.
    assert done.returncode == 0 and "== validate" in out, (
        f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    validate_at = out.index("== validate")
    use_out = out[demo_end + 1 : validate_at]
    projects = list(tmp_path.glob("*/project"))
    assert len(projects) == 1, projects
    project = projects[0]
    summary = next(line for line in use_out if re.fullmatch(r"\d+ passed.* in [\d.]+s", line))
    record = project / "history/prompts/task-crud/0001-implement-task-crud-backend.green.prompt.md"
    assert f"history/prompts/task-crud/{record.name}" in done.stdout
    front, _ = split_front_matter(record.read_text(encoding="utf-8")) or ("", "")
    meta = yaml.safe_load(front)
    assert meta["tests"] == [f"backend: python -m pytest -q: {summary}"]  # this run's result
    assert meta["command"] == "/sp.backend-engineer task-crud --with-tests"
    assert "backend/app/main.py" in meta["files"]
    adr = [line for line in use_out if line.startswith("📋 Architectural decision detected: ")]
    assert len(adr) >= 3
    assert use_out[-1].startswith("Note: /sp.adr ")
    assert "create-phr.sh would refuse" in done.stderr  # a warning, not an error

    # "Validate the skill": exactly the two deviations the README documents, nothing else.
    report = out[validate_at + 1 :]
    assert report[-1] == "== validate exit 1", report  # agentskills exits 1 when it has findings
    findings = [line.strip() for line in report if line.strip().startswith("- ")]
    assert len(findings) == 2, report
    assert any("argument-hint" in f for f in findings), findings
    assert any("sp.backend-engineer" in f and "invalid characters" in f for f in findings), findings
