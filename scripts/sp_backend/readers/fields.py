"""Field definitions in every layout seen in real specs: Markdown tables, bullet lists, JSON
examples, pseudo-JSON ("string (required, 1-200 chars)"), SQL DDL and SQLModel-like code."""

from __future__ import annotations

import json
import re
from typing import Any

from sp_backend.readers.ddl import tables_from_sql as parse_sql
from sp_backend.readers.facts import CTX_EXAMPLE, CTX_RULES, CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.json_example import loads_example
from sp_backend.readers.list_shape import is_page_metadata
from sp_backend.readers.markdown import Block, Doc, plain
from sp_backend.readers.phrases import says_required
from sp_backend.readers.pyschema import tables_from_code as parse_code
from sp_backend.readers.types import (
    members_of_value,
    parse_constraints,
    parse_literal,
    parse_type,
    type_length,
    type_of_value,
)

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_NAME_COLS = ("field", "column", "name", "parameter", "param", "attribute", "property", "key")
_TYPE_COLS = ("type", "data type", "datatype", "kind", "value type")
_NOTE_COLS = (
    "constraint",
    "constraints",
    "description",
    "notes",
    "validation",
    "rules",
    "rule",
    "details",
    "purpose",
    "requirement",
    "requirements",
)

# Words that are type descriptions in a pseudo-JSON value, not example data.
_TYPE_DESCRIPTION = re.compile(
    r"^\s*(string|str|text|integer|int|number|float|decimal|boolean|bool|datetime|date|uuid|"
    r"array|list|object|timestamp|enum)\b(\s*\[\])?\s*(\(|,|$|\||or\b)",
    re.IGNORECASE,
)


