"""Auth in every mode the contracts use, and several features in one backend.

The example projects (local, shared secret with the user id in the path, JWKS) and the JWKS
reader fixture generate backends whose own tests, attack tests included, pass on SQLite and
PostgreSQL; task-crud and authentication combine in either order; the rule that merges the
plans' auth settings refuses real conflicts with a message that names them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO, make_project, run_generated_tests, sp_backend
from sp_backend.emit.context import build_project
from sp_backend.errors import PlanError
from sp_backend.plan.model import BackendPlan

TASK_CRUD = EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"
AUTHENTICATION = EXAMPLES / "task-crud-auth" / "specs" / "backend" / "authentication.plan.yaml"
INVENTORY = REPO / "tests" / "fixtures" / "specs" / "inventory-table" / "expected.plan.yaml"


def _plans(folder: str, *features: str) -> list[Path]:
    return [EXAMPLES / folder / "specs" / "backend" / f"{f}.plan.yaml" for f in features]


# Each project: its plan files, emitted in this order.
PROJECTS = {
    "local": _plans("local-auth", "authentication", "notes"),
    "shared-secret-path": _plans("shared-secret-path", "habits"),
    "jwks": _plans("jwks", "projects"),
    "jwks-inventory": [INVENTORY],
    "task-crud+authentication": [TASK_CRUD, AUTHENTICATION],
    "authentication+task-crud": [AUTHENTICATION, TASK_CRUD],
}


def _feature(plan: Path) -> str:
    return yaml.safe_load(plan.read_text())["feature"]


def _project(tmp: Path, plans: list[Path]) -> Path:
    root = make_project(tmp)
    for plan in plans:
        shutil.copy(plan, root / "specs" / "backend" / f"{_feature(plan)}.plan.yaml")
    return root


def _emit(root: Path, feature: str) -> None:
    result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr


def _summary(output: str) -> str:
    return output.strip().splitlines()[-1] if output.strip() else "(no output)"


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, plans in PROJECTS.items():
        root = _project(tmp_path_factory.mktemp(name), plans)
        for plan in plans:
            _emit(root, _feature(plan))
        out[name] = root / "backend"
    return out


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_backend_is_ruff_clean(backends: dict[str, Path], name: str) -> None:
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        check=False,
        capture_output=True,
        text=True,
        cwd=backends[name],
    )
    assert ruff.returncode == 0, ruff.stdout


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_tests_pass_on_sqlite(backends: dict[str, Path], name: str) -> None:
    result = run_generated_tests(backends[name], extra=("-rs",))
    print(f"{name} on SQLite: {_summary(result.stdout)}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert not [line for line in skipped if "test_auth.py" in line], skipped


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_tests_pass_on_postgres(
    backends: dict[str, Path], name: str, postgres_database: str
) -> None:
    result = run_generated_tests(backends[name], postgres_database)
    print(f"{name} on PostgreSQL: {_summary(result.stdout)}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _auth_test_names(backend: Path) -> set[str]:
    result = run_generated_tests(backend, extra=("--collect-only", "tests/test_auth.py"))
    return {
        line.split("::")[1].split("[")[0] for line in result.stdout.splitlines() if "::" in line
    }


@pytest.mark.parametrize("name", list(PROJECTS))
def test_every_backend_has_the_attack_tests(backends: dict[str, Path], name: str) -> None:
    names = _auth_test_names(backends[name])
    assert {
        "test_a_valid_token_is_accepted",
        "test_bad_tokens_are_refused_with_401",
        "test_every_route_but_the_public_ones_needs_a_token",
    } <= names
    attacks = (backends[name] / "tests" / "test_auth.py").read_text()
    for attack in (
        "alg none",
        "expired",
        "not yet valid",
        "tampered payload",
        "no user id",
        "signed with",
    ):
        assert f'"{attack}' in attacks or attack in attacks, attack
    if name.startswith("jwks"):
        assert "test_keys_that_cannot_be_fetched_give_503_not_401_or_500" in names
        assert "unknown key id" in attacks


@pytest.mark.parametrize("name", ["task-crud+authentication", "authentication+task-crud"])
def test_task_crud_and_authentication_combine_in_either_order(
    backends: dict[str, Path], name: str
) -> None:
    backend = backends[name]
    main = (backend / "app" / "main.py").read_text()
    assert "auth_router" in main and "tasks_router" in main
    assert "test_register_sign_in_then_work_with_tasks" in _auth_test_names(backend)
    assert (backend / "tests" / "test_tasks.py").exists()
    # The users table is created by the authentication feature's own migration.
    versions = {p.name: p.read_text() for p in (backend / "migrations" / "versions").glob("*.py")}
    (auth_migration,) = [text for name_, text in versions.items() if "authentication" in name_]
    assert 'op.create_table(\n        "users"' in auth_migration
    assert sum('"users"' in text for text in versions.values()) == 1


def test_each_step_of_adding_authentication_leaves_a_working_backend(tmp_path: Path) -> None:
    """task-crud alone (the authentication plan already beside it), then authentication."""
    root = _project(tmp_path, [TASK_CRUD, AUTHENTICATION])
    _emit(root, "task-crud")
    backend = root / "backend"
    assert not (backend / "app" / "routers" / "auth.py").exists()
    first = run_generated_tests(backend)
    assert first.returncode == 0, first.stdout[-3000:]
    _emit(root, "authentication")
    assert (backend / "app" / "routers" / "auth.py").exists()
    second = run_generated_tests(backend)
    assert second.returncode == 0, second.stdout[-3000:]
    assert (
        "test_register_sign_in_then_work_with_tasks"
        in (backend / "tests" / "test_auth.py").read_text()
    )


# --- the rule that merges the plans' auth settings ---------------------------------------------


def _plan(feature: str, auth: dict | None = None, **extra: object) -> BackendPlan:
    data: dict = {"feature": feature, **extra}
    if auth is not None:
        data["auth"] = auth
    if "resources" not in data and (auth or {}).get("mode") != "local":
        name = feature.replace("-", "_")
        data["resources"] = {
            f"{name}_thing": {
                "table": f"{name}_things",
                "path": f"/api/{feature}",
                "fields": {"x": {"type": "int"}},
            }
        }
    return BackendPlan.model_validate(data)


def test_a_plan_that_leaves_auth_out_takes_it_from_the_others() -> None:
    auth = {"mode": "local", "secret_env": "APP_SECRET", "user_id_type": "uuid"}
    view = build_project([_plan("authentication", auth), _plan("notes")], "notes")
    assert (view.auth.mode, view.auth.secret_env, view.auth.user_id_type) == (
        "local",
        "APP_SECRET",
        "uuid",
    )
    assert view.resources[0].owner_py == "UUID"


def test_local_and_shared_secret_combine_into_local() -> None:
    tasks = _plan("tasks", {"mode": "shared-secret", "secret_env": "BETTER_AUTH_SECRET"})
    view = build_project(
        [tasks, _plan("authentication", {"mode": "local"})], "tasks", ["tasks", "authentication"]
    )
    assert view.auth.mode == "local" and view.auth.secret_env == "BETTER_AUTH_SECRET"
    assert view.auth_feature == "authentication" and not view.creates_users


def test_until_the_auth_feature_is_emitted_nothing_issues_tokens() -> None:
    tasks = _plan("tasks", {"mode": "shared-secret"})
    view = build_project([tasks, _plan("authentication", {"mode": "local"})], "tasks", ["tasks"])
    assert view.auth.mode == "shared-secret" and view.routers == ["tasks_things"]


def test_explicit_disagreement_is_refused_naming_plans_and_key() -> None:
    one = _plan("tasks", {"secret_env": "BETTER_AUTH_SECRET"})
    two = _plan("authentication", {"mode": "local", "secret_env": "APP_SECRET"})
    with pytest.raises(PlanError) as error:
        build_project([one, two], "tasks")
    message = str(error.value)
    assert "'authentication' and 'tasks' disagree on auth.secret_env" in message
    assert "APP_SECRET" in message and "BETTER_AUTH_SECRET" in message
    assert "leave auth.secret_env out of one plan" in message


def test_jwks_combines_with_no_other_mode() -> None:
    keys = _plan("projects", {"mode": "jwks", "algorithms": ["RS256"]})
    with pytest.raises(PlanError, match="'jwks' cannot be combined"):
        build_project([keys, _plan("authentication", {"mode": "local"})], "projects")


def test_a_users_resource_clashes_with_local_auth() -> None:
    users = _plan(
        "people",
        resources={
            "user": {"table": "users", "path": "/api/users", "fields": {"name": {"type": "str"}}}
        },
    )
    with pytest.raises(PlanError, match="clashes with the users table"):
        build_project([users, _plan("authentication", {"mode": "local"})], "people")


def test_errors_merge_the_same_way() -> None:
    one = _plan("a", errors={"envelope": "detail"})
    two = _plan("b", errors={"not_owner_status": 403})
    view = build_project([one, two], "a")
    assert (view.errors.envelope, view.errors.not_owner_status) == ("detail", 403)
    with pytest.raises(PlanError, match="disagree on errors.envelope"):
        build_project([one, _plan("c", errors={"envelope": "error"})], "a")


def test_jwks_mode_defaults_to_rs256() -> None:
    assert _plan("p", {"mode": "jwks"}).auth.algorithms == ["RS256"]
