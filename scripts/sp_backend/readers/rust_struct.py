"""Rust data models as contracts paste them (`pub struct Product { pub name: String, ... }`,
`pub enum ProductStatus { Draft, Active }`): a small grammar for the struct body, one field per
`name: Type,`. `Option<T>` is optional; a type that is an enum of the same document gives its
variants as choices; `#[serde(...)]` renames are noted, never applied silently."""

from __future__ import annotations

import re

from sp_backend.readers.facts import CTX_MODEL, CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc
from sp_backend.readers.phrases import read as read_phrases
from sp_backend.readers.words import singular

STRUCT_RE = re.compile(r"^\s*(?:pub(?:\([\w:]+\))?\s+)?struct\s+([A-Z]\w*)\s*\{", re.MULTILINE)
_ENUM_RE = re.compile(
    r"^\s*(?:pub(?:\([\w:]+\))?\s+)?enum\s+([A-Z]\w*)\s*\{(.*?)\}", re.MULTILINE | re.DOTALL
)
_FIELD = re.compile(r"^\s*(?:pub(?:\([\w:]+\))?\s+)?([a-z_]\w*)\s*:\s*(.+?)\s*,?\s*$")
_TYPES = {
    "String": "str",
    "&str": "str",
    "str": "str",
    "Uuid": "uuid",
    "bool": "bool",
    "BigDecimal": "decimal",
    "Decimal": "decimal",
    "f32": "float",
    "f64": "float",
    "serde_json::Value": "json",
    "Value": "json",
    "NaiveDate": "date",
}


def _kind(type_text: str, enums: dict[str, list[str]]) -> tuple[str | None, list[str] | None]:
    t = type_text.strip()
    if t in enums:
        return "enum", enums[t]
    if t in _TYPES:
        return _TYPES[t], None
    if re.fullmatch(r"[iu](?:8|16|32|64|128|size)", t):
        return "int", None
    if re.match(r"(?:chrono::)?(?:DateTime|NaiveDateTime)\b", t):
        return "datetime", None
    m = re.fullmatch(r"Vec<\s*(.+)\s*>", t)
    if m:
        return ("list[str]" if m.group(1) == "String" else "json"), None
    if re.match(r"(?:HashMap|BTreeMap|serde_json::Map)\b", t):
        return "json", None
    return None, None


def _enums(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in _ENUM_RE.finditer(text):
        variants = [v.split("//")[0].strip().rstrip(",") for v in m.group(2).splitlines()]
        names = [v for v in variants if re.fullmatch(r"[A-Z]\w*", v)]
        if names:
            out[m.group(1)] = names
    return out


def tables_from_rust(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    enums = _enums(doc.text)
    out: list[TableFacts] = []
    current: TableFacts | None = None
    pending_attr = ""
    for i, line in enumerate(block.text.splitlines()):
        where = doc.at(block.line + i + (1 if block.kind == "fence" else 0))
        m = STRUCT_RE.match(line)
        if m:
            name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", m.group(1)).lower()
            current = TableFacts(singular(name), where, rank)
            out.append(current)
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped.startswith("}"):
            current = None
            continue
        if stripped.startswith("#["):
            pending_attr = stripped
            continue
        code, _, comment = line.partition("//")
        fm = _FIELD.match(code)
        if not fm:
            continue
        name, type_text = fm.group(1), fm.group(2)
        fact = FieldFact(name, where, rank, CTX_MODEL if rank == 0 else CTX_TABLE)
        opt = re.fullmatch(r"Option<\s*(.+)\s*>", type_text.strip())
        kind, values = _kind(opt.group(1) if opt else type_text, enums)
        if kind:
            fact.put("type", kind)
        if values:
            fact.put("values", values)
        fact.put("required", opt is None)
        if opt:
            fact.put("nullable", True)
        if name == "id":
            fact.put("primary_key", True)
        if pending_attr.startswith("#[serde"):
            current.unresolved.append((f"{current.name}.{name}: {pending_attr}", where))
        pending_attr = ""
        for key, value in read_phrases(comment).items():
            fact.put(key, value)
        current.fields.append(fact)
    return [t for t in out if t.fields]


__all__ = ["STRUCT_RE", "tables_from_rust"]