def _col(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    lowered = [plain(h).lower().strip() for h in header]
    for i, h in enumerate(lowered):
        if h in names:
            return i
    for i, h in enumerate(lowered):
        if any(h.startswith(n) for n in names):
            return i
    return None


def is_field_table(block: Block) -> bool:
    return (
        block.kind == "table"
        and _col(block.header, _NAME_COLS) is not None
        and (
            _col(block.header, _TYPE_COLS) is not None
            or _col(block.header, ("required",)) is not None
        )
    )


def _apply(
    fact: FieldFact, type_text: str | None, notes: str, *, explicit_type: bool = True
) -> None:
    if type_text:
        kind = parse_type(type_text)
        if kind:
            fact.put("type", kind, explicit=explicit_type)
        length = type_length(type_text)
        if length:
            fact.put("max_length", length)
        named = re.search(r"\bobject\s+(?:with|of|having)\s+(.+)", type_text, re.IGNORECASE)
        if kind == "object" and named:
            # "object with street, city and postcode": the names only, text until stated.
            names = re.split(r"\s*(?:,|\band\b|/)\s*", named.group(1).strip(" .)"))
            members = {n: {"type": "str"} for n in names if re.fullmatch(r"[A-Za-z]\w*", n)}
            if members:
                fact.put("fields", members, explicit=False)
        if kind == "enum" or "|" in type_text or re.search(r"['\"]\w+['\"]\s*,", type_text):
            values = parse_constraints(type_text).get("values")
            if values:
                fact.put("values", values)
    for key, value in parse_constraints(notes).items():
        if key == "not_blank":
            fact.put("not_blank", True)
        elif key in ("future", "past"):
            fact.put(key, True)
        elif key == "default" and fact.get("type") == "datetime":
            continue
        elif key in _NOT_FOR.get(fact.get("type"), ()):
            continue  # 'max 50' read both ways (phrases.py): the stated type keeps its own
        else:
            fact.put(key, value)


# Facts a phrase may give that a field of this type cannot hold.
_NOT_FOR: dict[str | None, tuple[str, ...]] = {
    "str": ("ge", "le", "gt", "lt"),
    "text": ("ge", "le", "gt", "lt"),
    "int": ("min_length", "max_length"),
    "float": ("min_length", "max_length"),
    "decimal": ("min_length", "max_length"),
}


def fields_from_table(doc: Doc, block: Block, rank: int, ctx: int = CTX_TABLE) -> list[FieldFact]:
    name_i = _col(block.header, _NAME_COLS)
    if name_i is None:
        return []
    type_i = _col(block.header, _TYPE_COLS)
    req_i = _col(block.header, ("required", "req", "mandatory"))
    def_i = _col(block.header, ("default",))
    note_is = [
        i
        for i, h in enumerate(block.header)
        if plain(h).lower().strip() in _NOTE_COLS
        or plain(h).lower().startswith(("constraint", "descr", "valid", "note"))
    ]
    out: list[FieldFact] = []
    for row in block.rows:
        cells = list(row.cells) + [""] * (len(block.header) - len(row.cells))
        name = plain(cells[name_i]).split()[0] if plain(cells[name_i]) else ""
        if not NAME_RE.match(name):
            continue
        fact = FieldFact(name, doc.at(row.line), rank, ctx)
        # Each notes cell is its own statement (a Constraints cell's DEFAULT 'x' must not run
        # into a Description cell's list of values).
        notes = [cells[i] for i in note_is if i < len(cells)] or [""]
        _apply(fact, cells[type_i] if type_i is not None else None, notes[0])
        for more in notes[1:]:
            _apply(fact, None, more)
        if req_i is not None:
            said = says_required(plain(cells[req_i]))
            if said is not None:
                fact.put("required", said)
        if def_i is not None:
            raw = plain(cells[def_i])
            if raw and raw.lower() not in (
                "-",
                "—",
                "none",
                "n/a",
                "null",
                "auto",
                "auto-increment",
            ):
                fact.put("default", parse_literal(raw))
        out.append(fact)
    return out


_BULLET = re.compile(
    r"^\s*`?([A-Za-z_][A-Za-z0-9_]*)`?\s*(?::|\s[-–—]\s|(?=\())\s*(.*)$", re.DOTALL
)


def field_from_bullet(
    doc: Doc, block: Block, rank: int, ctx: int = CTX_RULES, *, need_ticks: bool = False
) -> FieldFact | None:
    """'`title`: string (required, 1-200 chars)', 'id: integer (primary key) - Task id',
    '`title` (1–200 chars)', '`title`: Required, 1-100 characters'."""
    first = block.text.splitlines()[0] if block.text else ""
    if need_ticks and not first.lstrip().startswith("`"):
        return None
    # '**completed**: Boolean (Default: False)': a bold name is a name like a backticked one
    first = re.sub(r"^(\s*)\*\*`?([A-Za-z_]\w*)`?\*\*", r"\1`\2`", first)
    m = _BULLET.match(first)
    if not m:
        return None
    name, rest = m.group(1), m.group(2)
    if not NAME_RE.match(name) or (not first.lstrip().startswith("`") and name[0].isupper()):
        return None
    fact = FieldFact(name, doc.at(block.line), rank, ctx)
    rest_plain = rest.replace("`", "").replace("*", "").strip()
    kind = parse_type(rest_plain)
    head = re.match(r"^\(([^)]*)\)", rest_plain)
    if not kind and head:
        # '`listenedAt` (datetime): when ...': the type opens the parenthesis.
        kind = parse_type(head.group(1).split(",")[0].strip())
    if kind:
        fact.put("type", kind)
        length = type_length(rest_plain)
        if length:
            fact.put("max_length", length)
    _apply(fact, None, rest)
    if not kind and not fact.attrs:
        return None
    return fact


def _line_of_key(content: str, key: str) -> int:
    for i, line in enumerate(content.splitlines()):
        if re.search(rf"[\"']?\b{re.escape(key)}\b[\"']?\s*:", line):
            return i
    return 0


def _unwrap(data: Any) -> dict[str, Any] | None:
    """The object an example describes: response wrappers ({"data": ...}, {"items": [...]})
    hold the resource one level down."""
    for _ in range(3):
        if isinstance(data, list):
            data = data[0] if data and isinstance(data[0], dict) else None
            continue
        if not isinstance(data, dict):
            return None
        wrappers = [
            k
            for k, v in data.items()
            if isinstance(v, (dict, list))
            and k.lower() in ("data", "items", "results", "result", "records")
            or (isinstance(v, list) and v and isinstance(v[0], dict))
        ]
        if wrappers and len(data) <= 4:
            data = data[wrappers[0]]
            continue
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) == 1 and all(is_page_metadata(k) for k in data if k != lists[0]):
            # {"conversations": [...], "total": 10, "hasMore": false}: a page of rows whose
            # items the example elides; its keys are the envelope's, not the resource's.
            data = data[lists[0]]
            continue
        return data
    return data if isinstance(data, dict) else None


