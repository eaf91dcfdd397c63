"""Prisma schema models (`model Task { title String @db.VarChar(200) ... }`), fenced or pasted
as a plain paragraph. A small grammar for the model block: one field per line as
`name Type[?|[]] @attribute(...)*`; relation fields (a type that is another model) are left
out, `//` comments are read through the phrase table. Attributes the plan has no term for are
kept as the table's unresolved notes, never dropped."""

from __future__ import annotations

import re

from sp_backend.readers.facts import CTX_MODEL, CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc
from sp_backend.readers.phrases import literal
from sp_backend.readers.phrases import read as read_phrases
from sp_backend.readers.words import singular

MODEL_RE = re.compile(r"^\s*model\s+([A-Za-z_]\w*)\s*\{", re.MULTILINE)
_FIELD = re.compile(r"^\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)(\[\])?(\?)?\s*(.*?)\s*$")
_TYPES = {
    "String": "str",
    "Int": "int",
    "BigInt": "int",
    "Float": "float",
    "Decimal": "decimal",
    "Boolean": "bool",
    "DateTime": "datetime",
    "Json": "json",
    "Bytes": "str",
}
_KNOWN_ATTRS = ("id", "default", "unique", "updatedAt", "db.", "map", "relation", "index")


def _attrs(text: str) -> list[tuple[str, str]]:
    """'@id @default(autoincrement()) @db.VarChar(200)' -> [(id, ''), (default, ...), ...]."""
    out: list[tuple[str, str]] = []
    i = 0
    while True:
        m = re.compile(r"@([\w.]+)").search(text, i)
        if not m:
            return out
        j = m.end()
        arg = ""
        if j < len(text) and text[j] == "(":
            depth = 0
            for k in range(j, len(text)):
                depth += {"(": 1, ")": -1}.get(text[k], 0)
                if depth == 0:
                    arg = text[j + 1 : k]
                    j = k + 1
                    break
        out.append((m.group(1), arg))
        i = j


def tables_from_prisma(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    out: list[TableFacts] = []
    lines = block.text.splitlines()
    # Models and enums of the whole document: pasted as paragraphs, each is a block of its own.
    model_names = set(MODEL_RE.findall(doc.text))
    enums = _enums(doc.text)
    current: TableFacts | None = None
    for i, line in enumerate(lines):
        where = doc.at(block.line + i + (1 if block.kind == "fence" else 0))
        m = MODEL_RE.match(line)
        if m:
            current = TableFacts(singular(_snake(m.group(1))), where, rank)
            out.append(current)
            continue
        if current is None:
            continue
        if line.strip().startswith("}"):
            current = None
            continue
        code, _, comment = line.partition("//")
        fm = _FIELD.match(code)
        if not fm or code.strip().startswith("@@"):
            if code.strip().startswith("@@"):
                current.unresolved.append((f"prisma {code.strip()}", where))
            continue
        name, kind, many, optional, rest = fm.groups()
        if kind not in enums and kind not in _TYPES:
            if kind not in model_names:
                current.unresolved.append(
                    (f"{current.name}.{name}: prisma type {kind} not declared here", where)
                )
            continue  # a relation field: its foreign key column is a field of its own
        fact = FieldFact(name, where, rank, CTX_MODEL if rank == 0 else CTX_TABLE)
        if kind in enums:
            fact.put("type", "enum")
            fact.put("values", enums[kind])
        elif many:
            fact.put("type", "list[str]" if kind == "String" else "json")
        elif kind in _TYPES:
            fact.put("type", _TYPES[kind])
        fact.put("required", not optional)
        if optional:
            fact.put("nullable", True)
        for attr, arg in _attrs(rest):
            if attr == "id":
                fact.put("primary_key", True)
            elif attr == "unique":
                fact.put("unique", True)
            elif attr == "default":
                if not re.match(r"^\w+\(", arg.strip()):  # now(), uuid(), autoincrement()
                    fact.put("default", literal(arg))
                elif arg.strip().startswith("uuid") and fact.get("primary_key"):
                    fact.put("type", "uuid")
            elif attr.startswith("db."):
                length = re.fullmatch(r"(?:Var)?Char\((\d+)\)", attr[3:] + f"({arg})")
                if length:
                    fact.put("max_length", int(length.group(1)))
                decimal = re.fullmatch(r"Decimal\((\d+),\s*(\d+)\)", attr[3:] + f"({arg})")
                if decimal:
                    fact.put("max_digits", int(decimal.group(1)))
                    fact.put("decimal_places", int(decimal.group(2)))
                if attr == "db.Uuid":
                    fact.put("type", "uuid")
            elif not attr.startswith(_KNOWN_ATTRS):
                current.unresolved.append((f"{current.name}.{name}: prisma @{attr}", where))
        for key, value in read_phrases(comment).items():
            fact.put(key, value)
        current.fields.append(fact)
    return [t for t in out if t.fields]


def _enums(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in re.finditer(r"^\s*enum\s+(\w+)\s*\{(.*?)\}", text, re.MULTILINE | re.DOTALL):
        values = [w.split("//")[0].strip() for w in m.group(2).splitlines()]
        out[m.group(1)] = [v.split()[0] for v in values if v and not v.startswith("@")]
    return out


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


__all__ = ["MODEL_RE", "tables_from_prisma"]
