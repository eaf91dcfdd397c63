"""The one table of envelope shapes: which plan value answers which JSON, for successful
answers (responses.envelope) and errors (errors.envelope). The plan's descriptions, the ADR
that records the choice and the reader's notes all quote it."""

from __future__ import annotations

# responses.envelope -> a single object's answer ("data" stands for responses.data_key).
ANSWER_SHAPES: dict[str, str] = {
    "none": "the object itself",
    "data": '{"data": {...}}',
    "success": '{"success": true, "data": {...}}',
    "status": '{"status": "success", "data": {...}} (JSend)',
}

# The pair the success and status envelopes add beside the data and each list's items.
ANSWER_MARKERS: dict[str, tuple[str, object]] = {
    "success": ("success", True),
    "status": ("status", "success"),
}

# errors.envelope -> an error's answer, and (after the semicolon) invalid input's where it differs.
ERROR_SHAPES: dict[str, str] = {
    "error": '{"error": {"code", "message", "details"}}',
    "success": '{"success": false, "error": {"code", "message", "details"}}',
    "detail": '{"detail": the message}; invalid input {"detail": the details}',
    "message": '{"message": ...}; invalid input adds "details"',
    "status": '{"status": "error", "message": ...} (JSend); invalid input '
    '{"status": "fail", "data": the details}',
    "errors": '{"errors": [{"status", "code", "detail"}]}; invalid input one object per problem, '
    'with its "source" ({"pointer": "/field"} or {"parameter": "name"})',
}


def shapes_text(table: dict[str, str]) -> str:
    """`name: shape` of each row, for a description."""
    return "; ".join(f"{name}: {shape}" for name, shape in table.items())


__all__ = ["ANSWER_MARKERS", "ANSWER_SHAPES", "ERROR_SHAPES", "shapes_text"]
