"""Install the skill where Claude Code finds it: `<project>/.claude/skills/sp.backend-engineer/`
or `~/.claude/skills/sp.backend-engineer/`. The slash command is the folder's name.

Only the skill's own parts are copied (SKILL.md, references/, scripts/, assets/), never caches,
build metadata or the project's tests. A small manifest remembers what was placed, so a re-run
updates in place and removes files that a newer version no longer ships, while files a person
added to the folder are left alone.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sp_backend.errors import SkillError, WriteError
from sp_backend.paths import SKILL_ROOT
from sp_backend.records.common import InputError, replace_file

SKILL_DIR_NAME = "sp.backend-engineer"
PARTS = ("SKILL.md", "references", "scripts", "assets")
MANIFEST = ".sp-backend-install.json"
SKIP_DIRS = frozenset(
    {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".git", "build", "dist"}
)
SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info")
SKIP_NAMES = frozenset({".DS_Store", "Thumbs.db"})


def target_dir(project: Path | None, user: bool) -> Path:
    base = Path.home() if user else (project or Path("."))
    return base / ".claude" / "skills" / SKILL_DIR_NAME


def skill_files(source: Path = SKILL_ROOT) -> list[str]:
    """The files that make up the skill, relative to its root, in a stable order."""
    if not (source / "SKILL.md").is_file():
        raise SkillError(
            f"{source / 'SKILL.md'}: missing; install from a complete copy of the "
            "skill (a checkout or an installed folder)"
        )
    files = ["SKILL.md"]
    for part in PARTS[1:]:
        folder = source / part
        if folder.is_dir():
            files += sorted(_walk(folder, source))
    return files


def _walk(folder: Path, source: Path) -> list[str]:
    found = []
    for entry in folder.iterdir():
        if entry.name in SKIP_NAMES or entry.name.endswith(SKIP_SUFFIXES):
            continue
        if entry.is_dir():
            if entry.name not in SKIP_DIRS:
                found += _walk(entry, source)
        elif entry.is_file():
            found.append(entry.relative_to(source).as_posix())
    return found


@dataclass
class InstallReport:
    destination: Path
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    identical: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    install_command: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "destination": str(self.destination),
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "identical": self.identical,
            "removed": self.removed,
            "missing_dependencies": self.missing,
            "install_command": self.install_command,
        }


def install(
    destination: Path, dry_run: bool = False, source: Path = SKILL_ROOT, python: str | None = None
) -> InstallReport:
    source, destination = source.resolve(), destination.resolve()
    if destination == source or source in destination.parents:
        raise InputError(
            f"{destination}: is inside the skill's own folder {source}; "
            "install into a project or with --user"
        )
    files = skill_files(source)
    report = InstallReport(destination, dry_run)
    previous = _read_manifest(destination)
    for rel in files:
        data = (source / rel).read_bytes()
        target = destination / rel
        if target.is_file() and target.read_bytes() == data:
            report.identical.append(rel)
            continue
        (report.updated if target.exists() else report.created).append(rel)
        if not dry_run:
            replace_file(target, data, mode=(source / rel).stat().st_mode & 0o777)
    for rel in sorted(set(previous) - set(files)):
        stale = destination / rel
        if stale.is_file():
            report.removed.append(rel)
            if not dry_run:
                stale.unlink()
                _prune_empty(stale.parent, destination)
    if not dry_run:
        replace_file(
            destination / MANIFEST, (json.dumps({"files": files}, indent=1) + "\n").encode("utf-8")
        )
    report.missing, report.install_command = check_dependencies(
        source / "scripts", python or sys.executable
    )
    return report


def _read_manifest(destination: Path) -> list[str]:
    try:
        data = json.loads((destination / MANIFEST).read_text(encoding="utf-8"))
        return [str(p) for p in data["files"] if ".." not in Path(str(p)).parts]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WriteError(
            f"{destination / MANIFEST}: unreadable ({exc}); delete it and re-run "
            "(stale files from an older install will then stay)"
        ) from None


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
        folder = folder.parent


def check_dependencies(scripts: Path, python: str = sys.executable) -> tuple[list[str], str | None]:
    """(missing packages, the one command that installs them) for the interpreter that will run
    the scripts; asked in a child process so this process's imports do not hide anything."""
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from sp_backend.bootstrap import install_hint, missing_dependencies; "
        "m = missing_dependencies(); print(','.join(m)); print(install_hint(m) if m else '')"
    )
    try:
        done = subprocess.run(
            [python, "-c", probe, str(scripts)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return ["(python not runnable)"], f"{python}: {exc}"
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) < 2:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return ["(dependency check failed)"], f"{python}: {detail}"
    missing = [m for m in lines[0].split(",") if m]
    return missing, (lines[1] or None)