def fields_from_json(
    doc: Doc, text: str, first_line: int, rank: int, ctx: int = CTX_EXAMPLE
) -> list[FieldFact]:
    """A JSON example or pseudo-JSON object; types of example values are inferred (weak)."""
    try:
        data = loads_example(text)
    except ValueError:
        return fields_from_pseudo_json(doc, text, first_line, rank, ctx)
    obj = _unwrap(data)
    if obj is None or set(obj) <= _STATUS_KEYS:
        return []
    out: list[FieldFact] = []
    for key, value in obj.items():
        if not NAME_RE.match(str(key)):
            continue
        fact = FieldFact(key, doc.at(first_line + _line_of_key(text, key)), rank, ctx)
        if isinstance(value, str) and _TYPE_DESCRIPTION.match(value):
            _apply(fact, value.split("(")[0], value)
            if "(" not in value and "|" not in value:
                fact.attrs.pop("required", None)
        else:
            kind = type_of_value(value)
            if kind:
                fact.put("type", kind, explicit=False)
            members = members_of_value(value) if kind in ("object", "list[object]") else None
            if members:
                fact.put("fields", members, explicit=False)
            fact.put("example", value, explicit=False)
        out.append(fact)
    return out


# Keys of status-only bodies ({"status": "success", "message": ...}): not resource fields.
_STATUS_KEYS = {"status", "message", "success", "code", "detail", "error", "ok"}

_PSEUDO = re.compile(r"^\s*[\"']?([A-Za-z_]\w*)[\"']?\s*:\s*(.+?)\s*,?\s*$")


def fields_from_pseudo_json(
    doc: Doc, text: str, first_line: int, rank: int, ctx: int = CTX_EXAMPLE
) -> list[FieldFact]:
    """Lines like '"title": string (required, 1-200 chars),' or '"tags": string[] (optional)'."""
    lines = text.splitlines()
    if not lines or not lines[0].strip().startswith("{"):
        return []
    out: list[FieldFact] = []
    depth = 0
    for i, line in enumerate(lines):
        if depth == 1:
            m = _PSEUDO.match(line)
            if m and NAME_RE.match(m.group(1)):
                name, value = m.group(1), m.group(2).rstrip(",").strip()
                fact = FieldFact(name, doc.at(first_line + i), rank, ctx)
                unquoted = value.strip("\"'")
                if _TYPE_DESCRIPTION.match(unquoted) or re.match(r"^[\"'][\w-]+[\"']\s*\|", value):
                    _apply(fact, unquoted.split("(")[0], value)
                    if re.match(r"^[\"'][\w-]+[\"']\s*\|", value):
                        fact.put("type", "enum")
                else:
                    try:
                        example = json.loads(value)
                    except ValueError:
                        example = unquoted
                    kind = type_of_value(example)
                    if kind:
                        fact.put("type", kind, explicit=False)
                out.append(fact)
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
    return out


def tables_from_sql(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """SQL DDL, parsed by a SQL parser (readers/ddl.py)."""
    return parse_sql(doc, block, rank)


def tables_from_code(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """SQLModel / Pydantic classes, parsed with ``ast`` (readers/pyschema.py)."""
    return parse_code(doc, block, rank)


__all__ = [
    "field_from_bullet",
    "fields_from_json",
    "fields_from_pseudo_json",
    "fields_from_table",
    "is_field_table",
    "tables_from_code",
    "tables_from_sql",
]
