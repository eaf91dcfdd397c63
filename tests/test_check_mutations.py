"""`sp-backend check` is independent of the generator: a generated backend changed the way a hand
edit or a generator bug would change it (a list key renamed, a query parameter renamed, a
constraint dropped, a status changed, an undocumented required field, the error envelope
swapped, ...) is flagged, every time, from the contract alone. Each backend is emitted once;
most mutations edit a copy of its OpenAPI document in process, a few edit the generated source
and are checked against a running server (--url)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from live_backend import backend_env, migrate, serve

from conftest import EXAMPLES, SCRIPTS, sp_backend

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "specs"
PROJECTS = {
    "task-crud": (EXAMPLES / "task-crud", "task-crud"),
    "notes-heading": (FIXTURES / "notes-heading", "notes"),
    "inventory-table": (FIXTURES / "inventory-table", "inventory"),
    "expenses-designer": (FIXTURES / "expenses-designer", "expenses"),
}


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, dict]]:
    """Each project gathered (unless it has a plan) and emitted once, with its app's OpenAPI."""
    from sp_backend.check.app_openapi import load_app_openapi

    out = {}
    for name, (source, feature) in PROJECTS.items():
        root = tmp_path_factory.mktemp(name) / "project"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("expected.plan.yaml"))
        if not (root / "specs" / "backend" / f"{feature}.plan.yaml").exists():
            assert sp_backend("gather", feature, "--root", str(root)).returncode == 0
        result = sp_backend("emit", feature, "--root", str(root))
        assert result.returncode == 0, result.stderr
        out[name] = (root, feature, load_app_openapi(root / "backend"))
    return out


def _schemas(doc: dict) -> dict[str, Any]:
    return doc["components"]["schemas"]


def _op(doc: dict, method: str, path: str) -> dict:
    return doc["paths"][path][method]


