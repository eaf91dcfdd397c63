"""What the generated app itself holds, for coverage to tell a contract line the app reflects
without a plan item citing it: the settings it reads from the environment (app/config.py), the
indexes of its tables (app/models/*.py, read with ast, never imported) and the keys its answers
carry (its OpenAPI)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sp_backend.check.app_openapi import resolve

_INDEXED = ("index", "unique", "primary_key")


@dataclass
class AppFacts:
    settings: set[str] = field(default_factory=set)  # environment names, upper case
    indexes: dict[str, set[str]] = field(default_factory=dict)  # table -> indexed columns
    answer_keys: set[str] = field(default_factory=set)  # every key of every answer body


def app_facts(backend: Path, doc: dict[str, Any]) -> AppFacts:
    facts = AppFacts(answer_keys=_answer_keys(doc))
    config = backend / "app" / "config.py"
    if config.is_file():
        facts.settings = _settings(config)
    for model in sorted((backend / "app" / "models").glob("*.py")):
        for table, columns in _indexes(model).items():
            facts.indexes.setdefault(table, set()).update(columns)
    return facts


def _tree(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError):
        return None


def _settings(path: Path) -> set[str]:
    """The Settings class's fields, as pydantic-settings reads them (case-insensitive)."""
    tree = _tree(path)
    out: set[str] = set()
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    out.add(item.target.id.upper())
    return out


def _indexes(path: Path) -> dict[str, set[str]]:
    """table -> every column an index, a unique constraint or the primary key covers."""
    tree = _tree(path)
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree) if tree else []:
        if not isinstance(node, ast.ClassDef):
            continue
        table: str | None = None
        columns: set[str] = set()
        for item in node.body:
            if isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__tablename__" for t in item.targets
            ):
                if isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                    table = item.value.value
            elif isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__table_args__" for t in item.targets
            ):
                for call in ast.walk(item.value):
                    if isinstance(call, ast.Call):
                        columns |= {
                            a.value
                            for a in call.args[1 if _callee(call) == "Index" else 0 :]
                            if isinstance(a, ast.Constant) and isinstance(a.value, str)
                        }
            elif (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and isinstance(item.value, ast.Call)
            ):
                for kw in item.value.keywords:
                    if kw.arg in _INDEXED and isinstance(kw.value, ast.Constant) and kw.value.value:
                        columns.add(item.target.id)
        if table:
            out.setdefault(table, set()).update(columns)
    return out


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _answer_keys(doc: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    seen: set[int] = set()

    def walk(schema: Any, depth: int) -> None:
        schema = resolve(doc, schema)
        if not isinstance(schema, dict) or depth > 8 or id(schema) in seen:
            return
        seen.add(id(schema))
        for name, child in schema.get("properties", {}).items():
            out.add(name)
            walk(child, depth + 1)
        for key in ("items", "additionalProperties"):
            walk(schema.get(key), depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(key, []):
                walk(branch, depth + 1)

    for item in doc.get("paths", {}).values():
        for op in item.values() if isinstance(item, dict) else []:
            if not isinstance(op, dict):
                continue
            for answer in op.get("responses", {}).values():
                for content in answer.get("content", {}).values():
                    walk(content.get("schema"), 0)
    return out
