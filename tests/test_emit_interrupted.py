"""An emit interrupted at any point of its writes leaves the backend as it was before, or (once
every file and the manifest are in) as after: never a mix, never a stray temp or backup file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import EXAMPLES, make_project
from sp_backend.emit import writer
from sp_backend.emit.backend import emit

PLAN = EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _change_the_plan(root: Path) -> None:
    plan = root / "specs" / "backend" / "task-crud.plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count("max_length: 100,") == 1
    plan.write_text(text.replace("max_length: 100,", "max_length: 120,"), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path, PLAN)
    emit(root, "task-crud", with_tests=True)
    return root


def _states(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The tree before and after a complete second emit (in a scratch copy)."""
    import shutil

    before = _tree(root / "backend")
    scratch = root.parent / "scratch"
    shutil.copytree(root, scratch)
    _change_the_plan(scratch)
    emit(scratch, "task-crud", with_tests=True)
    return before, _tree(scratch / "backend")


def _count_calls(root: Path, name: str) -> int:
    """How many times the second emit calls os.<name> (replace, or fdopen for staging)."""
    import shutil

    scratch = root.parent / f"count-{name}"
    shutil.copytree(root, scratch)
    _change_the_plan(scratch)
    real = getattr(os, name)
    calls = {"n": 0}

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(writer.os, name, counting)
        emit(scratch, "task-crud", with_tests=True)
    return calls["n"]


@pytest.mark.parametrize("stage", ["fdopen", "replace"])
def test_an_interrupt_at_every_write_leaves_before_or_after(project: Path, stage: str) -> None:
    before, after = _states(project)
    assert before != after
    total = _count_calls(project, stage)
    _change_the_plan(project)
    assert total > 3
    real = getattr(os, stage)
    for stop_at in range(1, total + 1):

        def interrupted(*args, calls={"n": 0}, stop_at=stop_at, **kwargs):  # noqa: B006
            calls["n"] += 1
            if calls["n"] == stop_at:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(writer.os, stage, interrupted)
            with pytest.raises(KeyboardInterrupt):
                emit(project, "task-crud", with_tests=True)
        assert _tree(project / "backend") == before, f"interrupted at {stage} #{stop_at}"
    emit(project, "task-crud", with_tests=True)
    assert _tree(project / "backend") == after
