"""Clean output (issue 13): every backend the repository generates, from each example project
and each plan and spec fixture, passes `ruff check`, `ruff format --check` and `mypy` (strict,
from the backend's own pyproject.toml) as a user runs them in backend/, generated tests and
the created-once extension modules included.

One mypy cache serves every run of the session: the libraries (FastAPI, SQLModel, SQLAlchemy,
Pydantic, Starlette) are analysed once, each backend's own modules on every run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, sp_backend

SPEC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "specs"


def _example(folder: str, *features: str) -> list[Path]:
    return [EXAMPLES / folder / "specs" / "backend" / f"{f}.plan.yaml" for f in features]


TASK_CRUD = _example("task-crud", "task-crud")
# A backend from plan files, emitted in this order into one project.
FROM_PLANS: dict[str, list[Path]] = {
    "task-crud": TASK_CRUD,
    # task-crud-auth is the authentication feature added to task-crud's backend (.ci/demo).
    "task-crud-auth": TASK_CRUD + _example("task-crud-auth", "authentication"),
    "local-auth": _example("local-auth", "authentication", "notes"),
    "shared-secret-path": _example("shared-secret-path", "habits"),
    "jwks": _example("jwks", "projects"),
    **{p.name.removesuffix(".plan.yaml"): [p] for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))},
    "library": [PLAN_FIXTURES / "library" / f"{f}.plan.yaml" for f in ("authentication", "books")],
}
# A backend from a spec project's contracts: gathered, then emitted (as tests/test_check.py).
FROM_SPECS = {
    "expenses-designer": "expenses",
    "fleet-memo": "servicelog",
    "choir-attendance": "attendance",
    "apiary-openapi": "inspections",
    "garden-plots-scenarios": "garden-plots",
    "storm-shelters-openapi": "shelters",
    "inventory-table": "inventory",
    "notes-heading": "notes",
    "room-booking": "room-booking",
    "workshop-upkeep": "upkeep",
    "vinyl-shelf": "shelf",
    "toolshed-json": "toolshed",
    "venue-directory-json": "venues",
    "kiln-log": "firings",
    "locker-hire": "lockers",
    "invoice-desk": "invoices",
    "pattern-swap": "patterns",
    "pantry-minutes": "pantry",
    "mooring-register": "berths",
    "radio-schedule": "shows",
    "orchard-conventions": "orchard",  # list conventions stated once for three collections
    "bike-coop-openapi": "repairs",  # int account ids, a camelCase profile key
    "apiary-letter": "honeycomb",  # embedded summaries and counts
    "trail-handbook": "trails",  # slugs the client gives, unique per owner; a child nested by one
}
BACKENDS = [*FROM_PLANS, *FROM_SPECS]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def _emit(root: Path, feature: str) -> None:
    result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stdout + result.stderr


def emit_backend(name: str, folder: Path) -> Path:
    """The backend of BACKENDS[name], emitted under folder."""
    if name in FROM_PLANS:
        # Every plan in the project from the start (their settings merge), then emitted.
        root = make_project(folder)
        features = [yaml.safe_load(plan.read_text())["feature"] for plan in FROM_PLANS[name]]
        for plan, feature in zip(FROM_PLANS[name], features, strict=True):
            shutil.copy(plan, root / "specs" / "backend" / f"{feature}.plan.yaml")
        for feature in features:
            _emit(root, feature)
    else:
        feature = FROM_SPECS[name]
        root = folder / name
        shutil.copytree(SPEC_FIXTURES / name, root)
        gathered = sp_backend("gather", feature, "--root", str(root))
        assert gathered.returncode == 0, gathered.stdout + gathered.stderr
        _emit(root, feature)
    return root / "backend"


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("name", BACKENDS)
def test_generated_backend_passes_ruff_and_mypy_strict(
    name: str, tmp_path: Path, mypy_cache: Path
) -> None:
    backend = emit_backend(name, tmp_path)
    config = tomllib.loads((backend / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["strict"] is True, config  # `mypy .` in backend/ is the strict check
    assert "pydantic.mypy" in config["plugins"], config
    lint = _run(["ruff", "check", "--no-cache", "."], backend)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    layout = _run(["ruff", "format", "--check", "--no-cache", "."], backend)
    assert layout.returncode == 0, layout.stdout + layout.stderr
    # Exactly the user's command, the shared cache aside (its own folder by default).
    types = _run(["mypy", "--cache-dir", str(mypy_cache), "."], backend)
    assert types.returncode == 0, types.stdout + types.stderr
    assert types.stdout.startswith("Success: no issues found"), types.stdout
