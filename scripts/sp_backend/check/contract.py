"""What the contract promises, per endpoint, read literally (see `literal`): from the Markdown
contract gather found, or from an OpenAPI file (YAML or JSON) when the contract is one. Nothing
here goes through the plan's readers, so what they missed is still checked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sp_backend.check.literal import METHODS, Example, Param, Promise, read_markdown
from sp_backend.errors import SpecError
from sp_backend.readers.base_path import stated_bases
from sp_backend.readers.locate import locate

__all__ = ["Promise", "read_contract", "contract_files"]


def contract_files(root: Path, feature: str) -> tuple[Path, str, str]:
    """The contract file, its path relative to root, and its form (markdown | openapi)."""
    sources = locate(root, feature)
    form = "markdown" if sources.contract.suffix.lower() == ".md" else "openapi"
    return sources.contract, sources.rel(sources.contract), form


def read_contract(root: Path, feature: str) -> tuple[str, list[Promise]]:
    """The contract's path (relative to root) and one promise per endpoint it declares."""
    path, rel, form = contract_files(root, feature)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    promises = read_markdown(text, rel) if form == "markdown" else read_openapi(text, rel)
    if form == "markdown":
        # The base path stated once ("Base URL: .../v2"), as gather applies it.
        bases = [b.path for b in stated_bases(text.splitlines(), rel) if b.path]
        for promise in promises if bases else []:
            if promise.path != bases[0] and not promise.path.startswith(bases[0] + "/"):
                promise.path = bases[0] + promise.path
    if not promises:
        raise SpecError(f"{rel}: no endpoints found to check")
    return rel, promises


# ---- OpenAPI -------------------------------------------------------------------------------


