"""Custom operations: the endpoints of a resource that are neither CRUD nor a plain toggle/set
(POST /reservations/{id}/approve, GET /rooms/{id}/availability, PUT /stores/{id}/settings,
POST /products/{id}/variants, GET /orders/summary). Each becomes a plan operation with its
method, path, typed path parameters, body and answer fields (from the endpoint's tables and
examples), documented statuses and scope, instead of an endpoint the backend silently lacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from sp_backend.plan.model import CustomOperation, FieldSpec, camel_case
from sp_backend.readers.facts import Endpoint, FieldFact
from sp_backend.readers.resources import Group, split

# Build one FieldSpec from the facts about one field (build._field, curried by the caller).
FieldBuilder = Callable[[str, list[FieldFact]], FieldSpec | None]
_VERBS = {"GET": "get", "POST": "create", "PUT": "replace", "PATCH": "update", "DELETE": "delete"}
_QUERY_TYPES = {
    "integer": "int",
    "int": "int",
    "number": "float",
    "float": "float",
    "boolean": "bool",
    "bool": "bool",
}
_SERVED = {"id", "created_at", "updated_at", "createdat", "updatedat"}


def relative_path(g: Group, ep: Endpoint) -> tuple[str, dict[str, str]] | None:
    """The endpoint's path relative to the group's collection, its item parameter spelled {id},
    and the other path parameters typed (str, or int when the name says count/number)."""
    if not ep.path.startswith(g.collection):
        return None
    rest = ep.path[len(g.collection) :]
    _, item, _ = split(ep.path)
    segments = [s for s in rest.split("/") if s]
    params: dict[str, str] = {}
    out = []
    for i, seg in enumerate(segments):
        if seg.startswith("{"):
            name = seg.strip("{}").replace("-", "_").lower()
            if i == 0 and item is not None:
                out.append("{id}")
                continue
            if name == "id" or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                name = f"{(out[-1] if out else 'item').strip('{}').replace('-', '_')}_id"
            params[name] = "int" if re.search(r"(number|index|position|no)$", name) else "str"
            out.append("{" + name + "}")
        else:
            out.append(seg.lower())
    return ("/" + "/".join(out) if out else ""), params


def operation_names(eps: list[tuple[Endpoint, str]]) -> list[str]:
    """A name per operation from its literal segments (approve, availability, variants);
    stems shared by several endpoints are prefixed with their verb (get_variants, ...)."""
    stems = []
    for _ep, path in eps:
        words = [s for s in path.split("/") if s and not s.startswith("{")]
        stem = "_".join(re.sub(r"[^a-z0-9]+", "_", w).strip("_") for w in words) or "collection"
        if path.endswith("}") and path != "/{id}":
            stem += "_item"
        stems.append(stem if re.match(r"[a-z]", stem) else f"op_{stem}")
    names = []
    for (ep, _), stem in zip(eps, stems, strict=True):
        name = f"{_VERBS[ep.method]}_{stem}" if stems.count(stem) > 1 else stem
        names.append(name[:63])
    return names


def build_operation(
    g: Group,
    ep: Endpoint,
    path: str,
    params: dict[str, str],
    resource_fields: set[str],
    owned: bool,
    field_of: FieldBuilder,
    note: Callable[[str, str | None, str], None],
) -> CustomOperation | None:
    request = _fields(ep.body, field_of) if ep.method not in ("GET", "DELETE") else None
    if request is not None and not request and not ep.body:
        request = None
    response_facts = [] if ep.method == "DELETE" else ep.response
    answer: Any
    names = {plan_name(f.name) or f.name for f in response_facts}  # camelCase keys too
    success = sorted(c for c in ep.statuses if 200 <= c < 300)
    status = success[0] if success else (201 if _creates(ep, path) else 200)
    if status == 204:
        answer = "none"
    elif names and names - resource_fields - _SERVED:
        answer = _fields(response_facts, field_of, answer=True)
    elif names or ep.method != "GET":
        answer = "resource"
    else:
        answer = {}
        note(
            f"{ep.method} {ep.path}: the contract shows no answer for this operation",
            ep.source,
            "planned with an empty JSON object as its answer; add its fields in the plan",
        )
    query: dict[str, FieldSpec] = {}
    for p in ep.params:
        name = plan_name(p.name)
        if p.location == "query" and name is not None:
            kind = _QUERY_TYPES.get((p.type or "").lower().split(" ")[0], "str")
            query[name] = FieldSpec(
                type=kind,  # type: ignore[arg-type]
                source=p.source,
                json_name=None if name == p.name else p.name,
            )
    example = {f.name: f.get("example") for f in ep.body if f.get("example") is not None}
    example_answer = {
        f.name: f.get("example") for f in response_facts if f.get("example") is not None
    }
    summary = (ep.title or "").strip() or None
    if summary and re.match(r"^(GET|POST|PUT|PATCH|DELETE)\b", summary):
        summary = None
    if summary is None and ep.description:
        summary = re.split(r"(?<=[.!?])\s", ep.description.strip(), maxsplit=1)[0][:200] or None
    data = {
        "method": ep.method,
        "path": path,
        "summary": summary,
        "params": params,
        "query": query,
        "request": request,
        "response": answer,
        "response_list": False,
        "status": status,
        "errors": {c: t for c, t in sorted(ep.statuses.items()) if 400 <= c <= 599},
        "auth": True,
        "scope": "owner" if owned else "any",
        "example_request": example or None,
        "example_response": example_answer or None,
        "source": ep.source,
    }
    try:
        return CustomOperation.model_validate(data)
    except ValidationError as exc:
        note(
            f"{ep.method} {ep.path}: cannot be planned as an operation: {exc.errors()[0]['msg']}",
            ep.source,
            "left out of the generated backend",
        )
        return None


def plan_name(key: str) -> str | None:
    """The plan's snake_case name of a JSON key or parameter (`fromDate` -> `from_date`,
    `HALL` -> `hall`), or None when it makes no identifier."""
    from sp_backend.readers.build import snake_name  # build imports this module

    name = snake_name(key).replace("-", "_")
    name = name.lower() if name.isupper() else name
    return name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else None


def follow_convention(ops: dict[str, CustomOperation], camel: bool) -> None:
    """Drop each json_name the resource's convention already gives (camelCase of the name,
    or the name itself), so the plan states only the keys that differ."""
    for op in ops.values():
        for part in (op.request, op.response, op.query):
            if not isinstance(part, dict):
                continue
            for name, spec in part.items():
                if spec.json_name == (camel_case(name) if camel else name):
                    part[name] = spec.model_copy(update={"json_name": None})


def _creates(ep: Endpoint, path: str) -> bool:
    """POST onto a nested collection (/{id}/variants) creates a child."""
    return ep.method == "POST" and not path.endswith("}") and path.count("/") >= 2


def _fields(
    facts: list[FieldFact], field_of: FieldBuilder, answer: bool = False
) -> dict[str, FieldSpec]:
    by_name: dict[str, list[FieldFact]] = {}
    keys: dict[str, str] = {}
    for f in facts:
        name = plan_name(f.name)
        if name is not None and keys.setdefault(name, f.name) == f.name:
            by_name.setdefault(name, []).append(f)
    out: dict[str, FieldSpec] = {}
    for name, group in by_name.items():
        spec = field_of(name, group)
        if spec is None:
            continue
        if keys[name] != name:  # the contract's key; follow_convention drops it if redundant
            spec = spec.model_copy(update={"json_name": keys[name]})
        if answer:  # shown in the answer: always there, and no input rules
            data = spec.model_dump(exclude_none=True) | {"required": True}
            data.update(input_rules=[], read_only=False, default=None, nullable=None)
            spec = FieldSpec.model_validate(data)
        out[name] = spec
    return out


__all__ = ["build_operation", "follow_convention", "operation_names", "plan_name", "relative_path"]
