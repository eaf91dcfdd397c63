"""Distinct valid values for the generated tests: a unique field that a numeric suffix cannot
vary (a pattern to match, a number) still needs a different value in every row a test creates,
or the rows collide with 409s. Each value satisfies every constraint of the field at once."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

from sp_backend.plan.model import EMAIL_PATTERN, TEXT_TYPES, URI_PATTERN, FieldSpec

_ALPHABET = string.digits + string.ascii_lowercase + string.ascii_uppercase


def distinct_values(spec: FieldSpec, first: Any, count: int) -> list[Any]:
    """`count` distinct valid values starting with `first`; fewer when the field has no room
    for that many (an empty list when it cannot be varied at all)."""
    if spec.type in TEXT_TYPES and isinstance(first, str):
        found = [first]
        for value in _variants(first):
            if len(found) == count:
                break
            if value not in found and _fits_text(spec, value):
                found.append(value)
        return found if len(found) > 1 else []
    if spec.type == "int" and isinstance(first, int) and not isinstance(first, bool):
        high = spec.le if spec.le is not None else (spec.lt - 1 if spec.lt is not None else None)
        values = [first + i for i in range(count) if high is None or first + i <= high]
        return values if len(values) > 1 else []
    return []


def _variants(text: str) -> Iterator[str]:
    """The text with one character changed, then with one inserted, from the end backwards
    (the end of a value is usually its freest part: a number, a local part's last letter)."""
    for i in reversed(range(len(text))):
        for c in _ALPHABET:
            if c != text[i]:
                yield text[:i] + c + text[i + 1 :]
    for i in reversed(range(len(text) + 1)):
        for c in _ALPHABET:
            yield text[:i] + c + text[i:]


def _fits_text(spec: FieldSpec, value: str) -> bool:
    if spec.min_length is not None and len(value) < spec.min_length:
        return False
    if spec.max_length is not None and len(value) > spec.max_length:
        return False
    if "not_blank" in spec.input_rules and not value.strip():
        return False
    if spec.type == "email":
        # Stored lowercased: an upper-case variant would come back as another value.
        return value == value.lower() and re.fullmatch(EMAIL_PATTERN, value) is not None
    if spec.type == "uri":
        return re.fullmatch(URI_PATTERN, value) is not None
    return spec.pattern is None or re.fullmatch(spec.pattern, value) is not None