def rename_property(schema: str, old: str, new: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        s = _schemas(doc)[schema]
        s["properties"][new] = s["properties"].pop(old)
        s["required"] = [new if r == old else r for r in s.get("required", [])]

    return mutate


def rename_query(method: str, path: str, old: str, new: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        for p in _op(doc, method, path)["parameters"]:
            if p["name"] == old:
                p["name"] = new

    return mutate


def drop_constraint(schema: str, prop: str, key: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        node = _schemas(doc)[schema]["properties"][prop]
        removed = node.pop(key, None) is not None
        for branch in node.get("anyOf", []):
            removed = branch.pop(key, None) is not None or removed
        assert removed, f"{schema}.{prop} has no {key}"

    return mutate


def change_status(method: str, path: str, old: str, new: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        responses = _op(doc, method, path)["responses"]
        responses[new] = responses.pop(old)

    return mutate


def drop_status(method: str, path: str, code: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        del _op(doc, method, path)["responses"][code]

    return mutate


def add_required(schema: str, name: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        s = _schemas(doc)[schema]
        s["properties"][name] = {"type": "string"}
        s.setdefault("required", []).append(name)

    return mutate


def swap_envelope(doc: dict) -> None:
    """{"error": {...}} becomes {"detail": ...}."""
    s = _schemas(doc)["ErrorResponse"]
    s["properties"] = {"detail": {"type": "string"}}
    s["required"] = ["detail"]


def change_type(schema: str, prop: str, new: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _schemas(doc)[schema]["properties"][prop] = {"type": new}

    return mutate


def drop_enum_value(schema: str, prop: str, value: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        node = _schemas(doc)[schema]["properties"][prop]
        target = next(b for b in [node, *node.get("anyOf", [])] if "enum" in b)
        target["enum"].remove(value)

    return mutate


def drop_path(path: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        del doc["paths"][path]

    return mutate


def rename_path(old: str, new: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        doc["paths"][new] = doc["paths"].pop(old)

    return mutate


def _enum_in_query(method: str, path: str, name: str, value: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        for p in _op(doc, method, path)["parameters"]:
            if p["name"] == name:
                schema = p["schema"]
                target = next(
                    b for b in [schema, *schema.get("anyOf", [])] if "enum" in b or "$ref" in b
                )
                if "$ref" in target:
                    ref = target["$ref"].rsplit("/", 1)[-1]
                    _schemas(doc)[ref]["enum"].remove(value)
                else:
                    target["enum"].remove(value)

    return mutate


T, TI = "/api/tasks", "/api/tasks/{task_id}"
N, NI = "/api/{user_id}/notes", "/api/{user_id}/notes/{note_id}"
E = "/api/expenses"
# (project, mutation name, mutation, the finding kind check must report)
MUTATIONS: list[tuple[str, str, Callable[[dict], None], str]] = [
    (
        "task-crud",
        "list key items renamed",
        rename_property("TaskPage", "items", "data"),
        "response-shape",
    ),
    (
        "task-crud",
        "pagination key renamed",
        rename_property("TaskPage", "pagination", "meta"),
        "response-shape",
    ),
    (
        "task-crud",
        "query page_size renamed",
        rename_query("get", T, "page_size", "size"),
        "query-parameter",
    ),
    (
        "task-crud",
        "query sort_by renamed",
        rename_query("get", T, "sort_by", "sort"),
        "query-parameter",
    ),
    (
        "task-crud",
        "title maxLength dropped",
        drop_constraint("TaskCreate", "title", "maxLength"),
        "constraint",
    ),
    (
        "task-crud",
        "description maxLength dropped",
        drop_constraint("TaskCreate", "description", "maxLength"),
        "constraint",
    ),
    ("task-crud", "create answers 200", change_status("post", T, "201", "200"), "success-status"),
    (
        "task-crud",
        "delete answers 200",
        change_status("delete", TI, "204", "200"),
        "success-status",
    ),
    ("task-crud", "get lost its 404", drop_status("get", TI, "404"), "error-status"),
    (
        "task-crud",
        "undocumented required field",
        add_required("TaskCreate", "owner_email"),
        "undocumented-required",
    ),
    (
        "task-crud",
        "request field renamed",
        rename_property("TaskCreate", "due_date", "due"),
        "request-field",
    ),
    (
        "task-crud",
        "priority value dropped",
        drop_enum_value("TaskCreate", "priority", "high"),
        "constraint",
    ),
    (
        "task-crud",
        "completed became a string",
        change_type("TaskPublic", "completed", "string"),
        "response-shape",
    ),
    (
        "task-crud",
        "action path renamed",
        rename_path(TI + "/complete", TI + "/done"),
        "missing-endpoint",
    ),
    (
        "notes-heading",
        "query limit renamed",
        rename_query("get", N, "limit", "per_page"),
        "query-parameter",
    ),
    (
        "notes-heading",
        "heading maxLength dropped",
        drop_constraint("NoteCreate", "heading", "maxLength"),
        "constraint",
    ),
    (
        "notes-heading",
        "color value dropped",
        drop_enum_value("NoteCreate", "color", "green"),
        "constraint",
    ),
    ("notes-heading", "get lost its 404", drop_status("get", NI, "404"), "error-status"),
    ("notes-heading", "pin action removed", drop_path(NI + "/pin"), "missing-endpoint"),
    (
        "notes-heading",
        "create answers 200",
        change_status("post", N, "201", "200"),
        "success-status",
    ),
    ("inventory-table", "query renamed", None, "query-parameter"),  # filled in below
    ("expenses-designer", "error envelope swapped", swap_envelope, "response-shape"),
    (
        "expenses-designer",
        "list key items renamed",
        rename_property("ExpensePage", "items", "results"),
        "response-shape",
    ),
    (
        "expenses-designer",
        "query category renamed",
        rename_query("get", E, "category", "cat"),
        "query-parameter",
    ),
    (
        "expenses-designer",
        "note maxLength dropped",
        drop_constraint("ExpenseCreate", "note", "maxLength"),
        "constraint",
    ),
    (
        "expenses-designer",
        "category value dropped",
        drop_enum_value("ExpenseCreate", "category", "home"),
        "constraint",
    ),
    (
        "expenses-designer",
        "undocumented required field",
        add_required("ExpenseCreate", "receipt"),
        "undocumented-required",
    ),
]


def _inventory_query(doc: dict) -> None:
    """The first documented query parameter of the inventory list, renamed."""
    path = next(p for p in doc["paths"] if p.endswith("/items") or p.endswith("items"))
    params = [p for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "query"]
    params[0]["name"] = params[0]["name"] + "_x"


MUTATIONS[20] = ("inventory-table", "first list query renamed", _inventory_query, "query-parameter")


def _run_check(
    monkeypatch: pytest.MonkeyPatch, root: Path, feature: str, doc: dict
) -> list[dict[str, Any]]:
    from sp_backend.check import run

    monkeypatch.setattr(run, "load_app_openapi", lambda backend: doc)
    report = run.check(root, feature)
    return [m.__dict__ for m in report.mismatches]


def test_at_least_twenty_distinct_mutations_over_four_backends() -> None:
    assert len({(p, n) for p, n, _, _ in MUTATIONS}) >= 20
    assert len({p for p, _, _, _ in MUTATIONS}) >= 4


def test_an_untouched_backend_gives_the_same_findings_in_process(
    emitted: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The baseline every mutation is compared with (the known departures of test_check)."""
    from test_check import KNOWN

    for name, (root, feature, doc) in emitted.items():
        found = {(m["source"], m["kind"]) for m in _run_check(monkeypatch, root, feature, doc)}
        assert found == KNOWN.get(name, set()), (name, found)


@pytest.mark.parametrize(
    ("project", "name", "mutate", "kind"),
    MUTATIONS,
    ids=[f"{p}:{n}" for p, n, _, _ in MUTATIONS],
)
def test_check_flags_a_mutated_backend(
    emitted: dict,
    monkeypatch: pytest.MonkeyPatch,
    project: str,
    name: str,
    mutate: Callable[[dict], None],
    kind: str,
) -> None:
    root, feature, original = emitted[project]
    baseline = {
        json.dumps(m, sort_keys=True) for m in _run_check(monkeypatch, root, feature, original)
    }
    doc = copy.deepcopy(original)
    mutate(doc)
    after = _run_check(monkeypatch, root, feature, doc)
    new = [m for m in after if json.dumps(m, sort_keys=True) not in baseline]
    assert new, f"{project}: {name}: check found nothing new"
    assert kind in {m["kind"] for m in new}, new
    assert all(m["source"].startswith("specs/") for m in new), new


# Mutations of the generated source, checked against the server running it (--url).
def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check_url(root: Path, feature: str, url: str, env: dict) -> tuple[int, dict]:
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "check_contract.py"),
            feature,
            "--root",
            str(root),
            "--url",
            url,
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        # the list envelope renamed in the schema the server answers with (it then fails)
        (
            ("app/schemas/task.py", "    items: list[TaskPublic]", "    data: list[TaskPublic]"),
            {"response-shape", "live-status"},
        ),
        # the create route answers 200 while its OpenAPI still says 201: only --url sees it
        (
            ("app/routers/tasks.py", "json_response(row, 201,", "json_response(row, 200,"),
            {"live-example", "live-status"},
        ),
        # a constraint dropped from the input schema (the live 422 probe and the OpenAPI)
        (
            (
                "app/schemas/task.py",
                "title: str = Field(..., min_length=1, max_length=100,",
                "title: str = Field(..., min_length=1,",
            ),
            {"constraint"},
        ),
    ],
    ids=["list key renamed", "create status changed", "title bound dropped"],
)
def test_check_flags_a_mutated_running_server(
    emitted: dict, tmp_path: Path, edit: tuple[str, str, str], expect: set[str]
) -> None:
    source_root, feature, _ = emitted["task-crud"]
    root = tmp_path / "project"
    shutil.copytree(source_root, root)
    _edit(root / "backend" / edit[0], edit[1], edit[2])
    env = backend_env(f"sqlite:///{tmp_path}/live.db")
    migrate(root / "backend", env)
    with serve(root / "backend", env, tmp_path / "server.log") as server:
        code, report = _check_url(root, feature, server.url, env)
    kinds = {m["kind"] for m in report["mismatches"]}
    assert code == 1 and expect <= kinds, report["mismatches"]


def test_a_true_running_server_is_silent(emitted: dict, tmp_path: Path) -> None:
    root, feature, _ = emitted["notes-heading"]
    env = backend_env(f"sqlite:///{tmp_path}/live.db")
    migrate(root / "backend", env)
    with serve(root / "backend", env, tmp_path / "server.log") as server:
        code, report = _check_url(root, feature, server.url, env)
    assert (code, report["mismatches"]) == (0, [])
    assert report["requests_made"] >= 10


def test_an_openapi_contract_is_read_literally(emitted: dict) -> None:
    """An OpenAPI contract (here: the notes app's own document, written as YAML, so true to
    it by construction) is checked in full: silent as it is; each drift found at its line."""
    import yaml

    from sp_backend.check.compare import compare
    from sp_backend.check.contract import read_openapi
    from sp_backend.check.report import CheckReport

    _, _, doc = emitted["notes-heading"]
    text = yaml.safe_dump(doc, sort_keys=False)
    promises = read_openapi(text, "specs/api/openapi.yaml")
    assert len(promises) >= 6 and any(p.examples for p in promises)
    report = CheckReport("specs/api/openapi.yaml", "backend")
    compare(promises, doc, report)
    assert report.mismatches == []
    for mutate, kind in [
        (rename_query("get", N, "limit", "per_page"), "query-parameter"),
        (drop_status("get", NI, "404"), "error-status"),
        (rename_property("NotePage", "items", "data"), "response-shape"),
        (drop_constraint("NoteCreate", "heading", "maxLength"), "constraint"),
    ]:
        changed = copy.deepcopy(doc)
        mutate(changed)
        report = CheckReport("specs/api/openapi.yaml", "backend")
        compare(promises, changed, report)
        assert kind in {m.kind for m in report.mismatches}, (kind, report.mismatches)
        assert all(
            re.fullmatch(r"specs/api/openapi\.yaml:\d+", m.source) for m in report.mismatches
        )
