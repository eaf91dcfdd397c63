"""A plan fixture with one change, and the located refusal `validate` gives for it: the shape of
the tests that prove each plan rule refuses what it must, named by file and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan

Change = Callable[[dict[str, Any]], object]


def variant(fixture: Path, tmp_path: Path, change: Change) -> Path:
    """The fixture's plan with `change` applied, written under tmp_path by the same name."""
    plan = yaml.safe_load(fixture.read_text())
    change(plan)
    path = tmp_path / fixture.name
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    return path


def refused(fixture: Path, tmp_path: Path, change: Change, *needles: str) -> str:
    """The error loading the changed plan gives: it names the file and each needle."""
    path = variant(fixture, tmp_path, change)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert str(path) in message, message
    for needle in needles:
        assert needle in message, message
    return message
