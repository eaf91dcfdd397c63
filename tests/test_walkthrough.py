"""The walk-through: `/sp.backend-engineer task-crud --with-tests` in a fresh Spec-Kit Plus-like
project, running SKILL.md's own commands as written (its placeholders filled the way the agent
fills them), from install to ADR suggestions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from skill_permissions import allowed_tools, bash_allows

from sp_backend.records.template import split_front_matter

REPO = Path(__file__).resolve().parents[1]
SKILL_TEXT = (REPO / "SKILL.md").read_text(encoding="utf-8")
EXAMPLE = REPO / "assets/examples/task-crud"
FEATURE = "task-crud"
ARGUMENTS = "task-crud --with-tests"
USER_MESSAGE = "/sp.backend-engineer task-crud --with-tests\n\nPlease keep ids as UUIDs."
WORDING = re.compile(
    r"^📋 Architectural decision detected: .+\. Document reasoning\? "
    r"Run `/sp\.adr ([a-z0-9-]+)`$"
)
# The project's own PHR template, in the shape Spec-Kit Plus projects carry (written here).
PROJECT_TEMPLATE = """---
id: {{ID}}
title: {{TITLE}}
stage: {{STAGE}}
date: {{DATE_ISO}}
surface: {{SURFACE}}
model: {{MODEL}}
feature: {{FEATURE}}
branch: {{BRANCH}}
user: {{USER}}
command: {{COMMAND}}
labels: [{{LABELS}}]
links:
  spec: {{LINKS_SPEC}}
  ticket: {{LINKS_TICKET}}
  adr: {{LINKS_ADR}}
  pr: {{LINKS_PR}}
files:
{{FILES_YAML}}
tests:
{{TESTS_YAML}}
---

## Prompt

{{PROMPT_TEXT}}

## Response snapshot

{{RESPONSE_TEXT}}

## Outcome

- Impact: {{OUTCOME_IMPACT}}
- Tests: {{TESTS_SUMMARY}}
- Files: {{FILES_SUMMARY}}
- Next prompts: {{NEXT_PROMPTS}}
- Reflection: {{REFLECTION_NOTE}}

## Evaluation notes (flywheel)

