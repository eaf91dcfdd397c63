"""Load plan YAML files and turn every problem into a message naming file, line, key path and
what is allowed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sp_backend.errors import PlanError
from sp_backend.plan.model import BackendPlan

PLAN_SUFFIX = ".plan.yaml"


def plans_dir(root: Path) -> Path:
    """Where a project's plans live: one reviewable file per feature, beside the specs."""
    return root / "specs" / "backend"


def plan_path(root: Path, feature: str) -> Path:
    return plans_dir(root) / f"{feature}{PLAN_SUFFIX}"


def load_plan(path: Path) -> BackendPlan:
    """Read and validate one plan; raise PlanError with every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(
            f"{path}: no plan here; write one with `sp-backend gather FEATURE` "
            "or by hand (see `sp-backend plan-schema`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc}") from None
    return parse_plan(text, path)


def parse_plan(text: str, path: Path | str = "<plan>") -> BackendPlan:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(f"{path}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise PlanError(
            f"{path}: a plan is a YAML mapping with keys plan_version, feature, "
            f"resources, ...; found {type(data).__name__}"
        )
    try:
        plan = BackendPlan.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(err, node, path) for err in exc.errors()]
        raise PlanError("\n".join(lines)) from None
    plan._origin = PlanOrigin(str(path), node)
    return plan


@dataclass(frozen=True)
class PlanOrigin:
    """The file a plan was read from and its YAML nodes, to cite `file:line` of a key."""

    path: str
    node: yaml.Node | None

    def line(self, keys: list[str]) -> int | None:
        """1-based line of the key path, or None when the file does not write it."""
        node = self.node
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                return None
            node = next((v for k, v in node.value if str(k.value) == key), None)
            if node is None:
                return None
        return node.start_mark.line + 1 if node is not None else None


def cite(plan: BackendPlan, dotted: str) -> str:
    """Where a plan states `dotted` (auth.user_id_type): `file:line`; the file alone when it
    leaves the key to its default; the feature's name for a plan that was not read from a file."""
    origin = plan._origin
    if not isinstance(origin, PlanOrigin):
        return f"plan {plan.feature!r}"
    line = origin.line(dotted.split("."))
    return f"{origin.path}:{line}" if line else origin.path


# A whole-plan check names the key it refuses at the start of each line: `resources.x.owner: ...`.
_KEYED_LINE = re.compile(r"([a-z_][a-z0-9_]*(?:\.[a-z0-9_-]+)+): (.+)")


def _describe(err: Any, node: yaml.Node | None, path: Path | str) -> str:
    loc = [part for part in err["loc"] if not _is_union_tag(part)]
    if err["type"] == "value_error":
        keyed = [_KEYED_LINE.fullmatch(line) for line in _explain(err).split("\n")]
        within = ".".join(str(p) for p in loc) + "." if loc else ""
        if all(m and m.group(1).startswith(within) for m in keyed):
            return "\n".join(
                _located(m.group(1).split("."), m.group(1), m.group(2), node, path)
                for m in keyed
                if m
            )
    key_path = ".".join(str(p) for p in loc) or "(top level)"
    return _located(loc, key_path, _explain(err), node, path)


def _located(
    loc: list[Any], key_path: str, why: str, node: yaml.Node | None, path: Path | str
) -> str:
    line = _line_of(node, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {key_path}: {why}"


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the chosen union member or validator name into locations
    return isinstance(part, str) and (
        part.startswith("function-") or part in ("list[str]", "str", "int", "float")
    )


def _explain(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "literal_error":
        return f"{value!r} is not allowed; use one of: {ctx.get('expected', '')}"
    if kind == "extra_forbidden":
        return "unknown key (a typo?); see `sp-backend plan-schema` for the keys allowed here"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not match {ctx.get('pattern')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']} (got {value!r})"


def _line_of(node: yaml.Node | None, loc: list[Any]) -> int | None:
    """1-based line of the deepest YAML node on the key path that exists."""
    if node is None:
        return None
    best = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def plan_json_schema() -> dict[str, Any]:
    return BackendPlan.model_json_schema()


def dump_plan(plan: BackendPlan) -> str:
    """YAML for people: keys in model order, defaults left out, unicode kept."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data = {"plan_version": plan.plan_version, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


__all__ = [
    "PLAN_SUFFIX",
    "PlanOrigin",
    "cite",
    "dump_plan",
    "load_plan",
    "parse_plan",
    "plan_json_schema",
    "plan_path",
    "plans_dir",
]
