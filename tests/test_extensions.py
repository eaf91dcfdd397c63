"""Hand-written code has a home: the extension modules and test files the generator creates once.

On the task example and on the local-auth example (user id in the path, int ids, tokens issued by
the app), a custom `GET .../stats` endpoint (owner-scoped), an app-wide route and their tests are
written into the created-once files. The plan then changes five times, each change followed by an
emit (one of them with --force): every emit has zero conflicts and leaves the hand-written files
byte for byte, and after each the custom endpoint is still served and its tests pass.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, make_project, run_generated_tests, sp_backend

Plan = dict[str, Any]


@dataclass(frozen=True)
class Example:
    plans: tuple[Path, ...]  # emitted in this order; the last one is the feature that changes
    resource: str  # the plan's resource name (task)
    cls: str  # its model class (Task)
    collection: str  # its table, which names the router and extension modules (tasks)
    path_user: bool  # the user id is part of the path (/api/{user_id}/notes)

    @property
    def feature(self) -> str:
        return self.plans[-1].name.removesuffix(".plan.yaml")


EXAMPLE_PLANS = EXAMPLES / "task-crud" / "specs" / "backend"
LOCAL_PLANS = EXAMPLES / "local-auth" / "specs" / "backend"
EXAMPLES_UNDER_TEST = {
    "task-crud": Example(
        (EXAMPLE_PLANS / "task-crud.plan.yaml",), "task", "Task", "tasks", path_user=False
    ),
    "local-auth": Example(
        (LOCAL_PLANS / "authentication.plan.yaml", LOCAL_PLANS / "notes.plan.yaml"),
        "note",
        "Note",
        "notes",
        path_user=True,
    ),
}


def extension_module(example: Example) -> str:
    """What a user writes into app/extensions/<collection>.py: a schema, a query, a route."""
    module, cls = example.resource, example.cls
    return f'''"""My own {module} routes."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import Session, func, select

from app.dependencies import CurrentUserId, SessionDep
from app.models.{module} import {cls}

router = APIRouter()


class {cls}Stats(BaseModel):
    total: int


def count_owned(session: Session, user_id: str) -> int:
    statement = select(func.count()).select_from({cls}).where({cls}.user_id == user_id)
    return session.exec(statement).one()


@router.get("/stats")
def {module}_stats(session: SessionDep, user_id: CurrentUserId) -> {cls}Stats:
    return {cls}Stats(total=count_owned(session, user_id))
'''


APP_EXTENSION = '''"""My own app-wide routes."""

from fastapi import APIRouter

from app.dependencies import CurrentUserId

router = APIRouter()


@router.get("/api/whoami")
def whoami(user_id: CurrentUserId) -> dict[str, str]:
    return {"user_id": str(user_id)}
'''


def custom_tests(example: Example) -> str:
    """What a user writes into tests/test_<collection>_custom.py."""
    text = f'''"""My own tests."""

from fastapi.testclient import TestClient

from tests.conftest import ALICE, BOB, assert_error, auth
from tests.test_{example.collection} import create, payload, url


def test_stats_count_only_the_callers_rows(client: TestClient) -> None:
    create(client, ALICE, payload(1))
    create(client, ALICE, payload(2))
    create(client, BOB, payload(3))
    mine = client.get(url(ALICE, "/stats"), headers=auth(ALICE))
    assert mine.status_code == 200, mine.text
    assert mine.json() == {{"total": 2}}
    assert client.get(url(BOB, "/stats"), headers=auth(BOB)).json() == {{"total": 1}}


def test_stats_needs_a_signed_in_caller(client: TestClient) -> None:
    assert_error(client.get(url(ALICE, "/stats")), 401)


def test_app_wide_route_knows_the_caller(client: TestClient) -> None:
    response = client.get("/api/whoami", headers=auth(BOB))
    assert response.json() == {{"user_id": str(BOB)}}
