"""Words people use for types, mapped to plan terms (constraint phrases: readers/phrases.py).
Regexes here only ever look at one cell, bullet or line: structure comes from the Markdown
parser."""

from __future__ import annotations

import re
from typing import Any

from sp_backend.readers import phrases

_TYPE_WORDS: list[tuple[str, str]] = [
    (r"(array|list)\s*(\[|<|of)\s*(str|string|text)|string\s*\[\]|str\[\]|text\[\]", "list[str]"),
    (
        r"(array|list)\s*(\[|<|of)\s*int(eger)?s?\b|int(eger)?\s*\[\]",
        "list[int]",
    ),
    (r"(array|list)\s*(\[|<|of)\s*objects?\b|object\s*\[\]", "list[object]"),
    (r"(array|list)\b|\w+\[\]", "list[str]"),
    (r"uuid|guid", "uuid"),
    (r"timestamptz|timestamp|datetime|date[- ]?time|iso\s*8601", "datetime"),
    (r"date\b", "date"),
    (r"bool(ean)?", "bool"),
    (r"(big|small)?serial|(big|small|tiny)?int(eger)?\d*\b", "int"),
    (r"decimal|numeric|money", "decimal"),
    (r"float|double|real\b|number", "float"),
    (r"object\s+(with|of|having)\b|nested\s+object", "object"),
    (r"jsonb?|object|dict|map\b", "json"),
    (r"enum", "enum"),
    (r"text\b|longtext|clob", "text"),
    (r"e-?mail(\s+address)?\b", "email"),
    (r"ur[il](?![-\w])|https?\s+(link|address)|web\s*(site|page|address)\b", "uri"),
    (r"(var)?char|string|str\b|citext", "str"),
]

_TYPE_RES = [(re.compile(rf"^\s*(?:{pat})", re.IGNORECASE), kind) for pat, kind in _TYPE_WORDS]

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)


def parse_type(word: str) -> str | None:
    """'VARCHAR(200)' -> 'str', 'array[string]' -> 'list[str]', 'Optional[int]' -> 'int'."""
    w = re.sub(r"[`*]", "", word or "").strip()
    w = re.sub(r"^(optional|mapped)\s*\[(.*)\]$", r"\2", w, flags=re.IGNORECASE)
    w = re.sub(r"\s*\|\s*(null|none)\b", "", w, flags=re.IGNORECASE).strip()
    for pattern, kind in _TYPE_RES:
        if pattern.match(w):
            return kind
    return None


def type_of_value(value: Any) -> str | None:
    """Type of a JSON example value (weak evidence: inferred, never explicit)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "list[str]"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return "list[int]"
        if all(members_of_value(v) for v in value):
            return "list[object]"
        return "json"
    if isinstance(value, dict):
        return "object" if members_of_value(value) else "json"
    if isinstance(value, str):
        if UUID_RE.match(value):
            return "uuid"
        if DATETIME_RE.match(value):
            return "datetime"
        if DATE_RE.match(value):
            return "date"
        return "str"
    return None


def members_of_value(value: Any) -> dict[str, dict[str, Any]] | None:
    """The fields of an example object ({"lat": 52.1, "lng": 4.3} -> lat: float, lng: float),
    the objects inside it likewise; None when it is no object of named fields (an empty one,
    a key that is no name, or a value JSON cannot type, such as null or a mixed list). For a
    list of objects, the fields of its first item."""
    if isinstance(value, list):
        return members_of_value(value[0]) if value else None
    if not isinstance(value, dict) or not value:
        return None
    out: dict[str, dict[str, Any]] = {}
    for key, item in value.items():
        kind = type_of_value(item)
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", key):
            return None
        if kind in (None, "json"):
            return None
        # Dates, datetimes and UUIDs are text inside a JSON object (plan/model.py MEMBER_TYPES).
        member: dict[str, Any] = {"type": "str" if kind in ("date", "datetime", "uuid") else kind}
        if kind in ("object", "list[object]"):
            member["fields"] = members_of_value(item)
        out[key] = member
    return out


def type_length(word: str) -> int | None:
    """VARCHAR(200), string(100) -> 200, 100."""
    m = re.search(r"(?:char|string|str)\s*\(\s*(\d+)\s*\)", word or "", re.IGNORECASE)
    return int(m.group(1)) if m else None


def parse_literal(text: str) -> Any:
    return phrases.literal(text)


def parse_enum_values(text: str) -> list[str] | None:
    """'low, medium, high', '"low" | "medium"', "'user', 'assistant'", 'one of: a, b or c'."""
    return phrases.enum_values(text)


def on_delete_rule(text: str) -> str | None:
    """The plan's on_delete for an ON DELETE clause (NO ACTION refuses the delete, as RESTRICT)."""
    rule = r"\bon\s+delete\s*[:=]?\s*(cascade|restrict|set\s+null|no\s+action)\b"
    m = re.search(rule, text, re.IGNORECASE)
    if not m:
        return None
    word = re.sub(r"\s+", " ", m.group(1).lower())
    return {"cascade": "cascade", "set null": "set_null"}.get(word, "restrict")


def parse_constraints(text: str) -> dict[str, Any]:
    """Constraints stated in one cell or bullet, read by the phrase table (readers/phrases.py).
    Keys are FieldSpec keys plus primary_key, foreign_key, required and read_only. Only what
    the text says: nothing is assumed."""
    return phrases.read(text)


__all__ = [
    "members_of_value",
    "parse_constraints",
    "parse_enum_values",
    "parse_literal",
    "parse_type",
    "type_length",
    "type_of_value",
]
