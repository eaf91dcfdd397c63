"""Roles in auth.mode local (issue 15, item 5): `auth.role_column` names the users-table column
a role is stored in, `auth.roles_claim` the claim the tokens this backend issues carry it in;
refused with the file and key where they do not fit. The emitted backend (rowing.plan.yaml) has
the column, puts it in the issued tokens, refuses it in register and profile bodies, and makes
the first captain with `python -m app.roles` (its generated tests/test_roles.py proves each, on
SQLite and PostgreSQL in test_generated_backends.py; schemathesis grants the fuzzer's account
the role the same way)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan

ROWING = Path(__file__).resolve().parent / "fixtures" / "plans" / "rowing.plan.yaml"


def _refused(tmp_path: Path, change, *needles: str) -> None:
    plan = yaml.safe_load(ROWING.read_text())
    change(plan)
    path = tmp_path / "rowing.plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert str(path) in message, message
    for needle in needles:
        assert needle in message, message


def test_local_roles_need_the_column_they_come_from(tmp_path: Path) -> None:
    _refused(tmp_path, lambda p: p["auth"].pop("role_column"), "auth.role_column: role")


def test_the_column_needs_the_claim_the_tokens_carry_it_in(tmp_path: Path) -> None:
    _refused(tmp_path, lambda p: p["auth"].pop("roles_claim"), "auth.roles_claim")


def test_a_token_mode_has_no_role_column(tmp_path: Path) -> None:
    def provider(plan: dict) -> None:
        plan["auth"]["mode"] = "shared-secret"
        plan["auth"].pop("routes_prefix")

    _refused(tmp_path, provider, "auth.role_column", "only mode 'local'")


@pytest.mark.parametrize("name", ["email", "password_hash"])
def test_the_column_cannot_take_an_accounts_own_name(tmp_path: Path, name: str) -> None:
    _refused(tmp_path, lambda p: p["auth"].update(role_column=name), f"{name!r}", "taken")


def test_emitted_tokens_carry_the_column_and_no_body_sets_it(tmp_path: Path) -> None:
    from tests.conftest import make_project, sp_backend

    root = make_project(tmp_path, ROWING)
    result = sp_backend("emit", "rowing", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    model = (backend / "app" / "models" / "user.py").read_text()
    assert "rank: str | None = Field(default=None, max_length=63)" in model
    issued = (backend / "app" / "routers" / "auth.py").read_text()
    assert "issue_token(user.stored_id, settings, user.rank)" in issued
    schemas = (backend / "app" / "schemas" / "user.py").read_text()
    assert "rank" not in schemas  # register and profile bodies forbid unknown keys
    command = (backend / "app" / "roles.py").read_text()
    assert 'ROLES = ["captain"]' in command
    assert (backend / "tests" / "test_roles.py").exists()


def test_gather_reads_a_role_rule_of_local_accounts_as_the_users_column(tmp_path: Path) -> None:
    """A contract whose API registers its own accounts (observatory-ddl) and keeps one
    operation for a role: gather plans the role in the users table, carried by the tokens, and
    says how the first one is granted (unresolved, with the line it read)."""
    import shutil

    from tests.conftest import sp_backend

    root = tmp_path / "project"
    fixture = Path(__file__).resolve().parent / "fixtures" / "specs" / "observatory-ddl"
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("expected.plan.yaml"))
    contract = root / "specs" / "api" / "observing.md"
    lines = contract.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("3.5 `DELETE"))
    lines[number] += " Restricted to curators."
    contract.write_text("\n".join(lines) + "\n")
    gathered = sp_backend("gather", "observing", "--root", str(root))
    assert gathered.returncode == 0, gathered.stderr
    plan = load_plan(root / "specs" / "backend" / "observing.plan.yaml")
    auth = plan.auth
    assert (auth.mode, auth.role_column, auth.roles_claim) == ("local", "role", "role")
    (session,) = plan.resources.values()
    assert session.access.roles == {"delete": ["curator"]}
    said = next(u for u in plan.unresolved if u.what == "how an account gets its role")
    assert said.source == f"specs/api/observing.md:{number + 1}"
    assert "python -m app.roles grant" in str(said.resolution)
