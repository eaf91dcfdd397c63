"""Safe writes: identical, updated, conflict, forced, dry-run, and all-or-nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from sp_backend.emit import writer
from sp_backend.emit.writer import write_files
from sp_backend.errors import WriteError


def _write(out: Path, files: dict[str, str], **kw: object) -> writer.WriteReport:
    return write_files(out, files, manifest_path=out / ".m.json", **kw)


def _actions(report: writer.WriteReport) -> dict[str, str]:
    return {f.path: f.action for f in report.files}


def test_created_then_identical(tmp_path: Path) -> None:
    files = {"a.py": "A\n", "pkg/b.py": "B\n"}
    assert set(_actions(_write(tmp_path, files)).values()) == {"created"}
    assert set(_actions(_write(tmp_path, files)).values()) == {"identical"}
    assert (tmp_path / "pkg" / "b.py").read_text() == "B\n"


def test_untouched_files_are_updated_edited_ones_conflict(tmp_path: Path) -> None:
    _write(tmp_path, {"a.py": "v1\n", "b.py": "v1\n"})
    (tmp_path / "b.py").write_text("my edit\n")
    report = _write(tmp_path, {"a.py": "v2\n", "b.py": "v2\n"})
    assert _actions(report) == {"a.py": "updated", "b.py": "conflict"}
    assert (tmp_path / "a.py").read_text() == "v2\n"
    assert (tmp_path / "b.py").read_text() == "my edit\n"
    assert (tmp_path / "b.py.new").read_text() == "v2\n"
    # Still a conflict next time: the edit is never mistaken for generated output.
    assert _actions(_write(tmp_path, {"a.py": "v2\n", "b.py": "v3\n"}))["b.py"] == "conflict"
    forced = _write(tmp_path, {"a.py": "v2\n", "b.py": "v3\n"}, force=True)
    assert _actions(forced)["b.py"] == "forced"
    assert (tmp_path / "b.py").read_text() == "v3\n"
    assert _actions(_write(tmp_path, {"a.py": "v2\n", "b.py": "v4\n"}))["b.py"] == "updated"


def test_files_not_in_the_manifest_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("someone else's file\n")
    assert _actions(_write(tmp_path, {"a.py": "generated\n"}))["a.py"] == "conflict"
    assert (tmp_path / "a.py").read_text() == "someone else's file\n"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {"a.py": "v1\n"})
    (tmp_path / "a.py").write_text("edited\n")
    before = _snapshot(tmp_path)
    report = _write(tmp_path, {"a.py": "v2\n", "new.py": "x\n"}, dry_run=True)
    assert _actions(report) == {"a.py": "conflict", "new.py": "created"}
    assert _snapshot(tmp_path) == before


def test_failure_midway_restores_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"a.py": "v1\n", "b.py": "v1\n", "c.py": "v1\n"})
    before = _snapshot(tmp_path)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # after some files were already swapped in
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", flaky_replace)
    with pytest.raises(WriteError, match="nothing was changed"):
        _write(tmp_path, {"a.py": "v2\n", "b.py": "v2\n", "c.py": "v2\n"})
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert _snapshot(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".bak"))]


def test_unreadable_manifest_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / ".m.json").write_text("{not json")
    with pytest.raises(WriteError, match=r"\.m\.json: the generator's manifest is unreadable"):
        _write(tmp_path, {"a.py": "x\n"})


def test_created_once_files_are_written_when_absent_and_then_never_touched(
    tmp_path: Path,
) -> None:
    once = {"ext.py"}
    first = _write(tmp_path, {"gen.py": "v1\n", "ext.py": "starter\n"}, create_once=once)
    assert _actions(first) == {"gen.py": "created", "ext.py": "created"}
    assert (tmp_path / "ext.py").read_text() == "starter\n"

    (tmp_path / "ext.py").write_text("my routes\n")
    # A new starter text, an edit, and --force: the user's file stays, with no conflict.
    for force in (False, True):
        report = _write(
            tmp_path, {"gen.py": "v2\n", "ext.py": "new starter\n"}, create_once=once, force=force
        )
        assert _actions(report)["ext.py"] == "kept"
        assert not report.conflicts
        assert (tmp_path / "ext.py").read_text() == "my routes\n"
    assert not (tmp_path / "ext.py.new").exists()
    assert (tmp_path / "gen.py").read_text() == "v2\n"

    manifest = json.loads((tmp_path / ".m.json").read_text())
    assert manifest["user_files"] == ["ext.py"]
    assert "ext.py" not in manifest["files"]

    # Deleted by hand: created again (the generated code imports it).
    (tmp_path / "ext.py").unlink()
    again = _write(tmp_path, {"gen.py": "v2\n", "ext.py": "new starter\n"}, create_once=once)
    assert _actions(again) == {"gen.py": "identical", "ext.py": "created"}
    assert (tmp_path / "ext.py").read_text() == "new starter\n"


def test_a_generated_file_that_becomes_created_once_is_never_updated_again(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {"ext.py": "v1\n"})
    report = _write(tmp_path, {"ext.py": "v2\n"}, create_once={"ext.py"})
    assert _actions(report) == {"ext.py": "kept"}
    assert (tmp_path / "ext.py").read_text() == "v1\n"
    assert json.loads((tmp_path / ".m.json").read_text())["files"] == {}


def test_dry_run_reports_created_once_files_without_writing(tmp_path: Path) -> None:
    report = _write(tmp_path, {"ext.py": "x\n"}, create_once={"ext.py"}, dry_run=True)
    assert _actions(report) == {"ext.py": "created"}
    assert not (tmp_path / "ext.py").exists()


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_files_get_the_mode_the_umask_gives(tmp_path: Path, umask: int, expected: int) -> None:
    old = os.umask(umask)
    try:
        _write(tmp_path, {"new.py": "v1\n", "pkg/changed.py": "v1\n"})
        _write(
            tmp_path,
            {"new.py": "v1\n", "pkg/changed.py": "v2\n", "ext.py": "x\n"},
            create_once={"ext.py"},
        )
    finally:
        os.umask(old)
    for name in ("new.py", "pkg/changed.py", "ext.py", ".m.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == expected, name
    assert os.umask(old) == old  # the writer put the umask back as it found it
