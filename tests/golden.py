"""Golden copies of generated backends, so a template change shows as a Python diff in review.

    python tests/golden.py            # rewrite tests/golden/ from today's templates
    python tests/golden.py --check    # exit 1 and list the files that differ

tests/test_golden.py emits the same backends and fails on any difference. Each copy is exactly
what `sp-backend emit FEATURE --with-tests` writes for the example's plans, in order (manifest
and schema snapshot included: their hashes change when the output does)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
EXAMPLES = REPO / "assets" / "examples"
GOLDEN = REPO / "tests" / "golden"

# name -> the plans emitted into one backend, in this order
BACKENDS: dict[str, tuple[Path, ...]] = {
    "task-crud": (EXAMPLES / "task-crud/specs/backend/task-crud.plan.yaml",),
    "local-auth": (
        EXAMPLES / "local-auth/specs/backend/authentication.plan.yaml",
        EXAMPLES / "local-auth/specs/backend/notes.plan.yaml",
    ),
}


def emit(name: str, workdir: Path) -> Path:
    """Emit the named backend into a fresh project under `workdir`; return its backend folder."""
    project = workdir / name
    (project / "specs" / "backend").mkdir(parents=True)
    for plan in BACKENDS[name]:
        shutil.copy(plan, project / "specs" / "backend" / plan.name)
    for plan in BACKENDS[name]:
        feature = plan.name.removesuffix(".plan.yaml")
        subprocess.run(
            [
                sys.executable,
                str(SCRIPTS / "sp_backend" / "cli.py"),
                "emit",
                feature,
                "--with-tests",
            ],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(SCRIPTS)},
            capture_output=True,
            check=True,
            timeout=120,
        )
    return project / "backend"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def differences(name: str, emitted: Path) -> list[str]:
    """Relative paths that are added, missing or changed in `emitted` against the golden copy."""
    want, got = tree(GOLDEN / name), tree(emitted)
    return sorted(path for path in want.keys() | got.keys() if want.get(path) != got.get(path))


def refresh(name: str, emitted: Path) -> None:
    target = GOLDEN / name
    staged = GOLDEN / f".{name}.new"
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(emitted, staged)
    shutil.rmtree(target, ignore_errors=True)
    staged.rename(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = parser.parse_args()
    changed = 0
    with tempfile.TemporaryDirectory() as work:
        for name in BACKENDS:
            emitted = emit(name, Path(work))
            diff = differences(name, emitted)
            changed += len(diff)
            for path in diff:
                print(f"{name}/{path}")
            if diff and not args.check:
                refresh(name, emitted)
    if args.check:
        return 1 if changed else 0
    print(f"tests/golden: {changed} file(s) rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
