"""OpenAPI 3 documents (YAML or JSON): paths and operations to endpoints, component schemas to
models. Malformed documents give a named SpecError, never a traceback.

References go through `jsonref` (a maintained JSON Reference resolver: JSON pointers, refs to
refs, refs into other local files) rather than a hand-written walk that stopped after five hops
and never left the file. On top of it, `_flat` merges `allOf` parts and folds the nullable forms
(`anyOf`/`oneOf` with `null`, `type: [x, "null"]`). A reference that cannot be followed (a
missing pointer, a remote URL, a file outside the project) is an `unresolved` note at the
schema, never silently fewer fields."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import jsonref
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
    """Line of each path key and of each schema name under `schemas:`, for file:line sources
    (YAML and pretty JSON alike)."""
    out: dict[str, int] = {}
    parent: int | None = None  # indentation of the `schemas:` key we are under
    child: int | None = None  # indentation of the schema names below it
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return out
    for i, line in enumerate(text.splitlines(), start=1):
        key = re.match(r"^(\s*)[\"']?([^\"':#\s][^\"':]*)[\"']?\s*:", line)
        if key is None:
            continue
        indent, name = len(key.group(1)), key.group(2).strip()
        if parent is not None and indent <= parent:
            parent = child = None
        if name.startswith("/"):
            out.setdefault(name, i)
        elif parent is not None:
            child = indent if child is None else child
            if indent == child:
                out.setdefault(name, i)
        if name == "schemas":
            parent, child = indent, None
    return out


# String formats the plan has types for (JSON Schema's names, and the usual "url").
_FORMATS = {
    "uuid": "uuid",
    "date-time": "datetime",
    "date": "date",
    "email": "email",
    "idn-email": "email",
    "uri": "uri",
    "url": "uri",
    "iri": "uri",
}


def _field(
    name: str,
    schema: Any,
    required: bool,
    where: str,
    rank: int,
    notes: list[tuple[str, str]] | None = None,
    depth: int = 0,
) -> FieldFact:
    fact = FieldFact(name, where, rank, CTX_TABLE)
    if not isinstance(schema, dict):
        return fact
    kind = _TYPES.get(str(schema.get("type")))
    fmt = str(schema.get("format", ""))
    if fmt in _FORMATS and (kind in (None, "str") or fmt in ("date", "date-time")):
        kind = _FORMATS[fmt]
    elif kind in ("json", "list[str]"):
        kind = _container(fact, schema, where, rank, notes if notes is not None else [], depth)
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
        ("example", "example"),
    ):
        if src in schema and isinstance(schema[src], (int, float, str, list, bool)):
            fact.put(dst, schema[src])
    if schema.get("readOnly") is True:
        fact.put("read_only", True)
    return fact


class Unfollowed(Exception):
    """A `$ref` that cannot be followed; `args[0]` says which and why."""


# Objects inside objects are read this deep; a schema that holds itself (a tree) stops here.
_NESTING = 4


def _container(
    fact: FieldFact,
    schema: dict[str, Any],
    where: str,
    rank: int,
    notes: list[tuple[str, str]],
    depth: int,
) -> str:
    """An object with properties is an object of those fields; an array of integers, or of
    such objects, a list of them (its item bounds read too); any other array a list of text
    and any other object JSON, as before."""
    if depth >= _NESTING:
        return "json" if schema.get("type") == "object" else "list[str]"
    if schema.get("type") == "object":
        members = _members(schema, where, rank, notes, depth)
        if members:
            fact.put("fields", members)
            return "object"
        return "json"
    try:
        items = _flat(schema.get("items")) or {}
    except Unfollowed:
        items = {}
    if items.get("type") == "integer":
        for src, dst in (("minimum", "item_ge"), ("maximum", "item_le")):
            if isinstance(items.get(src), int) and not isinstance(items.get(src), bool):
                fact.put(dst, items[src])
        return "list[int]"
    if items.get("type") == "object" or "properties" in items:
        members = _members(items, where, rank, notes, depth)
        if members:
            fact.put("fields", members)
            return "list[object]"
        return "json"
    return "list[str]"


def _members(
    schema: Any, where: str, rank: int, notes: list[tuple[str, str]], depth: int
) -> dict[str, dict[str, Any]]:
    """An object schema's properties as the plan's nested fields (each as FieldSpec keys)."""
    return {
        f.name: {key: value.value for key, value in f.attrs.items()}
        for f in _object_fields(schema, where, rank, notes, depth + 1)
    }


def _local_loader(root: Path):  # noqa: ANN202 - jsonref's loader protocol
    """jsonref's loader, limited to files inside the project (never the network)."""

    def load(uri: str) -> Any:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise ValueError(f"only files of the project are followed, not {uri}")
        target = Path(url2pathname(parsed.path)).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"{target} is outside the project")
        text = target.read_text(encoding="utf-8-sig")
        return json.loads(text) if target.suffix.lower() == ".json" else yaml.safe_load(text)

    return load


