"""The emitter: output quality, the seed's defects absent, safe re-runs, several features."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, run_generated_tests, sp_backend

EXAMPLE_PLAN = EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"
PLANS = {
    "task-crud": EXAMPLE_PLAN,
    **{p.name.removesuffix(".plan.yaml"): p for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))},
    # One plan per auth mode not covered above (multi-plan projects: test_auth_modes.py).
    "habits": EXAMPLES / "shared-secret-path" / "specs" / "backend" / "habits.plan.yaml",
    "projects": EXAMPLES / "jwks" / "specs" / "backend" / "projects.plan.yaml",
}


def emit(root: Path, feature: str, *args: str) -> subprocess.CompletedProcess[str]:
    return sp_backend("emit", feature, "--root", str(root), *args)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped plan emitted once, with tests."""
    out = {}
    for feature, plan in PLANS.items():
        root = make_project(tmp_path_factory.mktemp(feature), plan)
        result = emit(root, feature, "--with-tests")
        assert result.returncode == 0, result.stderr
        out[feature] = root / "backend"
    return out


def _python_files(backend: Path) -> list[Path]:
    return sorted(backend.rglob("*.py"))


@pytest.mark.parametrize("feature", list(PLANS))
def test_output_is_ruff_clean_and_compiles(generated: dict[str, Path], feature: str) -> None:
    backend = generated[feature]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(backend)],
        capture_output=True,
        text=True,
        cwd=backend,
    )
    assert ruff.returncode == 0, ruff.stdout
    # Laid out as the backend's own `ruff format` would: a user's first format is no edit.
    layout = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", str(backend)],
        capture_output=True,
        text=True,
        cwd=backend,
    )
    assert layout.returncode == 0, layout.stdout + layout.stderr
    python311 = shutil.which("python3.11") or sys.executable
    compiled = subprocess.run(
        [
            python311,
            "-m",
            "compileall",
            "-q",
            str(backend / "app"),
            str(backend / "tests"),
            str(backend / "migrations"),
        ],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


# The seed's defects (product brief section 9) and other broken or deprecated APIs.
FORBIDDEN = {
    r"datetime\.utcnow|utcnow\(\)\s*$": "naive utcnow",
    r"@validator\b": "Pydantic v1 validator",
    r"class Config\b": "Pydantic v1 config",
    r"orm_mode": "Pydantic v1 orm_mode",
    r"from jose|import jose": "python-jose",
    r"passlib": "passlib",
    r"HTTPAuthCredentials\b": "a name that does not exist",
    r"len\(.*\.all\(\)\)": "counting by loading every row",
    r"your-secret-key|SECRET_KEY\s*=\s*\"": "a literal secret",
    r"on_startup|on_shutdown|on_event\(": "removed startup hooks",
    r"\.dict\(\)": "Pydantic v1 .dict()",
}


@pytest.mark.parametrize("feature", list(PLANS))
def test_none_of_the_seed_defects_is_present(generated: dict[str, Path], feature: str) -> None:
    for path in _python_files(generated[feature]):
        text = path.read_text()
        for pattern, what in FORBIDDEN.items():
            assert not re.search(pattern, text, re.MULTILINE), f"{path}: {what}"
    for path in (generated[feature] / "app" / "routers").glob("*.py"):
        for function in _async_functions(path):
            types = [ast.unparse(a.annotation) for a in function.args.args if a.annotation]
            blocking = [a for a in types if a == "SessionDep" or a.endswith("ServiceDep")]
            assert not blocking, f"{path}: async {function.name} takes sync Session work"
    app = generated[feature] / "app"
    for path in [*(app / "services").glob("*.py"), app / "dependencies.py"]:
        for function in _async_functions(path):
            # Building a service is fine; calling the Session would block the event loop.
            assert not re.search(r"session\.\w+\(", ast.unparse(function)), (
                f"{path}: async {function.name} uses a sync Session"
            )
    services = "".join(
        p.read_text() for p in (generated[feature] / "app" / "services").glob("*.py")
    )
    if "def list_page" in services:
        assert "func.count()" in services and ".order_by(" in services


@pytest.mark.parametrize("feature", list(PLANS))
def test_services_do_not_import_fastapi(generated: dict[str, Path], feature: str) -> None:
    """The service layer is plain Python a script or worker can use: FastAPI's wiring (the
    providers, the Annotated aliases) is in app/dependencies.py, and a service reports a
    failure as a domain error (app/utils/errors.py maps it to its answer)."""
    services = sorted((generated[feature] / "app" / "services").glob("*.py"))
    assert any(p.name.endswith("_service.py") for p in services), "no service module to check"
    for path in services:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top not in ("fastapi", "starlette"), f"{path} imports {module}"
                assert module != "app.dependencies", f"{path} imports the FastAPI wiring"


def _async_functions(path: Path) -> list[ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)]


