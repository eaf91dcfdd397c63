"""Generated Python is laid out by ruff's formatter, with the generated backend's own settings.

Templates cannot know how long a rendered line will be; a formatter can. Formatting at emit
time means a user's first `ruff format .` changes nothing, so it is never mistaken for a hand
edit on the next emit. One ruff run formats every file of an emit (milliseconds).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sp_backend.errors import EXIT_DEPENDENCY, SkillError

# Used when an emit renders no pyproject.toml (never the case for a whole backend today).
FALLBACK_SETTINGS = '[tool.ruff]\nline-length = 100\ntarget-version = "py311"\n'


class RuffMissingError(SkillError):
    exit_code = EXIT_DEPENDENCY


class LayoutError(SkillError):
    """ruff could not format a generated file: a generator bug, reported before any write."""


def format_python(files: Mapping[str, str]) -> dict[str, str]:
    """The same files, with every .py file formatted as `ruff format` in the backend would."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    settings = files.get("pyproject.toml", FALLBACK_SETTINGS)
    with tempfile.TemporaryDirectory(prefix="sp-backend-layout-") as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text(settings, encoding="utf-8")
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _run_ruff(root)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {**files, **formatted}


def _run_ruff(root: Path) -> None:
    command = [sys.executable, "-m", "ruff", "format", "--quiet", "--no-cache", "."]
    try:
        done = subprocess.run(
            command, cwd=root, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuffMissingError(f"could not run ruff to lay out the generated code: {exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().replace(str(root) + "/", "")
        if "No module named ruff" in detail:
            raise RuffMissingError(
                f"ruff is needed to lay out the generated code; install it with: "
                f"{sys.executable} -m pip install ruff"
            )
        raise LayoutError(f"ruff could not format the generated code (a generator bug):\n{detail}")