def _lines(node: yaml.Node) -> Any:
    """A YAML/JSON node as plain data, each mapping carrying its keys' lines under '__line__'."""
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {"__lines__": {}}
        for key, value in node.value:
            name = str(key.value)
            out[name] = _lines(value)
            out["__lines__"][name] = key.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_lines(v) for v in node.value]
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    # A scalar by its resolved tag (null, bool, int, float, timestamp), as safe_load reads it.
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "__lines__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _ref(doc: dict[str, Any], value: Any, depth: int = 0) -> Any:
    while isinstance(value, dict) and "$ref" in value and depth < 20:
        target: Any = doc
        for part in str(value["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        value, depth = target, depth + 1
    return value


# OpenAPI's readOnly properties are never sent, its writeOnly ones never answered: an example
# built from a schema one body shares with the other leaves them out where they cannot be.
NOT_IN = {"request": "readOnly", "response": "writeOnly"}


def _sample(doc: dict[str, Any], schema: Any, direction: str, depth: int = 0) -> Any:
    """An example built from a contract schema: every property the direction carries, a value
    of its type."""
    schema = _ref(doc, schema)
    if not isinstance(schema, dict) or depth > 6:
        return None
    if "example" in schema:
        return _clean(schema["example"])
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            branches = [b for b in schema[key] if _ref(doc, b).get("type") != "null"]
            return _sample(doc, (branches or schema[key])[0], direction, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for b in schema["allOf"]:
            part = _sample(doc, b, direction, depth + 1)
            if isinstance(part, dict):
                merged.update(part)
        return merged
    t = schema.get("type")
    t = next((x for x in t if x != "null"), None) if isinstance(t, list) else t
    if t == "object" or "properties" in schema:
        props = _properties(doc, schema, direction)
        return {k: _sample(doc, v, direction, depth + 1) for k, v in props.items()}
    if t == "array":
        item = _sample(doc, schema.get("items"), direction, depth + 1)
        return [item] if item is not None else []
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    return {"string": "s", "integer": 1, "number": 1.5, "boolean": True}.get(str(t))


def _properties(doc: dict[str, Any], schema: dict[str, Any], direction: str) -> dict[str, Any]:
    left_out = NOT_IN[direction]
    return {
        name: sub
        for name, sub in schema.get("properties", {}).items()
        if name != "__lines__" and not (_ref(doc, sub) or {}).get(left_out)
    }


def _media_example(doc: dict[str, Any], media: dict[str, Any], direction: str) -> Any:
    if "example" in media:
        return _clean(media["example"])
    examples = media.get("examples")
    if isinstance(examples, dict):
        for ex in examples.values():
            ex = _ref(doc, ex)
            if isinstance(ex, dict) and "value" in ex:
                return _clean(ex["value"])
    if "schema" in media:
        return _sample(doc, media["schema"], direction)
    return None


def _schema_bounds(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    schema = _ref(doc, schema)
    if not isinstance(schema, dict):
        return {}
    for key in ("anyOf", "oneOf"):
        for b in schema.get(key, []):
            if _ref(doc, b).get("type") != "null":
                return _schema_bounds(doc, b)
    out = {
        k: _clean(schema[k]) for k in ("minLength", "maxLength", "maxItems", "enum") if k in schema
    }
    return out


def read_openapi(text: str, rel: str) -> list[Promise]:
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{rel}: not readable as OpenAPI: {exc}") from None
    if node is None:
        return []
    data = _lines(node)
    if not isinstance(data, dict):
        return []
    prefix = ""
    servers = data.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        m = re.match(r"^(?:https?://[^/]+)?(/[^\s?#]*)", url)
        prefix = m.group(1).rstrip("/") if m else ""
    doc = _clean(data)
    promises: list[Promise] = []
    paths = data.get("paths", {}) if isinstance(data.get("paths"), dict) else {}
    for path, item in paths.items():
        if path == "__lines__" or not isinstance(item, dict):
            continue
        shared = [p for p in item.get("parameters", []) if isinstance(p, dict)]
        for method, op in item.items():
            if method.upper() not in METHODS or not isinstance(op, dict):
                continue
            line = item["__lines__"][method]
            p = Promise(method.upper(), prefix + path, f"{rel}:{line}", file=rel)
            p.lines = (line, line)
            responses = op.get("responses", {}) if isinstance(op.get("responses"), dict) else {}
            for code, answer in responses.items():
                if code == "__lines__" or not str(code).isdigit():
                    continue
                src = f"{rel}:{responses['__lines__'][code]}"
                answer = _ref(doc, _clean(answer)) if isinstance(answer, dict) else {}
                p.add_status(int(code), str(answer.get("description", code)), src)
                media = (answer.get("content") or {}).get("application/json")
                if isinstance(media, dict):
                    value = _media_example(doc, media, "response")
                    if isinstance(value, (dict, list)):
                        status = None if str(code).startswith("2") else int(code)
                        if str(code).startswith("2") and int(code) != min(
                            int(c) for c in responses if str(c).startswith("2")
                        ):
                            status = int(code)
                        p.examples.append(Example("response", status, value, src))
            for raw in shared + [x for x in op.get("parameters", []) if isinstance(x, dict)]:
                prm = _ref(doc, _clean(raw))
                name, where = str(prm.get("name", "")), str(prm.get("in", ""))
                src = f"{rel}:{line}"
                if where == "query" and name:
                    param = Param(name, "query", src, bounds=_schema_bounds(doc, prm.get("schema")))
                    p.query.setdefault(name, param)
                    p.params.append(param)
            body = _ref(doc, op.get("requestBody"))
            media = (
                ((body or {}).get("content") or {}).get("application/json")
                if isinstance(body, dict)
                else None
            )
            if isinstance(media, dict):
                body_line = op["__lines__"].get("requestBody", line)
                src = f"{rel}:{body_line}"
                value = _media_example(doc, media, "request")
                if isinstance(value, (dict, list)):
                    p.examples.append(Example("request", None, value, src))
                schema = _ref(doc, _clean(media.get("schema")))
                for name, sub in _properties(doc, schema or {}, "request").items():
                    p.body_fields.setdefault(name, src)
                    param = Param(name, "body", src, bounds=_schema_bounds(doc, sub))
                    p.params.append(param)
            promises.append(p)
    return promises