def test_response_schemas_carry_no_input_rules(generated: dict[str, Path]) -> None:
    schema = (generated["task-crud"] / "app" / "schemas" / "task.py").read_text()
    public = schema.split("class TaskPublic")[1].split("\nclass ")[0]
    assert "validator" not in public and "AwareDatetime" not in public
    assert "in_future" in schema.split("class TaskPublic")[0]


def test_owner_filter_lives_in_one_place(generated: dict[str, Path]) -> None:
    service = (generated["task-crud"] / "app" / "services" / "task_service.py").read_text()
    # One filter expression; its value is a required bound parameter, given only the caller's id.
    assert service.count("Task.user_id) ==") == 1
    assert service.count('col(Task.user_id) == bindparam("owner")') == 1
    owner_values = re.findall(r'"owner": ([\w.]+)', service)
    assert owner_values and set(owner_values) == {"self.owner_id"}
    router = (generated["task-crud"] / "app" / "routers" / "tasks.py").read_text()
    assert "session" not in router and "user_id" not in router


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_rerun_is_identical_edits_survive_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN)
    assert emit(root, "task-crud", "--with-tests").returncode == 0
    again = json.loads(emit(root, "task-crud", "--with-tests", "--json").stdout)
    # Nothing written: generated files identical, the created-once extension files kept.
    assert {f["action"] for f in again["files"]} == {"identical", "kept"}

    edited = root / "backend" / "app" / "routers" / "tasks.py"
    edited.write_text(edited.read_text() + "\n# my change\n")
    plan = root / "specs" / "backend" / "task-crud.plan.yaml"
    plan.write_text(plan.read_text().replace("max_length: 100", "max_length: 120"))

    before = _tree_hashes(root)
    dry = emit(root, "task-crud", "--with-tests", "--dry-run", "--json")
    assert _tree_hashes(root) == before
    planned = {f["path"]: f["action"] for f in json.loads(dry.stdout)["files"]}
    assert planned["app/routers/tasks.py"] in ("conflict", "identical")
    assert planned["app/schemas/task.py"] == "updated"

    result = emit(root, "task-crud", "--with-tests", "--json")
    actions = {f["path"]: f["action"] for f in json.loads(result.stdout)["files"]}
    assert actions["app/schemas/task.py"] == "updated"
    assert "max_length=120" in (root / "backend" / "app" / "schemas" / "task.py").read_text()
    assert edited.read_text().endswith("# my change\n")
    if actions["app/routers/tasks.py"] == "conflict":
        assert result.returncode == 1
        assert (root / "backend" / "app" / "routers" / "tasks.py.new").exists()


