"""Words people use for types and constraints, mapped to plan terms. Regexes here only ever look
at one cell, bullet or line: structure comes from the Markdown parser."""

from __future__ import annotations

import re
from typing import Any

_TYPE_WORDS: list[tuple[str, str]] = [
    (r"(array|list)\s*(\[|<|of)\s*(str|string|text)|string\s*\[\]|str\[\]|text\[\]", "list[str]"),
    (r"(array|list)\b|\w+\[\]", "list[str]"),
    (r"uuid|guid", "uuid"),
    (r"timestamptz|timestamp|datetime|date[- ]?time|iso\s*8601", "datetime"),
    (r"date\b", "date"),
    (r"bool(ean)?", "bool"),
    (r"(big|small)?serial|(big|small|tiny)?int(eger)?\d*\b", "int"),
    (r"decimal|numeric|money", "decimal"),
    (r"float|double|real\b|number", "float"),
    (r"jsonb?|object|dict|map\b", "json"),
    (r"enum", "enum"),
    (r"text\b|longtext|clob", "text"),
    (r"(var)?char|string|str\b|email|url|citext", "str"),
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
        return "list[str]" if all(isinstance(v, str) for v in value) else "json"
    if isinstance(value, dict):
        return "json"
    if isinstance(value, str):
        if UUID_RE.match(value):
            return "uuid"
        if DATETIME_RE.match(value):
            return "datetime"
        if DATE_RE.match(value):
            return "date"
        return "str"
    return None


def type_length(word: str) -> int | None:
    """VARCHAR(200), string(100) -> 200, 100."""
    m = re.search(r"(?:char|string|str)\s*\(\s*(\d+)\s*\)", word or "", re.IGNORECASE)
    return int(m.group(1)) if m else None


_NUM = r"(\d[\d,_]*)"
_LEN_UNIT = r"(?:char(?:acter)?s?|chars?|letters?|length)"


def _int(text: str) -> int:
    return int(re.sub(r"[,_]", "", text))


def parse_literal(text: str) -> Any:
    t = text.strip().strip("`").strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    if low in ("[]", "empty array", "empty list"):
        return []
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if re.fullmatch(r"-?\d+\.\d+", t):
        return float(t)
    return t


def parse_enum_values(text: str) -> list[str] | None:
    """'low, medium, high', '"low" | "medium"', "'user', 'assistant'", 'one of: a, b or c'."""
    t = re.sub(r"\(?\s*default\s*[:=]?.*$", "", text, flags=re.IGNORECASE)
    t = re.sub(r"^.*?\b(one of|values?|enum|options?)\b\s*[:=]?\s*", "", t, flags=re.IGNORECASE)
    quoted = re.findall(r"[\"'`]([\w -]+)[\"'`]", t)
    if len(quoted) >= 2:
        return _distinct(quoted)
    parts = [p.strip(" .()[]") for p in re.split(r"\s*(?:,|\||/|\bor\b)\s*", t) if p.strip(" .()")]
    words = [p for p in parts if re.fullmatch(r"[A-Za-z][\w-]{0,30}", p)]
    if len(words) >= 2 and len(words) == len(parts):
        return _distinct(words)
    return None


_NOT_VALUES = {
    "null",
    "none",
    "string",
    "str",
    "integer",
    "int",
    "number",
    "boolean",
    "bool",
    "text",
    "uuid",
    "datetime",
    "date",
    "float",
    "array",
    "object",
    "optional",
    "required",
    "undefined",
}


def _distinct(values: list[str]) -> list[str] | None:
    if any(v.lower() in _NOT_VALUES for v in values):
        return None  # 'string | null' is a type, not an enum
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def on_delete_rule(text: str) -> str | None:
    """The plan's on_delete for an ON DELETE clause (NO ACTION refuses the delete, as RESTRICT)."""
    rule = r"\bon\s+delete\s*[:=]?\s*(cascade|restrict|set\s+null|no\s+action)\b"
    m = re.search(rule, text, re.IGNORECASE)
    if not m:
        return None
    word = re.sub(r"\s+", " ", m.group(1).lower())
    return {"cascade": "cascade", "set null": "set_null"}.get(word, "restrict")


def parse_constraints(text: str) -> dict[str, Any]:
    """Constraints stated in one cell or bullet. Keys are FieldSpec keys plus primary_key,
    foreign_key and required. Only what the text says: nothing is assumed."""
    t = re.sub(r"[`*]", "", text or "")
    low = t.lower()
    out: dict[str, Any] = {}
    if re.search(r"\boptional\b|\bnullable\b|\bnot required\b", low):
        out["required"] = False
    if re.search(r"\brequired\b|\bnot\s+null\b|\bmandatory\b", low) and not re.search(
        r"\bnot required\b", low
    ):
        out["required"] = True
    if re.search(r"\bnullable\b|\|\s*null\b", low):
        out["nullable"] = True
    if re.search(r"\bprimary\s*key\b|\bpk\b", low):
        out["primary_key"] = True
    fk = re.search(
        r"\b(?:fk|foreign\s*key|references?)\b[^A-Za-z0-9]*(?:to\s+)?([A-Za-z_]\w*)"
        r"(?:\.|\s*\()(\w+)",
        t,
        re.IGNORECASE,
    )
    if fk:
        out["foreign_key"] = f"{fk.group(1)}.{fk.group(2)}"
    elif re.search(r"\bfk\b|\bforeign\s*key\b", low):
        out["foreign_key"] = "?"
    rule = on_delete_rule(low)
    if rule and "foreign_key" in out:
        out["on_delete"] = rule
    if re.search(r"\bunique\b", low):
        out["unique"] = True
    if re.search(r"\bindex(ed)?\b", low):
        out["index"] = True
    m = re.search(rf"\b{_NUM}\s*(?:-|–|to|\.\.)\s*{_NUM}\s*{_LEN_UNIT}", low)
    if m:
        out["min_length"], out["max_length"] = _int(m.group(1)), _int(m.group(2))
    m = re.search(
        rf"\b(?:max(?:imum)?|up to|at most|<=|≤|limit(?:ed|ing|s)?\s+(?:\w+\s+)?to)\s*"
        rf"(?:length\s*)?(?:of\s*)?[:=]?\s*{_NUM}\s*{_LEN_UNIT}?",
        low,
    )
    if (
        m
        and "max_length" not in out
        and not re.search(
            rf"(?:max(?:imum)?|up to|at most)\s*{_NUM}\s*(?:items?|tags?|elements?|entries)",
            low[m.start() :],
        )
    ):
        out["max_length"] = _int(m.group(1))
    m = re.search(
        rf"\b(?:min(?:imum)?|at least|>=|≥)\s*(?:length\s*)?(?:of\s*)?[:=]?\s*{_NUM}"
        rf"\s*{_LEN_UNIT}",
        low,
    )
    if m:
        out["min_length"] = _int(m.group(1))
    m = re.search(
        rf"\b(?:max(?:imum)?|up to|at most)\s*{_NUM}\s*(?:items?|tags?|elements?|"
        r"entries)",
        low,
    )
    if m:
        out["max_items"] = _int(m.group(1))
        m2 = re.search(
            rf"\beach\s*(?:(?:tag|item|element|entry)\s*)?(?:max(?:imum)?|up to|at "
            rf"most|<=)?\s*{_NUM}\s*{_LEN_UNIT}",
            low,
        )
        if m2:
            out["item_max_length"] = _int(m2.group(1))
    if re.search(r"\bnon[- ]?empty\b|\bnot\s+(?:be\s+)?(?:empty|blank)\b|\bnon[- ]?blank\b", low):
        out.setdefault("min_length", 1)
        out["not_blank"] = True
    if re.search(r"\b(?:in the future|future date|must be (?:in )?future|after now)\b", low):
        out["future"] = True
    if re.search(r"\b(?:in the past|past date|before now)\b", low):
        out["past"] = True
    m = re.search(
        r"\b(?:>=|≥|min(?:imum)?\s*(?:value)?\s*[:=]?|at least)\s*(-?\d+(?:\.\d+)?)\b"
        rf"(?!\s*{_LEN_UNIT})",
        low,
    )
    if m and "min_length" not in out:
        out["ge"] = float(m.group(1))
    m = re.search(r"\bpattern\s*[:=]?\s*[`\"']?(\^[^`\"'\s]+)", text or "", re.IGNORECASE)
    if m:
        out["pattern"] = m.group(1)
    if re.search(r"\bdefault\s*[:=(]?\s*(?:an?\s+)?empty\s+(?:array|list)", low):
        out["default"] = []
    m = (
        None
        if "default" in out
        else re.search(
            r"\bdefault\s*(?:value)?\s*[:=(]?\s*(\"[^\"]*\"|'[^']*'|`[^`]*`|\[\]|[\w.-]+)",
            text or "",
            re.IGNORECASE,
        )
    )
    if m:
        raw = m.group(1)
        if raw.lower() not in (
            "now",
            "now()",
            "current_timestamp",
            "uuid",
            "gen_random_uuid",
            "auto",
            "none",
        ) and not raw.lower().startswith(("now", "current")):
            out["default"] = parse_literal(raw)
    if re.search(r"\bone of\b|\benum\b|\|", low) or re.search(r"[\"'].+[\"']\s*,\s*[\"']", t):
        values = parse_enum_values(t)
        if values:
            out["values"] = values
    return out


__all__ = [
    "parse_constraints",
    "parse_enum_values",
    "parse_literal",
    "parse_type",
    "type_length",
    "type_of_value",
]
