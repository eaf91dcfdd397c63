"""The plan loader: good plans load; bad ones name file, line, key path and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan, parse_plan

EXAMPLE_PLAN = EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"
ALL_PLANS = [EXAMPLE_PLAN, *sorted(PLAN_FIXTURES.glob("*.plan.yaml"))]


@pytest.mark.parametrize("path", ALL_PLANS, ids=lambda p: p.name)
def test_shipped_plans_are_valid(path: Path) -> None:
    plan = load_plan(path)
    assert plan.resources


def _bad(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_PLAN.read_text()
    assert old in text
    path = tmp_path / "specs" / "backend" / "task-crud.plan.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_field_type_names_file_line_key_and_choices(tmp_path: Path) -> None:
    path = _bad(tmp_path, "priority: {type: enum", 'priority: {type: "string[]"')
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert f"{path}:{_line_of(path, 'string[]')}:" in message
    assert "resources.task.fields.priority.type" in message
    assert "'string[]' is not allowed" in message and "'list[str]'" in message


def test_missing_key_is_named(tmp_path: Path) -> None:
    path = _bad(tmp_path, "    table: tasks\n", "")
    with pytest.raises(PlanError, match=r"resources\.task\.table: required key is missing"):
        load_plan(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "min_length: 1, max_length: 100",
            "min_length: 10, max_length: 5",
            "min_length 10 > max_length 5",
        ),
        (
            "completed: {type: bool, default: false",
            "completed: {type: bool, default: maybe",
            "does not fit type bool",
        ),
        (
            "description: {type: text, max_length: 500}",
            "description: {type: text, ge: 5}",
            "ge/le/gt/lt apply to int, float or decimal",
        ),
        (
            "filters: [completed, priority]",
            "filters: [completed, colour]",
            "list filter 'colour' is not a field",
        ),
        ("default: -created_at", "default: -colour", "default sort '-colour' must be one of"),
        ("titel_typo", "x", None),
    ],
)
def test_bad_constraints_are_explained(
    tmp_path: Path, old: str, new: str, expected: str | None
) -> None:
    if expected is None:
        path = _bad(tmp_path, "title: {type: str", "title: {titel_typo: 1, type: str")
        expected = "unknown key"
    else:
        path = _bad(tmp_path, old, new)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.plan.yaml"
    path.write_text("plan_version: 1\nfeature: x\nresources: {a: [\n")
    with pytest.raises(PlanError, match=r"broken\.plan\.yaml:\d+: not valid YAML"):
        load_plan(path)


def test_a_plan_must_be_a_mapping() -> None:
    with pytest.raises(PlanError, match="a plan is a YAML mapping"):
        parse_plan("- just\n- a list\n", "list.plan.yaml")


def test_missing_plan_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="sp-backend gather"):
        load_plan(tmp_path / "nope.plan.yaml")


def test_jwks_mode_refuses_symmetric_algorithms(tmp_path: Path) -> None:
    path = _bad(tmp_path, "mode: shared-secret", "mode: jwks")
    with pytest.raises(PlanError, match="algorithm-confusion"):
        load_plan(path)


def test_validate_command_exit_codes(tmp_path: Path) -> None:
    root = make_project(tmp_path, EXAMPLE_PLAN)
    ok = sp_backend("validate", "task-crud", "--root", str(root), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"] is True
    bad = _bad(tmp_path, "id: uuid", "id: guid")
    result = sp_backend("validate", "task-crud", "--plan", str(bad))
    assert result.returncode == 3
    assert "resources.task.id" in result.stderr and result.stdout == ""
    missing = sp_backend("validate", "nothing-here", "--root", str(tmp_path / "empty"))
    assert missing.returncode == 3


def test_plan_schema_is_json_schema() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "BackendPlan"
    assert {"feature", "resources", "auth", "errors"} <= set(schema["properties"])


@pytest.mark.parametrize("key", ["email", "nickName"])
def test_a_profile_json_name_taken_by_the_account_or_another_field_is_refused(key: str) -> None:
    from pydantic import ValidationError

    from sp_backend.plan.accounts import Accounts

    fields = {
        "nick_name": {"type": "str", "json_name": "nickName"},
        "home_town": {"type": "str", "json_name": key},
    }
    with pytest.raises(ValidationError, match=f"profile json_name '{key}'"):
        Accounts.model_validate({"fields": fields})
    fields["home_town"]["json_name"] = "homeTown"
    assert Accounts.model_validate({"fields": fields}).fields["home_town"].json_name == "homeTown"
