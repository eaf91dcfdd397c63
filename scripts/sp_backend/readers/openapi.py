"""OpenAPI 3 documents (YAML or JSON): paths and operations to endpoints, component schemas to
models. Malformed documents give a named SpecError, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from sp_backend.errors import SpecError
from sp_backend.readers.endpoints import METHODS, clean_path
from sp_backend.readers.facts import CTX_TABLE, Endpoint, FieldFact, Param, TableFacts
from sp_backend.readers.markdown import read_text
from sp_backend.readers.models import model_key

_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "json",
    "array": "list[str]",
}


def load_openapi(path: Path, rel: str) -> dict[str, Any]:
    text = read_text(path, rel)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (
            f":{mark.line + 1}"
            if mark is not None
            else (f":{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "")
        )
        raise SpecError(
            f"{rel}{line}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
            f"{getattr(exc, 'problem', None) or exc}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("paths", {}), dict):
        raise SpecError(f"{rel}: not an OpenAPI document (expected a mapping with 'paths')")
    return data


def _line_index(path: Path) -> dict[str, int]:
    """Line of each path key, for file:line sources (YAML and pretty JSON alike)."""
    out: dict[str, int] = {}
    try:
        for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            m = re.match(r"^\s*[\"']?(/[^\"':]*)[\"']?\s*:", line)
            if m and m.group(1) not in out:
                out[m.group(1)] = i
    except (OSError, UnicodeDecodeError):
        pass
    return out


def _field(name: str, schema: Any, required: bool, where: str, rank: int) -> FieldFact:
    fact = FieldFact(name, where, rank, CTX_TABLE)
    if not isinstance(schema, dict):
        return fact
    kind = _TYPES.get(str(schema.get("type")))
    fmt = str(schema.get("format", ""))
    if fmt == "uuid":
        kind = "uuid"
    elif fmt == "date-time":
        kind = "datetime"
    elif fmt == "date":
        kind = "date"
    if isinstance(schema.get("enum"), list):
        kind = "enum"
        fact.put("values", [str(v) for v in schema["enum"]])
    if kind:
        fact.put("type", kind)
    fact.put("required", required)
    for src, dst in (
        ("minLength", "min_length"),
        ("maxLength", "max_length"),
        ("minimum", "ge"),
        ("maximum", "le"),
        ("pattern", "pattern"),
        ("maxItems", "max_items"),
        ("default", "default"),
    ):
        if src in schema and isinstance(schema[src], (int, float, str, list, bool)):
            fact.put(dst, schema[src])
    if schema.get("readOnly") is True:
        fact.put("read_only", True)
    return fact


def _resolve(doc: dict[str, Any], schema: Any) -> Any:
    for _ in range(5):
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            node: Any = doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node.get(part) if isinstance(node, dict) else None
            schema = node
        else:
            break
    return schema


def _object_fields(doc: dict[str, Any], schema: Any, where: str, rank: int) -> list[FieldFact]:
    schema = _resolve(doc, schema)
    if not isinstance(schema, dict):
        return []
    if schema.get("type") == "array":
        return _object_fields(doc, schema.get("items"), where, rank)
    props = schema.get("properties")
    if not isinstance(props, dict):
        return []
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    return [_field(str(n), _resolve(doc, s), n in required, where, rank) for n, s in props.items()]


def openapi_endpoints(path: Path, rel: str, rank: int) -> tuple[list[Endpoint], list[TableFacts]]:
    doc = load_openapi(path, rel)
    lines = _line_index(path)
    endpoints: list[Endpoint] = []
    for raw_path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        cleaned = clean_path(str(raw_path))
        if cleaned is None:
            continue
        where = f"{rel}:{lines.get(str(raw_path), 1)}"
        for method, op in item.items():
            if method.upper() not in METHODS or not isinstance(op, dict):
                continue
            ep = Endpoint(
                method.upper(),
                cleaned[0],
                where,
                rank,
                rel,
                title=str(op.get("summary", "")),
                description=str(op.get("description", "")),
            )
            for code in op.get("responses") or {}:
                if str(code).isdigit():
                    ep.statuses[int(code)] = str(code)
            for p in op.get("parameters") or []:
                p = _resolve(doc, p)
                if isinstance(p, dict) and "name" in p:
                    schema = _resolve(doc, p.get("schema")) or {}
                    ep.params.append(
                        Param(
                            str(p["name"]),
                            str(p.get("in", "query")),
                            where,
                            str(schema.get("type") or "") or None,
                            str(schema["default"])
                            if isinstance(schema, dict) and "default" in schema
                            else None,
                            str(p.get("description", ""))
                            + (
                                f" (max: {schema['maximum']})"
                                if isinstance(schema, dict) and "maximum" in schema
                                else ""
                            ),
                        )
                    )
            body = (
                (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {})
                if isinstance(op.get("requestBody"), dict)
                else {}
            )
            for f in _object_fields(
                doc, body.get("schema") if isinstance(body, dict) else None, where, rank
            ):
                f.put("in_input", True)
                ep.body.append(f)
            endpoints.append(ep)
    models: list[TableFacts] = []
    schemas = (
        ((doc.get("components") or {}).get("schemas") or {})
        if isinstance(doc.get("components"), dict)
        else {}
    )
    for name, schema in schemas.items() if isinstance(schemas, dict) else []:
        fields = _object_fields(doc, schema, f"{rel}:{lines.get(str(name), 1)}", rank)
        if fields:
            models.append(TableFacts(model_key(str(name)), rel, rank, fields))
    return endpoints, models


__all__ = ["load_openapi", "openapi_endpoints"]
