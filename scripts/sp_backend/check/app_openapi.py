"""The generated app's OpenAPI document, read in a separate process with the backend folder on
sys.path (the app is imported, never started: no database connection is made)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sp_backend.errors import SkillError

_PROGRAM = "import json, sys; from app.main import app; json.dump(app.openapi(), sys.stdout)"


def load_app_openapi(backend: Path, python: str | None = None) -> dict[str, Any]:
    if not (backend / "app" / "main.py").is_file():
        raise SkillError(
            f"{backend}: no generated app here (app/main.py); run "
            "`sp-backend emit FEATURE` first, or pass --backend"
        )
    with tempfile.TemporaryDirectory(prefix="sp-backend-check-") as tmp:
        env = {
            **os.environ,
            "ENVIRONMENT": "development",
            "PYTHONPATH": str(backend),
            "DATABASE_URL": f"sqlite:///{tmp}/check.db",
        }
        try:
            result = subprocess.run(
                [python or sys.executable, "-c", _PROGRAM],
                cwd=backend,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SkillError(f"{backend}: could not import the app: {exc}") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SkillError(
            f"{backend}: importing the app failed: {last} (install its "
            "dependencies: pip install -r requirements.txt)"
        )
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise SkillError(f"{backend}: the app printed no OpenAPI document") from None


def resolve(doc: dict[str, Any], schema: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        target: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema, seen = target, seen + 1
    return schema


def property_names(doc: dict[str, Any], schema: Any, depth: int = 0) -> set[str]:
    """Every property name anywhere in a schema (nested objects, arrays, anyOf branches)."""
    schema = resolve(doc, schema)
    if not isinstance(schema, dict) or depth > 6:
        return set()
    names = set(schema.get("properties", {}))
    children = list(schema.get("properties", {}).values())
    children += [schema["items"]] if isinstance(schema.get("items"), dict) else []
    for key in ("anyOf", "oneOf", "allOf"):
        children += schema.get(key, [])
    for child in children:
        names |= property_names(doc, child, depth + 1)
    return names


def operation_schemas(doc: dict[str, Any], op: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Field names of an operation's JSON request body and of its success responses."""
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    request = property_names(doc, body.get("schema"))
    response: set[str] = set()
    for code, answer in op.get("responses", {}).items():
        if str(code).startswith("2"):
            content = answer.get("content", {}).get("application/json", {})
            response |= property_names(doc, content.get("schema"))
    return request, response