'''
    if example.path_user:
        text += """

def test_stats_on_someone_elses_path_is_refused(client: TestClient) -> None:
    response = client.get(url(ALICE, "/stats"), headers=auth(BOB))
    assert response.status_code in (403, 404), response.text
"""
    return text


CUSTOM_TEST_COUNT = {False: 3, True: 4}  # by path_user


# The plan changes, applied one after another to the example's resource.
def add_a_field(resource: Plan) -> None:
    resource["fields"]["archived"] = {"type": "bool", "default": False}


def change_a_length(resource: Plan) -> None:
    field = next(f for f in resource["fields"].values() if "max_length" in f)
    field["max_length"] += 20


def add_a_filter(resource: Plan) -> None:
    resource["operations"]["list"]["filters"].append("archived")


def change_the_page_size(resource: Plan) -> None:
    resource["operations"]["list"]["pagination"]["default"] = 15


def add_an_action(resource: Plan) -> None:
    resource["operations"].setdefault("actions", {})["archive"] = {
        "method": "POST",
        "path": "/{id}/archive",
        "effect": "toggle",
        "field": "archived",
    }


CHANGES: list[Callable[[Plan], None]] = [
    add_a_field,
    change_a_length,
    add_a_filter,
    change_the_page_size,
    add_an_action,
]


def _emit(root: Path, feature: str, *args: str) -> dict[str, Any]:
    result = sp_backend("emit", feature, "--root", str(root), "--with-tests", "--json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _actions(report: dict[str, Any]) -> dict[str, str]:
    return {f["path"]: f["action"] for f in report["files"]}


def _passed(output: str) -> int:
    found = re.search(r"(\d+) passed", output)
    return int(found.group(1)) if found else 0


def _change_plan(plan_file: Path, resource: str, change: Callable[[Plan], None]) -> None:
    data = yaml.safe_load(plan_file.read_text())
    before = copy.deepcopy(data)
    change(data["resources"][resource])
    assert data != before, change.__name__
    plan_file.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("name", list(EXAMPLES_UNDER_TEST))
def test_custom_endpoint_survives_five_changed_re_emits(tmp_path: Path, name: str) -> None:
    example = EXAMPLES_UNDER_TEST[name]
    root = make_project(tmp_path)
    for plan in example.plans:
        shutil.copy(plan, root / "specs" / "backend" / plan.name)
    for plan in example.plans:
        first = _emit(root, plan.name.removesuffix(".plan.yaml"))
    backend = root / "backend"
    own = {
        f"app/extensions/{example.collection}.py": extension_module(example),
        "app/extensions/main.py": APP_EXTENSION,
        f"tests/test_{example.collection}_custom.py": custom_tests(example),
    }
    for rel in own:  # app/extensions/main.py: created by the first feature's emit
        assert _actions(first)[rel] in ("created", "kept"), rel
        assert (backend / rel).exists()
    for rel, text in own.items():
        (backend / rel).write_text(text)
    manifest = json.loads((backend / ".sp-backend" / "manifest.json").read_text())
    assert set(own) <= set(manifest["user_files"])
    assert not set(own) & set(manifest["files"])

    custom = f"tests/test_{example.collection}_custom.py"
    plan_file = root / "specs" / "backend" / example.plans[-1].name
    for step, change in enumerate(CHANGES):
        _change_plan(plan_file, example.resource, change)
        force = ("--force",) if step == 2 else ()
        report = _emit(root, example.feature, *force)
        actions = _actions(report)
        assert report["summary"]["conflict"] == 0, (change.__name__, report["summary"])
        assert not list(backend.rglob("*.new")), change.__name__
        assert "updated" in actions.values(), f"{change.__name__} changed no generated file"
        for rel, text in own.items():
            assert actions[rel] == "kept", (change.__name__, rel)
            assert (backend / rel).read_text() == text, (change.__name__, rel)
        run = run_generated_tests(backend, extra=(custom,))
        assert run.returncode == 0, f"{change.__name__}:\n{run.stdout[-3000:]}"
        assert _passed(run.stdout) == CUSTOM_TEST_COUNT[example.path_user], run.stdout[-500:]

    # The last plan is in force, the custom routes still come before the generated ones, and
    # the whole generated suite passes beside the custom code.
    router = (backend / "app" / "routers" / f"{example.collection}.py").read_text()
    assert "/archive" in router
    assert router.index("router.include_router(extension_router)") < router.index("@router.")
    whole = run_generated_tests(backend)
    assert whole.returncode == 0, whole.stdout[-3000:]


def test_created_once_files_are_listed_as_the_users_and_are_clean(tmp_path: Path) -> None:
    """The starters people keep pass ruff check and format, and name files that exist."""
    root = make_project(tmp_path, EXAMPLE_PLANS / "task-crud.plan.yaml")
    report = _emit(root, "task-crud")
    backend = root / "backend"
    manifest = json.loads((backend / ".sp-backend" / "manifest.json").read_text())
    assert set(manifest["user_files"]) == {
        "app/extensions/__init__.py",
        "app/extensions/main.py",
        "app/extensions/tasks.py",
        "tests/test_tasks_custom.py",
    }
    assert {_actions(report)[rel] for rel in manifest["user_files"]} == {"created"}
    starter = (backend / "app" / "extensions" / "tasks.py").read_text()
    for named in re.findall(r"\b((?:app|tests)/[\w/]+\.py)\b", starter):
        assert (backend / named).exists(), named
    assert "GET /api/tasks/stats" in starter
    paths = [str(backend / rel) for rel in manifest["user_files"]]
    for command in (["check"], ["format", "--check"]):
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *paths],
            capture_output=True,
            text=True,
            cwd=backend,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