def test_hand_edit_to_a_changing_file_is_a_conflict(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN)
    emit(root, "task-crud")
    schema = root / "backend" / "app" / "schemas" / "task.py"
    schema.write_text(schema.read_text() + "\n# keep me\n")
    plan = root / "specs" / "backend" / "task-crud.plan.yaml"
    plan.write_text(plan.read_text().replace("max_length: 500", "max_length: 600"))
    result = emit(root, "task-crud")
    assert result.returncode == 1
    assert "conflict" in result.stdout
    assert schema.read_text().endswith("# keep me\n")
    assert "max_length=600" in (schema.parent / "task.py.new").read_text()
    forced = emit(root, "task-crud", "--force")
    assert forced.returncode == 0 and "max_length=600" in schema.read_text()


def test_a_bad_plan_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN)
    plan = root / "specs" / "backend" / "task-crud.plan.yaml"
    plan.write_text(plan.read_text().replace("type: bool", "type: boolean"))
    result = emit(root, "task-crud", "--with-tests")
    assert result.returncode == 3
    assert "resources.task.fields.completed.type" in result.stderr
    assert str(plan) in result.stderr
    assert not (root / "backend").exists()


def test_missing_plan_is_exit_3(tmp_path: Path) -> None:
    result = emit(make_project(tmp_path), "nothing")
    assert result.returncode == 3 and "nothing.plan.yaml" in result.stderr


def _with_auth_of(source: Path, target: Path, auth_from: Path) -> Path:
    data = yaml.safe_load(source.read_text())
    reference = yaml.safe_load(auth_from.read_text())
    data["auth"], data["errors"] = reference.get("auth", {}), reference.get("errors", {})
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def test_several_features_share_one_backend(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN)
    second = _with_auth_of(
        PLAN_FIXTURES / "expenses.plan.yaml",
        root / "specs" / "backend" / "expenses.plan.yaml",
        EXAMPLE_PLAN,
    )
    assert second.exists()
    assert emit(root, "task-crud", "--with-tests").returncode == 0
    result = emit(root, "expenses", "--with-tests", "--json")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    main = (backend / "app" / "main.py").read_text()
    assert "tasks_router" in main and "expenses_router" in main
    models = (backend / "app" / "models" / "__init__.py").read_text()
    assert "Task" in models and "Expense" in models
    expenses_migration = next((backend / "migrations" / "versions").glob("0002_*.py")).read_text()
    assert 'down_revision: str | Sequence[str] | None = "0001_task_crud"' in expenses_migration
    # Re-emitting the first feature keeps the second registered.
    again = json.loads(emit(root, "task-crud", "--with-tests", "--json").stdout)
    # Nothing written: generated files identical, the created-once extension files kept.
    assert {f["action"] for f in again["files"]} == {"identical", "kept"}
    run = run_generated_tests(backend)
    assert run.returncode == 0, run.stdout[-3000:]


def test_plans_that_disagree_on_auth_are_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN, PLAN_FIXTURES / "expenses.plan.yaml")
    result = emit(root, "task-crud")
    assert result.returncode == 3
    assert "disagree on auth" in result.stderr


def test_reserved_class_names_cover_what_the_templates_import() -> None:
    """A resource's class (and its ...Dep alias) must not shadow a name a generated module
    imports: every capitalised name the templates import that a resource could be called is in
    RESERVED_CLASS_NAMES, and a plan naming a resource so is refused at its key."""
    import re as _re

    from sp_backend.plan.model import RESERVED_CLASS_NAMES

    imported: set[str] = set()
    from conftest import REPO

    for template in (REPO / "assets" / "backend").rglob("*.j2"):
        for line in template.read_text(encoding="utf-8").splitlines():
            m = _re.match(r"^\s*(?:from \S+ )?import (.+)$", line)
            if m:
                for item in _re.sub(r"[()]", "", m.group(1)).split(","):
                    name = item.split(" as ")[-1].strip()
                    if _re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)?", name):
                        imported.add(name.removesuffix("Dep"))
    local_only = {"User"}  # a users resource beside auth.mode local is refused as a clash
    missing = sorted(imported - RESERVED_CLASS_NAMES - local_only)
    assert not missing, missing
