"""Every shipped plan's generated backend passes its own generated tests, on SQLite and on
PostgreSQL (a fresh database per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, run_generated_tests, sp_backend

PLANS = {
    "task-crud": EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml",
    **{p.name.removesuffix(".plan.yaml"): p for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))},
    # Shared secret with the user id in the path, and JWKS (ES256); local auth needs two plans
    # and is covered with the others in test_auth_modes.py.
    "habits": EXAMPLES / "shared-secret-path" / "specs" / "backend" / "habits.plan.yaml",
    "projects": EXAMPLES / "jwks" / "specs" / "backend" / "projects.plan.yaml",
}


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for feature, plan in PLANS.items():
        root = make_project(tmp_path_factory.mktemp(feature), plan)
        result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
        assert result.returncode == 0, result.stderr
        out[feature] = root / "backend"
    return out


def _summary(output: str) -> str:
    return output.strip().splitlines()[-1] if output.strip() else "(no output)"


@pytest.mark.parametrize("feature", list(PLANS))
def test_generated_tests_pass_on_sqlite(backends: dict[str, Path], feature: str) -> None:
    result = run_generated_tests(backends[feature])
    print(f"{feature} on SQLite: {_summary(result.stdout)}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    # Only the PostgreSQL-only fault tests may skip here (and they must run on PostgreSQL).
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all(line.endswith("a PostgreSQL behaviour") for line in skips), skips


@pytest.mark.parametrize("feature", list(PLANS))
def test_generated_tests_pass_on_postgres(
    backends: dict[str, Path], feature: str, postgres_database: str
) -> None:
    result = run_generated_tests(backends[feature], postgres_database)
    print(f"{feature} on PostgreSQL: {_summary(result.stdout)}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
