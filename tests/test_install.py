"""`sp-backend install`: the skill lands where Claude Code finds it, with only its own parts,
runs from there, updates in place, and turns a missing dependency into one instruction."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sp_backend.cli import main
from sp_backend.install import MANIFEST, PARTS, SKILL_DIR_NAME, install, skill_files

REPO = Path(__file__).resolve().parents[1]


def installed_files(dest: Path) -> set[str]:
    return {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    assert main(["install", "--project", str(project)]) == 0
    return project / ".claude/skills" / SKILL_DIR_NAME


def test_only_the_skill_parts_are_copied(installed: Path):
    files = installed_files(installed) - {MANIFEST}
    assert "SKILL.md" in files
    assert {f.split("/")[0] for f in files} <= set(PARTS)
    assert not [f for f in files if "__pycache__" in f or f.endswith((".pyc", ".pyo"))]
    assert not [f for f in files if ".egg-info" in f]
    assert not [f for f in files if f.startswith("tests/")]
    for script in ("emit_backend.py", "write_phr.py", "suggest_adr.py", "validate_plan.py"):
        assert f"scripts/{script}" in files
    assert "assets/templates/phr-template.prompt.md" in files
    assert files == set(skill_files())
    for rel in files:
        assert (installed / rel).read_bytes() == (REPO / rel).read_bytes()


def test_installed_scripts_run_from_there(installed: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(installed / "scripts/emit_backend.py"), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "emit" in done.stdout
    # The copy resolves its own assets, not the checkout's.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import sp_backend.paths as p; "
        "print(p.SKILL_ROOT); print(p.ASSETS.is_dir())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(installed / "scripts")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert done.stdout.split() == [str(installed.resolve()), "True"]
    # And a record written by the copy uses the copy's bundled template.
    done = subprocess.run(
        [
            sys.executable,
            str(installed / "scripts/write_phr.py"),
            "--root",
            str(tmp_path),
            "--title",
            "From the installed copy",
            "--stage",
            "general",
            "--prompt",
            "hi",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["template"] == "bundled"


def fake_skill(root: Path) -> Path:
    for rel, text in {
        "SKILL.md": "---\nname: x\n---\n",
        "scripts/a.py": "print(1)\n",
        "scripts/__pycache__/a.cpython-311.pyc": "",
        "scripts/b.pyc": "",
        "scripts/pkg.egg-info/PKG-INFO": "",
        "assets/old.txt": "old\n",
        "references/r.md": "# r\n",
        "tests/test_x.py": "",
        "README.md": "",
        "pyproject.toml": "",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "scripts/a.py").chmod(0o755)
    return root


def test_rerun_updates_in_place_and_removes_stale_files(tmp_path: Path):
    source = fake_skill(tmp_path / "src")
    dest = tmp_path / "proj/.claude/skills" / SKILL_DIR_NAME
    first = install(dest, source=source)
    assert sorted(first.created) == [
        "SKILL.md",
        "assets/old.txt",
        "references/r.md",
        "scripts/a.py",
    ]
    assert os.access(dest / "scripts/a.py", os.X_OK)
    (dest / "notes.md").write_text("mine\n", encoding="utf-8")  # a person's own file
    (source / "assets/old.txt").unlink()
    (source / "assets/new/").mkdir()
    (source / "assets/new/n.txt").write_text("n\n", encoding="utf-8")
    (source / "scripts/a.py").write_text("print(2)\n", encoding="utf-8")
    second = install(dest, source=source)
    assert second.created == ["assets/new/n.txt"]
    assert second.updated == ["scripts/a.py"]
    assert sorted(second.identical) == ["SKILL.md", "references/r.md"]
    assert second.removed == ["assets/old.txt"]
    assert (dest / "scripts/a.py").read_text(encoding="utf-8") == "print(2)\n"
    assert (dest / "notes.md").read_text(encoding="utf-8") == "mine\n"
    assert installed_files(dest) == {
        "SKILL.md",
        "references/r.md",
        "scripts/a.py",
        "assets/new/n.txt",
        "notes.md",
        MANIFEST,
    }


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["install", "--project", str(tmp_path), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] and "SKILL.md" in report["created"]
    assert not (tmp_path / ".claude").exists()


def test_user_install_goes_to_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["install", "--user", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["destination"] == str(tmp_path / ".claude/skills" / SKILL_DIR_NAME)


def test_install_into_the_skill_itself_is_refused(capsys: pytest.CaptureFixture[str]):
    assert main(["install", "--project", str(REPO / "assets"), "--dry-run"]) == 2
    assert "inside the skill" in capsys.readouterr().err


@pytest.fixture
def bare_python(tmp_path: Path) -> str:
    """An interpreter that sees none of the installed packages (site-packages off)."""
    wrapper = tmp_path / "bare-python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


def test_missing_dependencies_are_one_instruction(
    tmp_path: Path, bare_python: str, capsys: pytest.CaptureFixture[str]
):
    code = main(["install", "--project", str(tmp_path), "--python", bare_python])
    err = capsys.readouterr().err
    assert code == 6
    assert "pydantic" in err and "-m pip install" in err
    assert (tmp_path / ".claude/skills" / SKILL_DIR_NAME / "SKILL.md").is_file()
    # The installed scripts say the same thing instead of a traceback.
    script = tmp_path / ".claude/skills" / SKILL_DIR_NAME / "scripts/write_phr.py"
    done = subprocess.run(
        [bare_python, str(script), "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 6
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "-m pip install" in lines[0]
