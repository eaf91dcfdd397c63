"""Read the files a run created or changed from the emitter's `--json` document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sp_backend.records.common import InputError

CHANGED = ("created", "updated", "forced")


def read_emit_json(path: Path, root: Path) -> list[str]:
    """Project-relative paths the emit run wrote: created, updated, forced, and the new
    versions it put beside conflicting files. Identical files were not touched and are left out."""
    try:
        text = path.read_text(encoding="utf-8") if str(path) != "-" else _stdin()
        data = json.loads(text)
    except FileNotFoundError:
        raise InputError(
            f"--emit-json {path}: no such file; save `sp-backend emit ... --json` "
            "output there first"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--emit-json {path}: cannot read it: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--emit-json {path}:{exc.lineno}: not JSON ({exc.msg}); expected the "
            "document `sp-backend emit FEATURE --json` prints"
        ) from None
    return changed_files(data, root, str(path))


def changed_files(data: Any, root: Path, source: str = "<emit json>") -> list[str]:
    report = _find_report(data)
    if report is None:
        raise InputError(
            f"--emit-json {source}: no file list found; expected a JSON object with "
            '"files": [{"path": ..., "action": "created|updated|identical|conflict"}]'
        )
    if report.get("dry_run") is True or (isinstance(data, dict) and data.get("dry_run") is True):
        raise InputError(
            f"--emit-json {source}: this is a --dry-run report, nothing was written; "
            "run the emitter for real and pass that output"
        )
    out_dir = report.get("out_dir") or (data.get("out_dir") if isinstance(data, dict) else None)
    paths: list[str] = []
    for entry in _entries(report["files"]):
        action = str(entry.get("action") or entry.get("status") or "")
        if action in CHANGED:
            written = entry.get("path")
        elif action == "conflict":
            written = entry.get("beside")
        else:
            continue
        if isinstance(written, str) and written:
            rel = project_relative(written, out_dir, root)
            if rel not in paths:
                paths.append(rel)
    return paths


def _find_report(data: Any) -> dict[str, Any] | None:
    """The object holding "files", at the top or one level down (e.g. {"write": {...}})."""
    if not isinstance(data, dict):
        return None
    if "files" in data and isinstance(data["files"], (list, dict)):
        return data
    if any(isinstance(data.get(a), list) for a in (*CHANGED, "conflict", "identical")):
        return {"files": data, **{k: v for k, v in data.items() if k in ("out_dir", "dry_run")}}
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("files"), (list, dict)):
            return value
    return None


def _entries(files: Any) -> list[dict[str, Any]]:
    """Accept a list of {path, action} objects or a mapping action -> [paths | objects]."""
    if isinstance(files, list):
        return [f for f in files if isinstance(f, dict)]
    entries: list[dict[str, Any]] = []
    if isinstance(files, dict):
        for action, items in files.items():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, str):
                    entries.append({"path": item, "action": action})
                elif isinstance(item, dict):
                    entries.append({"action": action, **item})
    return entries


def project_relative(path: str, out_dir: Any, root: Path) -> str:
    """`path` (relative to the emitter's out_dir, or absolute) relative to the project root."""
    candidate = Path(path)
    if not candidate.is_absolute() and isinstance(out_dir, str) and out_dir:
        base = Path(out_dir)
        if not base.is_absolute():
            # The emitter prints out_dir as given: relative to where it ran, usually the root.
            base = base.resolve() if base.is_dir() else root / base
        candidate = base / candidate
    elif not candidate.is_absolute():
        return candidate.as_posix()
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return candidate.as_posix()


def _stdin() -> str:
    import sys

    return sys.stdin.read()


def read_to_implement(path: Path) -> list[str]:
    """The custom operations the emit run listed as still answering 501, one line each
    ("POST /api/x/{x_id}/approve in app/extensions/x_approve.py (contract: file:line)"); the
    document was checked by read_emit_json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data.get("to_implement") if isinstance(data, dict) else None
    return [
        f"{op.get('endpoint')} in {op.get('handler')} (contract: {op.get('source')})"
        for op in items or []
        if isinstance(op, dict)
    ]
