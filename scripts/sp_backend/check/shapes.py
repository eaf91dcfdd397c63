"""A JSON example against a JSON Schema (the app's OpenAPI) or against a live answer, key by key
and type by type: values may differ; nesting, key names and types may not."""

from __future__ import annotations

from typing import Any

from sp_backend.check.app_openapi import resolve

_JSON_TYPES = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    list: "array",
    type(None): "null",
}


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "unknown")


def _branches(doc: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    schema = resolve(doc, schema)
    if not isinstance(schema, dict):
        return []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out: list[dict[str, Any]] = []
            for branch in schema[key]:
                out += _branches(doc, branch)
            return out
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for branch in schema["allOf"]:
            for b in _branches(doc, branch):
                merged["properties"].update(b.get("properties", {}))
                merged["required"] += b.get("required", [])
                for k, v in b.items():
                    if k not in ("properties", "required"):
                        merged.setdefault(k, v)
        return [merged]
    return [schema]


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    types = set(t) if isinstance(t, list) else {t} if t else set()
    if not types:
        if "properties" in schema:
            types = {"object"}
        elif "items" in schema:
            types = {"array"}
        elif "enum" in schema:
            types = {json_type(v) for v in schema["enum"]}
        elif "const" in schema:
            types = {json_type(schema["const"])}
    if schema.get("nullable"):
        types.add("null")
    return types


def _fits(value_type: str, types: set[str]) -> bool:
    if not types:
        return True  # any
    if value_type in types:
        return True
    return value_type == "integer" and "number" in types


def against_schema(
    doc: dict[str, Any], value: Any, schema: Any, *, request: bool, where: str = ""
) -> list[str]:
    """What differs between an example and a schema; [] when it fits."""
    branches = _branches(doc, schema)
    if not branches:
        return []
    problems_per_branch = []
    vt = json_type(value)
    for b in branches:
        types = _types(b)
        if not _fits(vt, types):
            problems_per_branch.append(
                [f"{where or 'the body'} is {_a(vt)} in the contract, {_or(types)} in the app"]
            )
            continue
        problems: list[str] = []
        if vt == "object" and ("object" in types or not types):
            problems += _object(doc, value, b, request=request, where=where)
        elif vt == "array" and b.get("items") is not None:
            for k, item in enumerate(value[:3]):
                problems += against_schema(
                    doc, item, b["items"], request=request, where=f"{where}[{k}]"
                )
        if not problems:
            return []
        problems_per_branch.append(problems)
    # the branch of the right type with the fewest differences explains it best
    return min(problems_per_branch, key=len)


def _object(
    doc: dict[str, Any], value: dict[str, Any], schema: dict[str, Any], *, request: bool, where: str
) -> list[str]:
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    problems = []
    for key, item in value.items():
        here = f"{where}.{key}" if where else key
        if key in props:
            problems += against_schema(doc, item, props[key], request=request, where=here)
        elif isinstance(extra, dict) and extra:
            problems += against_schema(doc, item, extra, request=request, where=here)
        elif extra is True or (not props and extra is None):
            continue
        else:
            names = ", ".join(sorted(props)) or "none"
            problems.append(f"key {here!r} is not in the app's schema (it has: {names})")
    if request:
        for key in schema.get("required", []):
            if key not in value:
                here = f"{where}.{key}" if where else key
                problems.append(
                    f"the app requires {here!r}, which the contract's example does not send"
                )
    return problems


def against_answer(example: Any, answer: Any, where: str = "") -> list[str]:
    """A live answer against the contract's example: every key the example shows is there,
    with the same type (null on either side is a value, not a type)."""
    et, at = json_type(example), json_type(answer)
    if "null" in (et, at):
        return []
    if et != at and not ({et, at} <= {"integer", "number"}):
        return [f"{where or 'the body'} is {_a(et)} in the contract, {_a(at)} in the answer"]
    problems = []
    if et == "object":
        for key, item in example.items():
            here = f"{where}.{key}" if where else key
            if key not in answer:
                have = ", ".join(sorted(answer)) or "none"
                problems.append(f"key {here!r} is missing from the answer (it has: {have})")
            else:
                problems += against_answer(item, answer[key], here)
    elif et == "array" and example and answer:
        problems += against_answer(example[0], answer[0], f"{where}[0]")
    return problems


def _a(t: str) -> str:
    return {"object": "an object", "array": "an array", "integer": "an integer"}.get(t, f"a {t}")


def _or(types: set[str]) -> str:
    return " or ".join(_a(t) for t in sorted(types)) or "anything"
