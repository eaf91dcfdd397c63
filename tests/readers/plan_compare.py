"""Semantic plan comparison: what a plan decides, without where each decision came from."""

from __future__ import annotations

from typing import Any

from sp_backend.plan.model import BackendPlan

_PROVENANCE = {"source", "description", "example"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _PROVENANCE}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def decisions(plan: BackendPlan) -> dict[str, Any]:
    """Resources, auth and error conventions as plain data, provenance removed."""
    data = plan.model_dump(mode="json")
    return {k: _strip(data[k]) for k in ("feature", "auth", "errors", "resources")}
