"""Names the generated code uses, derived from plan identifiers."""

from __future__ import annotations


def class_name(identifier: str) -> str:
    """task -> Task, line_item -> LineItem."""
    return "".join(part.capitalize() for part in identifier.split("_") if part)


def constant_name(identifier: str) -> str:
    return identifier.upper()


def title_words(identifier: str) -> str:
    """line_item -> 'line item' (for messages and docstrings)."""
    return identifier.replace("_", " ")
