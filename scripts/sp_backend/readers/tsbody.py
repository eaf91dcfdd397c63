"""TypeScript-ish object types as contracts write request and response bodies:
`{ title: string, description?: string }`, `{ name: string; count?: number }`, one member per
line with `// comments`, literal unions (`'open' | 'closed'`), `string[]`, `Array<string>`, and
the shorthand `{ id, title, createdAt }` (names only). A small grammar, not a TypeScript
parser: members are split at the object's own depth, so a nested object is one member, read
as an object of its own fields (`location: { lat: number; lng: number }`, `{ ... }[]` for a
list of them).
A member's trailing comment is read through the phrase table, like any field note."""

from __future__ import annotations

import re
from typing import Any

from sp_backend.readers.facts import CTX_EXAMPLE, CTX_MODEL, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc
from sp_backend.readers.phrases import read as read_phrases
from sp_backend.readers.types import parse_type
from sp_backend.readers.words import singular

_MEMBER = re.compile(r"^(?:readonly\s+)?[\"']?([A-Za-z_]\w*)[\"']?\s*(\?)?\s*(?::\s*(.+))?$", re.S)
_TS_TYPES = {
    "string": "str",
    "number": "float",
    "bigint": "int",
    "integer": "int",
    "int": "int",
    "float": "float",
    "boolean": "bool",
    "bool": "bool",
    "date": "datetime",
    "datetime": "datetime",
    "any": "json",
    "unknown": "json",
    "object": "json",
    "record": "json",
    "uuid": "uuid",
}
# What makes a braced text TypeScript rather than JSON: an optional member, a `;` separator,
# a bare type word after a colon, or a member with no value at all.
_TS_HINT = re.compile(
    r"\w\?\s*:"
    r"|(?<![\"'\w])[A-Za-z_]\w*\s*:\s*[^,;\n(]+;"
    r"|(?<![\"'\w])[A-Za-z_]\w*\s*:\s*(?:string|number|boolean|Date|any|unknown)\b(?!\s*\()"
    r"|\{\s*[A-Za-z_]\w*\s*(?:,|\})",
)


def looks_like_ts(text: str) -> bool:
    return bool(_TS_HINT.search(text)) and "{" in text


