"""Schemathesis against every generated example: each backend is migrated, served with uvicorn
on SQLite, authenticated with a development token and fuzzed with a fixed seed, at least 100
examples per operation, all checks (stateful where the OpenAPI links operations).

Zero failures allowed. The case counts are printed (`pytest -s` shows them)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from live_backend import BIN, backend_env, devtoken, migrate, run_in, serve

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, sp_backend

pytest.importorskip("schemathesis")

from sp_backend.emit.fields import _valid_values
from sp_backend.plan.load import load_plan

PLANS = {
    "task-crud": EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml",
    "habits": EXAMPLES / "shared-secret-path" / "specs" / "backend" / "habits.plan.yaml",
    **{p.name.removesuffix(".plan.yaml"): p for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))},
}
EXAMPLES_PER_OPERATION = 100
SEED = 20261126
HOOKS = Path(__file__).resolve().parent / "schemathesis_hooks.py"


def _unstated_rules(plan_file: Path) -> dict[str, object]:
    """The rules JSON Schema cannot state (see schemathesis_hooks.py), read from the plan."""
    plan = load_plan(plan_file)
    clock: dict[str, str] = {}
    decimals: dict[str, dict[str, object]] = {}
    cursors: list[str] = []
    for name, resource in plan.resources.items():
        for field, spec in resource.fields.items():
            for rule in spec.input_rules:
                if rule in ("future", "past"):
                    clock[field] = rule
            if spec.type == "decimal":
                bounds = spec.model_dump(
                    include={"gt", "ge", "lt", "le", "max_digits", "decimal_places"}
                )
                valid = _valid_values(spec, f"{name}.{field}")[0]
                decimals[field] = {**bounds, "valid": valid}
        listing = resource.operations.list
        if listing is not None and listing.pagination.style == "cursor":
            cursors.append("cursor")
    return {"clock": clock, "decimals": decimals, "cursor_params": cursors}


def _user_id(plan_file: Path) -> str:
    kind = load_plan(plan_file).auth.user_id_type
    return {"int": "4242", "uuid": "3f0c6b1e-8a4d-4c57-9a6e-1d2b3c4d5e6f"}.get(kind, "fuzz-user-1")


@pytest.mark.parametrize("feature", list(PLANS))
def test_schemathesis_finds_nothing(feature: str, tmp_path: Path) -> None:
    plan_file = PLANS[feature]
    root = make_project(tmp_path, plan_file)
    emitted = sp_backend("emit", feature, "--root", str(root))
    assert emitted.returncode == 0, emitted.stderr
    backend = root / "backend"
    env = backend_env(f"sqlite:///{tmp_path}/fuzz.db")
    migrate(backend, env)
    user_id = _user_id(plan_file)
    token = devtoken(backend, env, user_id)
    with serve(backend, env, tmp_path / "server.log") as server:
        run_env = {
            **env,
            "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
            "PYTHONPATH": str(HOOKS.parent),
            "SPB_FUZZ_RULES": json.dumps(_unstated_rules(plan_file)),
        }
        # A {user_id} in the path must be the token's: pin it, or every call is a 403.
        config = tmp_path / "schemathesis.toml"
        config.write_text(f'[parameters]\n"path.user_id" = "{user_id}"\n', encoding="utf-8")
        result = run_in(
            tmp_path,
            [
                str(BIN / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{server.url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                str(SEED),
                "--generation-database",
                "none",
                "--workers",
                "1",
                "--no-color",
                "--request-timeout",
                "20",
            ],
            run_env,
            timeout=900,
        )
        server_log = server.output()
    output = result.stdout + result.stderr
    counts = re.search(r"Test cases:\s*\n\s*(.+)", output)
    operations = re.search(r"Tested: (\d+)", output)
    print(
        f"\nschemathesis {feature}: {operations.group(1) if operations else '?'} operations, "
        f"{counts.group(1).strip() if counts else 'no count'}",
        file=sys.stderr,
    )
    assert result.returncode == 0, output[-12000:] + "\n--- server log ---\n" + server_log[-3000:]
    assert counts and "generated" in counts.group(1)
    assert "Traceback" not in server_log, server_log[-4000:]
