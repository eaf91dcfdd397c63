"""Safe, repeatable writes: never lose a person's edit, never leave a half-written tree.

A manifest (paths and content hashes of what the generator wrote last time) tells a file the
generator wrote and nobody touched (safe to update) from one a person edited (a conflict: the new
version goes beside it as ``<name>.new``). Files created once (the extension modules where people
put their own code) are written only when absent and are the user's from then on: never updated,
never a conflict, not even with ``force``; the manifest lists them apart, as user-owned. All
files are staged first and swapped in together; if anything fails, the swapped files are
restored, and the manifest is written last. Files get the mode the user's umask gives
(0644 under umask 022), as any other tool's output would.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sp_backend.errors import WriteError

# "kept": a created-once file that exists, left as it is whatever it holds.
Action = Literal["created", "updated", "identical", "conflict", "forced", "kept"]
ACTIONS: tuple[Action, ...] = ("created", "updated", "identical", "conflict", "forced", "kept")
MANIFEST_VERSION = 1


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class FileResult:
    path: str
    action: Action
    beside: str | None = None  # where the new version went, for conflicts


@dataclass
class WriteReport:
    out_dir: Path
    dry_run: bool
    files: list[FileResult] = field(default_factory=list)

    def paths(self, *actions: Action) -> list[str]:
        return [f.path for f in self.files if f.action in actions]

    @property
    def conflicts(self) -> list[FileResult]:
        return [f for f in self.files if f.action == "conflict"]

    def to_json(self) -> dict[str, object]:
        return {
            "out_dir": str(self.out_dir),
            "dry_run": self.dry_run,
            "files": [
                {"path": f.path, "action": f.action, **({"beside": f.beside} if f.beside else {})}
                for f in self.files
            ],
            "summary": {a: len(self.paths(a)) for a in ACTIONS},
        }


@dataclass
class Manifest:
    path: Path
    files: dict[str, str] = field(default_factory=dict)
    state: dict[str, object] = field(default_factory=dict)
    # Created once and owned by the user since: no hash, since any content is theirs.
    user_files: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = {str(k): str(v) for k, v in data["files"].items()}
            user_files = {str(name) for name in data.get("user_files", [])}
            return cls(path, files, dict(data.get("state", {})), user_files)
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
            raise WriteError(
                f"{path}: the generator's manifest is unreadable ({exc}); "
                "delete it to treat every existing file as hand-edited"
            ) from None

    def render(self) -> str:
        data = {
            "version": MANIFEST_VERSION,
            "files": dict(sorted(self.files.items())),
            "user_files": sorted(self.user_files),
            "state": self.state,
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"


def plan_writes(
    out_dir: Path,
    files: dict[str, str],
    manifest: Manifest,
    *,
    force: bool,
    create_once: Collection[str] = (),
) -> tuple[list[FileResult], dict[Path, str]]:
    """Decide each file's fate without touching disk; return results and the writes to make."""
    results: list[FileResult] = []
    writes: dict[Path, str] = {}
    for rel, content in sorted(files.items()):
        target = out_dir / rel
        if rel in create_once:
            manifest.user_files.add(rel)
            manifest.files.pop(rel, None)
            if target.exists():
                results.append(FileResult(rel, "kept"))
            else:
                results.append(FileResult(rel, "created"))
                writes[target] = content
            continue
        new_hash = digest(content)
        if not target.exists():
            results.append(FileResult(rel, "created"))
            writes[target] = content
            manifest.files[rel] = new_hash
            continue
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WriteError(f"{target}: cannot read the existing file: {exc}") from None
        if current == content:
            results.append(FileResult(rel, "identical"))
        elif manifest.files.get(rel) == digest(current):
            results.append(FileResult(rel, "updated"))
            writes[target] = content
        elif force:
            results.append(FileResult(rel, "forced"))
            writes[target] = content
        else:
            beside = f"{rel}.new"
            results.append(FileResult(rel, "conflict", beside))
            writes[out_dir / beside] = content
        if results[-1].action != "conflict":
            manifest.files[rel] = new_hash
    return results, writes


def write_files(
    out_dir: Path,
    files: dict[str, str],
    *,
    manifest_path: Path,
    force: bool = False,
    dry_run: bool = False,
    state: dict[str, object] | None = None,
    create_once: Collection[str] = (),
) -> WriteReport:
    """Write ``files`` (relative path -> text) under ``out_dir`` with the rules above;
    the paths in ``create_once`` are written only if they do not exist yet."""
    manifest = Manifest.load(manifest_path)
    results, writes = plan_writes(out_dir, files, manifest, force=force, create_once=create_once)
    report = WriteReport(out_dir, dry_run, results)
    if dry_run:
        return report
    if state is not None:
        manifest.state = state
    rendered = manifest.render()
    unchanged = manifest_path.exists() and manifest_path.read_text(encoding="utf-8") == rendered
    if writes or state is not None or not unchanged:
        writes[manifest_path] = rendered  # dict order: the manifest goes last
    commit_atomically(writes)
    return report


def commit_atomically(writes: dict[Path, str]) -> None:
    """Stage every file as a temp beside its target, then swap all in; undo on failure."""
    staged: list[tuple[Path, Path]] = []
    swapped: list[tuple[Path, Path | None]] = []
    mode = 0o666 & ~current_umask()
    try:
        for target, content in writes.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((Path(tmp), target))  # removed in `finally`, whatever happens next
            try:
                handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            except BaseException:
                os.close(fd)
                raise
            with handle:
                handle.write(content)
            os.chmod(tmp, mode)  # mkstemp makes files only their owner can read (0600)
        for tmp, target in staged:
            backup = None
            if target.exists():
                backup = target.with_name(f".{target.name}.bak")
                os.replace(target, backup)
                swapped.append((target, backup))  # restorable from here on
            else:
                swapped.append((target, None))
            os.replace(tmp, target)
    except BaseException as exc:  # an interrupt (Ctrl-C, SIGTERM) midway is undone as well
        for target, backup in reversed(swapped):
            if backup is not None:
                os.replace(backup, target)
            elif target.exists():
                target.unlink()
        if not isinstance(exc, OSError):
            raise
        raise WriteError(
            f"could not write {exc.filename or 'a file'}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    for _, backup in swapped:
        if backup is not None:
            backup.unlink(missing_ok=True)


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