def _object_span(text: str) -> tuple[int, int] | None:
    """The first braced object's start and end; brackets in comments (`// > 0`) and in quoted
    literals do not count."""
    start = text.find("{")
    if start < 0:
        return None
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if text.startswith("//", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = len(text) if close < 0 else close + 2
            continue
        if ch in "\"'`":
            close = text.find(ch, i + 1)
            i = len(text) if close < 0 else close + 1
            continue
        if ch in "{[(<":
            depth += 1
        elif ch in "}])>":
            depth -= 1
            if depth == 0:
                return start, i
        i += 1
    return None


def _members(body: str, offset_line: int) -> list[tuple[str, str, int]]:
    """(member text, trailing comment, line offset) at the object's own depth."""
    out: list[tuple[str, str, int]] = []
    depth, current, comment, line, start_line = 0, "", "", 0, 0
    i = 0
    while i < len(body):
        ch = body[i]
        if body.startswith("//", i) and depth == 0:
            end = body.find("\n", i)
            end = len(body) if end < 0 else end
            text = body[i + 2 : end].strip()
            if current.strip():
                comment = (comment + " " + text).strip()
            elif out and not out[-1][1]:
                # `title: string, // note` split before its comment: the note is its member's
                out[-1] = (out[-1][0], text, out[-1][2])
            i = end
            continue
        if ch in "{[(<":
            depth += 1
        elif ch in "}])>":
            depth -= 1
        if depth == 0 and ch in ",;\n":
            if current.strip():
                out.append((current.strip(), comment, offset_line + start_line))
            current, comment = "", ""
            if ch == "\n":
                line += 1
            start_line = line
            i += 1
            continue
        if ch == "\n":
            line += 1
        if not current.strip():
            start_line = line
        current += ch
        i += 1
    if current.strip():
        out.append((current.strip(), comment, offset_line + start_line))
    return out


def _type(fact: FieldFact, type_text: str) -> None:
    t = type_text.strip().rstrip(",;").strip()
    parts = [p.strip() for p in re.split(r"\|", t) if p.strip()]
    if any(p in ("null", "undefined") for p in parts):
        fact.put("nullable", True)
        parts = [p for p in parts if p not in ("null", "undefined")]
    literals = [p[1:-1] for p in parts if len(p) >= 2 and p[0] == p[-1] and p[0] in "'\"`"]
    if parts and len(literals) == len(parts):
        fact.put("type", "enum")
        fact.put("values", literals)
        return
    if len(parts) != 1:
        if parts:
            fact.put("type", "json")
        return
    word = parts[0]
    if word.startswith("{") or word.startswith("Record<"):
        fact.put("type", "json")
        return
    m = re.fullmatch(r"(?:Array<\s*(\w+)\s*>|(\w+)\s*\[\])", word)
    if m:
        inner = (m.group(1) or m.group(2)).lower()
        lists = {"string": "list[str]", "integer": "list[int]", "int": "list[int]"}
        fact.put("type", lists.get(inner, "json"))
        return
    kind = _TS_TYPES.get(word.lower())
    if kind:
        # `number` does not say integer or not: a weak float, any stated type overrules it
        fact.put("type", kind, explicit=word != "number")


# A comment that names a narrower type than TypeScript can: (TS type, comment's type) -> type.
_NARROWER = {
    ("float", "int"): "int",
    ("float", "decimal"): "decimal",
    ("str", "uuid"): "uuid",
    ("str", "datetime"): "datetime",
    ("str", "date"): "date",
    ("str", "text"): "text",
    ("str", "decimal"): "decimal",
    ("str", "email"): "email",
    ("str", "uri"): "uri",
}
# An inline object type, alone or as the items of a list: `{ ... }`, `{ ... }[]`, `Array<{ ... }>`.
_INLINE = re.compile(r"(\{.*\})(\s*\[\s*\])?|Array<\s*(\{.*\})\s*>", re.S)


def _comment_type(comment: str) -> str | None:
    """The type word a member's comment starts with ('integer, between 1 and 5', 'a UUID')."""
    # "ISO date", "ISO 8601 datetime", "RFC 3339 timestamp": the standard names the text form.
    comment = re.sub(r"^\s*(?:an?\s+)?(?:ISO(?:[- ]?8601)?|RFC[- ]?3339)\s+", "", comment)
    m = re.match(r"^\s*(?:an?\s+)?(?:whole number|[A-Za-z][\w -]*?)(?=[,;.(]|$|\s)", comment)
    if not m:
        return None
    word = m.group(0).strip().lower()
    if word in ("whole number", "integer", "int"):
        return "int"
    return parse_type(re.sub(r"^(?:an?)\s+", "", word))


def ts_fields(
    doc: Doc, text: str, first_line: int, rank: int, ctx: int = CTX_EXAMPLE, *, body: bool
) -> list[FieldFact]:
    """The members of the first braced object type in ``text``. ``body``: a request body, where
    a member without ``?`` is required (in a response every member is simply present)."""
    span = _object_span(text)
    if span is None:
        return []
    inner = text[span[0] + 1 : span[1]]
    line0 = first_line + text.count("\n", 0, span[0] + 1)
    out: list[FieldFact] = []
    for member, comment, line in _members(inner, line0):
        m = _MEMBER.match(member)
        if not m:
            continue
        name, optional, type_text = m.group(1), m.group(2), m.group(3)
        fact = FieldFact(name, doc.at(line), rank, ctx)
        inline = _INLINE.fullmatch(type_text.strip().rstrip(",;").strip()) if type_text else None
        if inline and type_text:
            _type(fact, type_text)  # json, unless its members are read below
            obj = inline.group(1) or inline.group(3)
            members = ts_fields(doc, obj, line, rank, ctx, body=True)
            if members:
                listed = inline.group(2) is not None or inline.group(3) is not None
                fact.put("type", "list[object]" if listed else "object")
                fact.put(
                    "fields", {f.name: {k: v.value for k, v in f.attrs.items()} for f in members}
                )
            if body:
                fact.put("required", not optional)
        elif type_text:
            _type(fact, type_text)
            if body:
                fact.put("required", not optional)
        elif optional and body:
            fact.put("required", False)
        narrower = _NARROWER.get((fact.get("type"), _comment_type(comment)))
        if narrower:
            fact.put("type", narrower)  # `year: number // integer`, `id: string // a UUID`
        for key, value in read_phrases(comment).items():
            fact.put(key, value)
        out.append(fact)
    return out


__all__ = ["looks_like_ts", "ts_fields"]


# `interface Plot {`, `export interface Plot extends Base {`, `type Plot = {`: a named object
# type, the model's fields (its members).
TS_MODEL = re.compile(
    r"^\s*(?:export\s+)?(?:interface\s+([A-Z]\w*)(?:\s+extends\s+[\w, <>]+)?\s*\{"
    r"|type\s+([A-Z]\w*)\s*=\s*\{)",
    re.MULTILINE,
)


def tables_from_ts(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """Each named object type of a TypeScript block, as a model with its members; a member
    without `?` is required on create (server-made ones are marked read-only by their notes)."""
    out: list[TableFacts] = []
    text = block.text
    first = block.line + (1 if block.kind == "fence" else 0)
    for m in TS_MODEL.finditer(text):
        name = m.group(1) or m.group(2)
        line = first + text.count("\n", 0, m.start())
        body = text[m.end() - 1 :]
        fields = ts_fields(doc, body, line, rank, CTX_MODEL, body=True)
        key = singular(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower())
        if fields:
            out.append(TableFacts(key, doc.at(line), rank, fields))
    return out


def ts_skeleton(text: str, depth: int = 0) -> dict[str, Any] | None:
    """A JSON value of a TypeScript-typed object's shape (`{ "items": Plot[], "total": number }`
    is `{"items": [], "total": 0}`): the evidence a JSON example would be, for the readers of
    list shapes. None when the text holds no object type."""
    span = _object_span(text)
    if span is None or depth > 4:
        return None
    shape: dict[str, Any] = {}
    for member, _comment, _line in _members(text[span[0] + 1 : span[1]], 0):
        m = _MEMBER.match(member)
        if not m or m.group(3) is None:
            continue
        shape[m.group(1)] = _skeleton_value(m.group(3).strip().rstrip(",;").strip(), depth)
    return shape or None


def _skeleton_value(type_text: str, depth: int) -> Any:
    if type_text.endswith("[]") or type_text.startswith(("Array<", "[")):
        return []
    if type_text.startswith("{"):
        return ts_skeleton(type_text, depth + 1) or {}
    first = type_text.split("|")[0].strip()
    if re.fullmatch(r"-?\d+(?:\.\d+)?", first):
        return float(first) if "." in first else int(first)  # a literal value, as in JSON
    if first in ("true", "false"):
        return first == "true"
    if first[:1] in "\"'":
        return first.strip("\"'")
    return {"number": 0, "integer": 0, "string": "", "boolean": False, "null": None}.get(first, {})
