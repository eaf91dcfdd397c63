"""The bundled example project: gather must reproduce the reviewed plan shipped beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from plan_compare import decisions

from sp_backend.cli import main
from sp_backend.plan.load import load_plan, plan_path
from sp_backend.readers.gather import gather

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "examples" / "task-crud"


def test_example_reproduces_the_reviewed_plan() -> None:
    expected = load_plan(plan_path(EXAMPLE, "task-crud"))
    result = gather(EXAMPLE, "task-crud")
    assert decisions(result.plan) == decisions(expected)
    assert expected.sources.items() <= result.plan.sources.items()
    assert [u.what for u in result.plan.unresolved] == [u.what for u in expected.unresolved]
    assert result.plan.conflicts == []


def test_every_field_and_operation_names_its_source_line() -> None:
    plan = gather(EXAMPLE, "task-crud").plan
    task = plan.resources["task"]
    for name, spec in task.fields.items():
        assert spec.source and spec.source.startswith("specs/api/task-crud-endpoints.md:"), name
    assert task.operations.list is not None and task.operations.list.source
    assert plan.auth.source


def test_cli_writes_plan_then_protects_edits(tmp_path: Path, capsys) -> None:
    root = tmp_path / "proj"
    shutil.copytree(EXAMPLE, root)
    plan_path(root, "task-crud").unlink()
    assert main(["gather", "task-crud", "--root", str(root), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["write"]["action"] == "created"
    assert out["resources"]["task"]["endpoints"][0] == "GET /api/tasks"
    target = plan_path(root, "task-crud")
    load_plan(target)  # what gather writes validates
    # Re-running is identical; an edited plan is never overwritten.
    assert main(["gather", "task-crud", "--root", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["write"]["action"] == "identical"
    edited = target.read_text(encoding="utf-8") + "# reviewed by hand\n"
    target.write_text(edited, encoding="utf-8")
    assert main(["gather", "task-crud", "--root", str(root)]) == 1
    assert target.read_text(encoding="utf-8") == edited
    assert target.with_name(target.name + ".new").exists()
    # --dry-run writes nothing
    target.with_name(target.name + ".new").unlink()
    assert main(["gather", "task-crud", "--root", str(root), "--dry-run", "--force"]) == 0
    assert target.read_text(encoding="utf-8") == edited
    assert not target.with_name(target.name + ".new").exists()


def test_example_plan_on_disk_is_kept(capsys) -> None:
    # The shipped plan was written by hand: a dry run reports a conflict, never a change.
    assert main(["gather", "task-crud", "--root", str(EXAMPLE), "--dry-run", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["write"]["action"] == "conflict"
