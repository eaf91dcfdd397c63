"""The generated backends equal their golden copies in tests/golden/ byte for byte, so every
template change arrives with the Python it produces (refresh: python tests/golden.py)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from golden import BACKENDS, GOLDEN, differences, emit


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_generated_backend_equals_its_golden_copy(tmp_path: Path, name: str) -> None:
    assert (GOLDEN / name / "app" / "main.py").is_file(), f"no golden copy of {name}"
    emitted = emit(name, tmp_path)
    changed = differences(name, emitted)
    shown = []
    for path in changed[:3]:
        old, new = GOLDEN / name / path, emitted / path
        before = old.read_text(encoding="utf-8").splitlines() if old.is_file() else []
        after = new.read_text(encoding="utf-8").splitlines() if new.is_file() else []
        shown += difflib.unified_diff(
            before, after, f"golden/{path}", f"emitted/{path}", lineterm=""
        )
    assert not changed, (
        f"{len(changed)} file(s) differ from tests/golden/{name}: {changed}\n"
        + "\n".join(shown[:80])
        + "\nIf the change is intended: python tests/golden.py, and review the diff."
    )


def test_golden_copies_hold_only_what_emit_writes() -> None:
    """No stray folder under tests/golden/ (an old backend nobody refreshes)."""
    present = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert present == set(BACKENDS)
