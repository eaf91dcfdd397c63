"""The plan loader on malformed input: random text, YAML oddities and valid plans with random
parts replaced. Never a traceback: a valid plan, or a PlanError naming the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, PLAN_FIXTURES
from sp_backend.errors import PlanError
from sp_backend.plan.load import parse_plan
from sp_backend.plan.model import BackendPlan

EXAMPLES_PER_TEST = int(os.environ.get("SPB_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLANS = [
    EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml",
    *sorted(PLAN_FIXTURES.glob("*.plan.yaml")),
]
BASES = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in PLANS]
WHERE = "specs/backend/fuzz.plan.yaml"


def _load(text: str) -> None:
    try:
        plan = parse_plan(text, WHERE)
    except PlanError as exc:
        assert str(exc).startswith(WHERE), str(exc)
        return
    assert isinstance(plan, BackendPlan)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "str",
            "int",
            "enum",
            "uuid",
            "email",
            "uri",
            "list[int]",
            "object",
            "list[object]",
            "/api/{user_id}/x",
            "-created_at",
            "HS256",
            "jwks",
            "PATCH",
            "/{id}/go",
            "^[a-z",
            "[",
            "{id}",
            "",
            "user_id",
            "id",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _replace(node: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _replace(copy[head], rest, value, delete)
    return copy


@st.composite
def mutated_plans(draw: st.DrawFn) -> str:
    plan = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(plan)
        path = draw(st.sampled_from(paths))
        delete = bool(path) and draw(st.booleans())
        plan = _replace(plan, path, draw(VALUES), delete)
    return yaml.safe_dump(plan, allow_unicode=True, sort_keys=False)


@FUZZ
@given(mutated_plans())
def test_plans_with_random_parts_replaced_load_or_fail_with_a_plan_error(text: str) -> None:
    _load(text)


YAML_BITS = st.sampled_from(
    [
        "plan_version: 1",
        "feature: x",
        "resources:",
        "  t:",
        "    table: t",
        "    path: /api/t",
        "    fields: {a: {type: str}}",
        "&a [1, *a]",
        "!!python/object:os.system ls",
        "key: !!binary x",
        "\t- tab",
        "? complex\n: key",
        "a: b: c",
        "{",
        "[",
        "'",
        '"\\x"',
        "--- \n---",
        "...",
        "feature: &f x\nproject: *f",
        "resources: {a: 1, a: 2}",
        "1: 2",
        "null: ~",
        "auth: {mode: [}",
        "%YAML 1.1",
        "<<: *nothing",
        "plan_version: 2",
        "- - -",
        "x: " + "[" * 200,
    ]
)


@FUZZ
@given(st.lists(st.one_of(YAML_BITS, st.text(max_size=30)), max_size=12).map("\n".join))
def test_random_yaml_loads_or_fails_with_a_plan_error(text: str) -> None:
    _load(text)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_fail_with_a_plan_error(data: bytes) -> None:
    _load(data.decode("utf-8", errors="replace"))


def test_a_plan_file_that_is_not_utf8_is_a_plan_error(tmp_path: Path) -> None:
    from sp_backend.plan.load import load_plan

    path = tmp_path / "bad.plan.yaml"
    path.write_bytes(b"feature: \xff\xfe\n")
    try:
        load_plan(path)
    except PlanError as exc:
        assert str(path) in str(exc)
    else:
        raise AssertionError("a non-UTF-8 plan was accepted")