- Failure modes observed: {{FAILURE_MODES}}
- Graders run and results (PASS/FAIL): {{GRADER_RESULTS}}
"""


def skill_block(marker: str) -> str:
    """The one ```bash block of SKILL.md that contains `marker`."""
    blocks = [
        b
        for b in re.findall(r"^```bash\n(.*?)^```", SKILL_TEXT, re.MULTILINE | re.DOTALL)
        if marker in b
    ]
    assert len(blocks) == 1, f"SKILL.md should have exactly one bash block with {marker!r}"
    return blocks[0]


def fill(command: str, values: dict[str, str]) -> str:
    """Fill the placeholders the agent fills: `<...>` words and Claude Code's $ARGUMENTS."""
    command = command.replace("$ARGUMENTS", ARGUMENTS)
    for placeholder, value in values.items():
        command = command.replace(placeholder, value)
    left = re.findall(r"<[a-z][a-z' ,]*>", command)
    assert not left, f"placeholders SKILL.md uses that the walk-through does not know: {left}"
    return command


class Agent:
    """Runs commands the way Claude Code's shell would: bash, in the project root, with
    ${CLAUDE_SKILL_DIR} pointing at the installed skill and `python` the one with the deps."""

    def __init__(self, project: Path, tmp: Path) -> None:
        self.project = project
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "TEST_DATABASE_URL", "VIRTUAL_ENV")
        }
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        self.env["CLAUDE_SKILL_DIR"] = str(project / ".claude/skills/sp.backend-engineer")
        self.env["TMPDIR"] = str(tmp)

    def run(self, command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        # SKILL.md's allowed-tools: every script it runs here goes without a permission prompt.
        expanded = command.replace("${CLAUDE_SKILL_DIR}", self.env["CLAUDE_SKILL_DIR"])
        for line in expanded.replace("\\\n", " ").splitlines():
            if "/scripts/" in line and "install_skill.py" not in line:
                assert bash_allows(line, allowed_tools()), f"allowed-tools misses: {line}"
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd or self.project,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (
            f"{command}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE / "specs", root / "specs")
    shutil.rmtree(root / "specs/backend")  # the plan is the skill's to write
    shutil.copy(EXAMPLE / "CLAUDE.md", root / "CLAUDE.md")
    (root / ".specify/templates").mkdir(parents=True)
    (root / ".specify/templates/phr-template.prompt.md").write_text(
        PROJECT_TEMPLATE, encoding="utf-8"
    )
    prompts = root / "history/prompts" / FEATURE
    prompts.mkdir(parents=True)
    # Earlier work with the short IDs real projects hold, and a file that is not a record.
    (prompts / "3-write-task-spec.spec.prompt.md").write_text("---\nid: 3\n---\n", encoding="utf-8")
    (prompts / "notes.md").write_text("scratch\n", encoding="utf-8")
    (root / "history/adr").mkdir(parents=True)
    (root / "history/adr/0001-jwt-verification.md").write_text(
        "# ADR-0001: JWT verification with Better Auth\n\nStatus: accepted\n", encoding="utf-8"
    )
    return root


def test_walkthrough_task_crud_with_tests(project: Path, tmp_path: Path):
    for script in ("gather_context.py", "emit_backend.py"):
        if not (REPO / "scripts" / script).is_file():
            pytest.skip(f"scripts/{script} has not landed yet")
    agent = Agent(project, tmp_path)

    # Install, as SKILL.md's "Installing" section says, from the checkout.
    install = re.search(r"`(python scripts/install_skill\.py --project <dir>)`", SKILL_TEXT)
    assert install, "SKILL.md should say how to install from a checkout"
    agent.run(fill(install.group(1), {"<dir>": str(project)}), cwd=REPO)
    assert (project / ".claude/skills/sp.backend-engineer/SKILL.md").is_file()

    feature = {"<feature>": FEATURE}
    agent.run(fill(skill_block("scripts/gather_context.py"), feature))
    assert (project / f"specs/backend/{FEATURE}.plan.yaml").is_file()
    validated = agent.run(fill(skill_block("scripts/validate_plan.py"), feature))
    assert "valid" in validated.stdout
    agent.run(fill(skill_block("scripts/emit_backend.py"), feature))
    emit_json = tmp_path / f"sp-backend-{FEATURE}-emit-1.json"
    assert emit_json.is_file()
    # The implement step (§8) reads `to_implement`: task-crud's contract is all CRUD and toggles,
    # so no custom operation is left to write (tests/test_custom_operations.py does the step).
    assert "`to_implement`" in SKILL_TEXT
    assert json.loads(emit_json.read_text(encoding="utf-8"))["to_implement"] == []

    # The dependency block (pip install) is not run: this environment already has the
    # backend's packages and a test must not need the network.
    tests = agent.run(fill(skill_block("(cd backend && python -m pytest -q)\n"), feature))
    result = tests.stdout.strip().splitlines()[-1]
    # on SQLite the PostgreSQL-only fault tests skip
    summary = r"\d+ passed(, \d+ skipped)?(, \d+ warnings?)? in [\d.]+s"
    assert re.fullmatch(summary, result), tests.stdout
    assert int(result.split()[0]) >= 20

    checked = agent.run(fill(skill_block("scripts/check_contract.py"), feature)).stdout
    assert "6 endpoints" in checked and "the app matches the contract" in checked

    phr = agent.run(
        fill(
            skill_block("scripts/write_phr.py"),
            {
                **feature,
                "<title>": "Implement task-crud backend",
                "<model>": "claude-test",
                "<result>": result,
                "<summary>": "Generated the task-crud backend; tests green.",
                "<the user's message, verbatim>": USER_MESSAGE,
            },
        )
    )
    path = Path(phr.stdout.strip())
    assert path == Path(
        "history/prompts/task-crud/0004-implement-task-crud-backend.green.prompt.md"
    )
    text = (project / path).read_text(encoding="utf-8")
    parts = split_front_matter(text)
    assert parts is not None
    meta = yaml.safe_load(parts[0])
    assert list(meta)[:14] == [
        "id",
        "title",
        "stage",
        "date",
        "surface",
        "model",
        "feature",
        "branch",
        "user",
        "command",
        "labels",
        "links",
        "files",
        "tests",
    ]
    assert (meta["id"], meta["stage"], meta["feature"]) == (4, "green", FEATURE)
    assert meta["title"] == "Implement task-crud backend"
    assert meta["command"] == "/sp.backend-engineer task-crud --with-tests"
    assert meta["links"]["spec"] == "specs/api/task-crud-endpoints.md"
    assert meta["tests"] == [f"backend: python -m pytest -q: {result}"]
    files = meta["files"]
    assert files[0] == "specs/backend/task-crud.plan.yaml"
    for expected in (
        "backend/app/main.py",
        "backend/app/models/task.py",
        "backend/app/routers/tasks.py",
        "backend/tests/conftest.py",
    ):
        assert expected in files
    assert all((project / f).is_file() for f in files)
    assert len(files) == len(set(files))
    body = parts[1]
    assert "## Evaluation notes (flywheel)" in body  # the project's template, not the bundled one
    prompt = re.search(
        r"^## Prompt\n\n(.*?)\n\n## Response snapshot", body, re.MULTILINE | re.DOTALL
    )
    assert prompt and prompt.group(1) == USER_MESSAGE

    adr = agent.run(fill(skill_block("scripts/suggest_adr.py"), feature))
    lines = adr.stdout.strip().splitlines()
    assert lines[-1].startswith("Note: /sp.adr ") and "plan.md" in lines[-1]  # no plan.md here
    found = {}
    for line in lines[:-1]:
        match = WORDING.match(line)
        assert match, line
        found[match.group(1)] = line
    # one line per decision cluster
    assert set(found) == {
        "authentication-and-data-isolation",
        "data-access-architecture",
        "api-conventions",
    }
    auth = found["authentication-and-data-isolation"]
    assert "404" in auth and "BETTER_AUTH_SECRET" not in auth  # ADR 0001 covers verification
    # read from the generated routers: list and get are async def there
    assert "GET with async def handlers" in found["data-access-architecture"]
    assert sorted(p.name for p in (project / "history/adr").iterdir()) == [
        "0001-jwt-verification.md"
    ]


def test_walkthrough_implements_the_custom_operations(tmp_path: Path) -> None:
    """SKILL.md's implement step, followed as written on a contract with custom operations
    (our room-booking fixture): read `to_implement` from the emit JSON, run the step's own
    pytest command for each operation's collection (red: 501), write each listed handler
    module, run the command again (green), and emit again: nothing is left to implement."""
    from test_custom_operations import FIXTURE, implement

    step = re.search(r"run\s+`(\(cd backend && python -m pytest -q [^`]+\))`", SKILL_TEXT)
    assert step, "SKILL.md's implement step should give the command that runs its tests"
    command = step.group(1)
    assert "<collection>" in command
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    cli = [sys.executable, str(REPO / "scripts" / "sp_backend" / "cli.py")]
    run = {"cwd": project, "capture_output": True, "text": True, "env": env}
    assert subprocess.run([*cli, "gather", "room-booking"], **run).returncode == 0
    emitted = subprocess.run([*cli, "emit", "room-booking", "--with-tests", "--json"], **run)
    assert emitted.returncode == 0, emitted.stderr
    listed = json.loads(emitted.stdout)["to_implement"]
    assert listed, "room-booking has custom operations to implement"
    collections = sorted({Path(op["handler"]).stem.split("_")[0] for op in listed})
    # `python` in the step is the project's interpreter (the agent's session has it on PATH).
    test_env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    test_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    def step_run(collection: str) -> subprocess.CompletedProcess[str]:
        filled = command.replace("<collection>", collection)
        return subprocess.run(
            filled, shell=True, cwd=project, capture_output=True, text=True, env=test_env
        )

    for collection in collections:
        red = step_run(collection)
        assert red.returncode == 1 and "501" in red.stdout, red.stdout[-2000:]
    for op in listed:
        assert (project / "backend" / op["handler"]).is_file(), op
    implement(project / "backend")
    for collection in collections:
        green = step_run(collection)
        assert green.returncode == 0, green.stdout[-2000:]
    again = subprocess.run([*cli, "emit", "room-booking", "--with-tests", "--json"], **run)
    assert json.loads(again.stdout)["to_implement"] == []