def _with_refs(doc: dict[str, Any], path: Path, rel: str) -> dict[str, Any]:
    """`doc` with every `$ref` replaced by a lazy proxy of what it points at."""
    root = path.resolve().parents[len(Path(rel).parts) - 1]
    return jsonref.replace_refs(  # type: ignore[no-any-return]
        doc, base_uri=path.resolve().as_uri(), loader=_local_loader(root), lazy_load=True
    )


def _follow(schema: Any) -> Any:
    try:
        return dict(schema) if isinstance(schema, Mapping) else schema
    except jsonref.JsonRefError as exc:
        ref = exc.reference.get("$ref") if isinstance(exc.reference, Mapping) else exc.reference
        cause = str(exc.cause or exc.message).splitlines()[0]
        raise Unfollowed(f"$ref {ref!r} not followed ({cause})") from None


def _flat(schema: Any, depth: int = 0) -> dict[str, Any] | None:
    """One schema as a plain mapping: its `$ref` followed, `allOf` parts merged (properties and
    `required` united, the schema's own keys winning), a single non-null alternative of
    `anyOf`/`oneOf` taken as the schema, and `null` in a type list dropped."""
    node = _follow(schema)
    if not isinstance(node, dict) or depth > 20:
        return None
    out = {k: v for k, v in node.items() if k != "allOf"}
    parts = node.get("allOf")
    if isinstance(parts, list):
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in parts:
            flat = _flat(part, depth + 1) or {}
            props.update(flat.get("properties") or {})
            required += list(flat.get("required") or [])
            for key, value in flat.items():
                out.setdefault(key, value)
        props.update(node.get("properties") or {})
        required += list(node.get("required") or [])
        out["properties"] = props
        out["required"] = list(dict.fromkeys(required))
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not isinstance(options, list):
            continue
        concrete = [
            flat
            for flat in (_flat(option, depth + 1) for option in options)
            if flat is not None and flat.get("type") != "null"
        ]
        if len(concrete) == 1:
            rest = {k: v for k, v in out.items() if k != key}
            out = {**concrete[0], **rest}
    kinds = out.get("type")
    if isinstance(kinds, list):
        named = [k for k in kinds if k != "null"]
        out["type"] = named[0] if len(named) == 1 else None
    return out


def _object_fields(
    schema: Any, where: str, rank: int, notes: list[tuple[str, str]], depth: int = 0
) -> list[FieldFact]:
    """The fields of an object schema (of its items, for an array); what cannot be followed is
    noted at `where`, and a property whose schema cannot be followed keeps its name."""
    try:
        flat = _flat(schema)
    except Unfollowed as exc:
        notes.append((f"{exc.args[0]}; its fields are not read", where))
        return []
    if flat is None:
        return []
    if flat.get("type") == "array":
        return _object_fields(flat.get("items"), where, rank, notes, depth)
    props = flat.get("properties")
    if not isinstance(props, Mapping):
        return []
    required = flat.get("required") if isinstance(flat.get("required"), list) else []
    fields = []
    for name in props:
        try:
            prop = _flat(props[name])
        except Unfollowed as exc:
            notes.append((f"{name}: {exc.args[0]}; its type is not read", where))
            prop = None
        fields.append(_field(str(name), prop, name in required, where, rank, notes, depth))
    return fields


def _skeleton(schema: Any, depth: int = 0) -> Any:
    """A JSON value of the schema's shape (its `example` where it gives one): the evidence a
    contract's JSON example would be, for the readers of list shapes."""
    try:
        flat = _flat(schema)
    except Unfollowed:
        return None
    if flat is None or depth > 6:
        return None
    if "example" in flat:
        return flat["example"]
    kind = flat.get("type") or ("object" if "properties" in flat else None)
    if kind == "object":
        props = flat.get("properties")
        if not isinstance(props, Mapping):
            return {}
        return {str(name): _skeleton(props[name], depth + 1) for name in props}
    if kind == "array":
        return [_skeleton(flat.get("items"), depth + 1)]
    return {"string": "", "integer": 0, "number": 0.0, "boolean": False}.get(str(kind))


