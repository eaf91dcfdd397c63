"""`sp-backend check`: silent on every generated example (against the OpenAPI and a running
server), and each kind of drift between contract and app is found and located."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from live_backend import backend_env, migrate, serve

from conftest import EXAMPLES, SCRIPTS, sp_backend

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "specs"
CONTRACT = "specs/api/task-crud-endpoints.md"
# Spec projects of ours: the example, and the reader fixtures (gathered, then emitted).
PROJECTS = {
    "task-crud": (EXAMPLES / "task-crud", "task-crud"),
    "notes-heading": (FIXTURES / "notes-heading", "notes"),
    "inventory-table": (FIXTURES / "inventory-table", "inventory"),
    "expenses-designer": (FIXTURES / "expenses-designer", "expenses"),
}


def _project(tmp_path: Path, name: str) -> tuple[Path, str]:
    source, feature = PROJECTS[name]
    root = tmp_path / name
    shutil.copytree(source, root)
    if not (root / "specs" / "backend" / f"{feature}.plan.yaml").exists():
        gathered = sp_backend("gather", feature, "--root", str(root))
        assert gathered.returncode == 0, gathered.stderr
    emitted = sp_backend("emit", feature, "--root", str(root))
    assert emitted.returncode == 0, emitted.stderr
    return root, feature


def _check(root: Path, feature: str, *extra: str) -> tuple[int, dict]:
    result = sp_backend("check", feature, "--root", str(root), "--json", *extra)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


# Real departures of a generated backend from its contract, each with why (the check must keep
# finding them until the generator follows the contract): contract line -> kind.
KNOWN = {
    "expenses-designer": {
        # the contract shows "amount": 12.5, the app serialises decimals as strings ("12.50")
        ("specs/api/expenses-endpoints.md:29", "response-shape"),
        # the contract's error example has "details": {} (an object); the app sends a list
        ("specs/api/expenses-endpoints.md:66", "response-shape"),
    },
}


@pytest.mark.parametrize("name", list(PROJECTS))
def test_check_finds_nothing_on_a_generated_example(tmp_path: Path, name: str) -> None:
    root, feature = _project(tmp_path, name)
    code, report = _check(root, feature)
    found = {(m["source"], m["kind"]) for m in report["mismatches"]}
    assert found == KNOWN.get(name, set()), report["mismatches"]
    assert code == (1 if KNOWN.get(name) else 0)
    assert report["endpoints_checked"] >= 4
    assert report["normative_lines"] >= 5


def test_check_against_a_running_server_finds_nothing(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    env = backend_env(f"sqlite:///{tmp_path}/live.db")
    migrate(root / "backend", env)
    with serve(root / "backend", env, tmp_path / "server.log") as server:
        result = subprocess.run(
            [
                sys.executable,
                str(SCRIPTS / "check_contract.py"),
                feature,
                "--root",
                str(root),
                "--url",
                server.url,
                "--json",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    report = json.loads(result.stdout)
    assert (result.returncode, report["mismatches"]) == (0, []), result.stderr
    # every status the contract names per endpoint was asked for: 200/201/204, 404, 422
    assert report["requests_made"] >= 15
    assert not [n for n in report["notes"] if "not probed" in n]


def _edit(root: Path, old: str, new: str) -> int:
    """Replace text in the contract; return the 1-based line it is on."""
    path = root / CONTRACT
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_check_finds_an_endpoint_the_app_does_not_serve(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    text = (root / CONTRACT).read_text(encoding="utf-8")
    added = (
        "\n### 7. Archive Task\n\n**POST** `/api/tasks/{id}/archive`\n\n**Response (200 OK):**\n"
    )
    (root / CONTRACT).write_text(text + added, encoding="utf-8")
    line = text.count("\n") + 4
    code, report = _check(root, feature)
    assert code == 1
    (mismatch,) = report["mismatches"]
    assert mismatch["kind"] == "missing-endpoint"
    assert mismatch["source"] == f"{CONTRACT}:{line}"
    assert mismatch["endpoint"] == "POST /api/tasks/{id}/archive"


def test_check_finds_a_changed_success_status(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    _edit(root, "**Response (204 No Content)**", "**Response (200 OK)**")
    code, report = _check(root, feature)
    assert code == 1
    (mismatch,) = report["mismatches"]
    assert mismatch["kind"] == "success-status"
    assert mismatch["endpoint"] == "DELETE /api/tasks/{id}"
    assert re.fullmatch(rf"{CONTRACT}:\d+", mismatch["source"])
    assert "200" in mismatch["message"] and "204" in mismatch["message"]


def test_check_finds_a_renamed_path_and_names_the_served_one(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    line = _edit(root, "**PATCH** `/api/tasks/{id}/complete`", "**PATCH** `/api/tasks/{id}/done`")
    code, report = _check(root, feature)
    assert code == 1
    (mismatch,) = report["mismatches"]
    assert mismatch["kind"] == "missing-endpoint"
    assert mismatch["source"] == f"{CONTRACT}:{line}"
    assert "/api/tasks/{task_id}/complete" in mismatch["message"]
    assert any("complete: served but not in the contract" in n for n in report["notes"])


def test_check_finds_an_error_status_and_a_field_the_app_lacks(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    _edit(
        root,
        "**404 Not Found** - no such task for this user\n\n---\n\n### 4.",
        "**404 Not Found** - no such task for this user; **429 Too Many Requests**\n\n---\n\n"
        "### 4.",
    )
    _edit(
        root,
        '  "tags": ["admin"]\n}\n```\n\n**Validation Rules:**',
        '  "tags": ["admin"],\n  "colour": "red"\n}\n```\n\n**Validation Rules:**',
    )
    code, report = _check(root, feature)
    kinds = sorted(m["kind"] for m in report["mismatches"])
    assert code == 1 and kinds == ["error-status", "request-shape"], report["mismatches"]


def test_a_live_server_that_differs_is_reported(tmp_path: Path) -> None:
    root, feature = _project(tmp_path, "task-crud")
    env = backend_env(f"sqlite:///{tmp_path}/live.db")
    migrate(root / "backend", env)
    with serve(root / "backend", env, tmp_path / "server.log") as server:
        # the app's OpenAPI is re-read from disk, the server keeps running the old code: a
        # contract saying 200 for DELETE disagrees with both
        _edit(root, "**Response (204 No Content)**", "**Response (200 OK)**")
        code, report = _check(root, feature, "--url", server.url)
    assert code == 1
    assert {m["kind"] for m in report["mismatches"]} == {
        "success-status",
        "live-status",
        "live-example",
    }


def test_check_without_a_backend_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES / "task-crud", root)
    result = sp_backend("check", "task-crud", "--root", str(root))
    assert result.returncode == 1
    assert "sp-backend emit" in result.stderr


SHARED_SCHEMA_CONTRACT = """\
openapi: 3.1.0
info: {title: Kiln log, version: "1"}
paths:
  /firings:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Firing'}
      responses:
        "201":
          description: Logged
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Firing'}
components:
  schemas:
    Firing:
      type: object
      properties:
        id: {type: string, format: uuid, readOnly: true}
        cone: {type: integer, minimum: 1, maximum: 12}
        kiln_code: {type: string, writeOnly: true, maxLength: 8}
"""


def test_one_schema_for_body_and_answer_keeps_read_only_out_of_the_body() -> None:
    """A request body and its answer that share a schema: the body is promised without its
    readOnly properties and the answer without its writeOnly ones, as OpenAPI means them."""
    from sp_backend.check.contract import read_openapi

    (promise,) = read_openapi(SHARED_SCHEMA_CONTRACT, "specs/api/kiln.yaml")
    request = next(e for e in promise.examples if e.role == "request")
    response = next(e for e in promise.examples if e.role == "response")
    assert set(request.value) == {"cone", "kiln_code"}
    assert set(response.value) == {"id", "cone"}
    assert set(promise.body_fields) == {"cone", "kiln_code"}