def _json_content(node: Any) -> dict[str, Any]:
    """The `application/json` media object of a request body or response ({} when absent)."""
    try:
        flat = _follow(node)
        content = _follow(flat.get("content")) if isinstance(flat, dict) else None
        media = _follow(content.get("application/json")) if isinstance(content, dict) else None
    except Unfollowed:
        return {}
    return media if isinstance(media, dict) else {}


def _examples(media: dict[str, Any]) -> list[Any]:
    """The literal examples of a media object: `example`, then each of `examples`' values."""
    found = [media["example"]] if "example" in media else []
    named = _follow(media.get("examples"))
    for value in named.values() if isinstance(named, dict) else []:
        value = _follow(value)
        if isinstance(value, dict) and "value" in value:
            found.append(value["value"])
    return found


def _param(node: Any, where: str) -> Param | None:
    try:
        param = _follow(node)
        schema = _flat(param.get("schema")) if isinstance(param, dict) else None
    except Unfollowed:
        return None
    if not isinstance(param, dict) or "name" not in param:
        return None
    schema = schema or {}
    bound = f" (max: {schema['maximum']})" if "maximum" in schema else ""
    return Param(
        str(param["name"]),
        str(param.get("in", "query")),
        where,
        str(schema.get("type") or "") or None,
        str(schema["default"]) if "default" in schema else None,
        str(param.get("description", "")) + bound,
        str(schema["pattern"]) if isinstance(schema.get("pattern"), str) else None,
        schema["maxLength"] if type(schema.get("maxLength")) is int else None,
    )


def _server_prefix(doc: Mapping[str, Any]) -> str:
    """The path part of the first server URL (`/api/v1`, `https://x.example/api`): where the
    paths are served. Templated URLs (`{basePath}`) give none."""
    servers = doc.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    url = str(first.get("url", "")) if isinstance(first, Mapping) else ""
    if "{" in url:
        return ""
    return urlparse(url).path.rstrip("/")


def openapi_endpoints(path: Path, rel: str, rank: int) -> tuple[list[Endpoint], list[TableFacts]]:
    doc = _with_refs(load_openapi(path, rel), path, rel)
    lines = _line_index(path)
    prefix = _server_prefix(doc)
    endpoints: list[Endpoint] = []
    # refs not followed in request bodies, by the collection the path names (its resource)
    notes: dict[str, list[tuple[str, str]]] = {}
    for raw_path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        cleaned = clean_path(prefix + str(raw_path))
        if cleaned is None:
            continue
        where = f"{rel}:{lines.get(str(raw_path), 1)}"
        for method, op in item.items():
            if method.upper() not in METHODS or not isinstance(op, Mapping):
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
            for code, answer in (op.get("responses") or {}).items():
                if not str(code).isdigit():
                    continue
                # The answer's description says when it happens, as a Markdown line would.
                said = answer.get("description") if isinstance(answer, Mapping) else None
                ep.statuses[int(code)] = f"{code} {said}" if said else str(code)
                media = _json_content(answer)
                shown = _examples(media) or [_skeleton(media.get("schema"))]
                found = [(body, where) for body in shown if body is not None]
                if 200 <= int(code) < 300:
                    ep.response_examples += found
                elif int(code) >= 400:
                    ep.error_examples += found
            for node in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
                param = _param(node, where)
                if param is not None:
                    ep.params.append(param)
            body = _json_content(op.get("requestBody"))
            literals = [part for part in cleaned[0].split("/") if part and "{" not in part]
            body_notes = notes.setdefault(model_key(literals[-1]) if literals else "", [])
            for f in _object_fields(body.get("schema"), where, rank, body_notes):
                f.put("in_input", True)
                ep.body.append(f)
            endpoints.append(ep)
    models: list[TableFacts] = []
    components = doc.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    for name in schemas if isinstance(schemas, Mapping) else []:
        where = f"{rel}:{lines.get(str(name), 1)}"
        table_notes: list[tuple[str, str]] = []
        fields = _object_fields(schemas[name], where, rank, table_notes)
        if fields or table_notes:
            table = TableFacts(model_key(str(name)), rel, rank, fields)
            table.unresolved += table_notes
            models.append(table)
    for key, said in notes.items():
        if said:
            table = TableFacts(key, rel, rank)
            table.unresolved += said
            models.append(table)
    return endpoints, models


__all__ = ["load_openapi", "openapi_endpoints"]
