"""Prisma schemas (`model X { field Type @attrs }`), in a ```prisma block of a Markdown spec or
a `schema.prisma` file: each model becomes a table of field facts, each enum its values, each
`@relation(fields: [x], references: [id])` a foreign key on x. What the plan cannot hold (a
composite unique, Bytes, a column renamed with @map) is an `unresolved` note at its line, never
silently left out."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sp_backend.readers import phrases
from sp_backend.readers.facts import CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc

MODEL_RE = re.compile(r"^\s*model\s+[A-Za-z_]\w*\s*\{", re.MULTILINE)
_BLOCK = re.compile(r"^\s*(model|enum|type|view)\s+([A-Za-z_]\w*)\s*\{\s*(?://.*)?$")
_FIELD = re.compile(r"^\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)(\[\])?(\?)?(?:\s+(@.*?))?\s*$")
_ENUM_VALUE = re.compile(r"^\s*([A-Za-z_]\w*)(?:\s+@map\(\s*\"([^\"]*)\"\s*\))?\s*$")
_SCALARS = {
    "String": "str",
    "Int": "int",
    "BigInt": "int",
    "Float": "float",
    "Boolean": "bool",
    "DateTime": "datetime",
    "Decimal": "decimal",
    "Json": "json",
}
_ON_DELETE = {
    "Cascade": "cascade",
    "Restrict": "restrict",
    "NoAction": "restrict",
    "SetNull": "set_null",
}
# Defaults the database computes: the plan's id and timestamps, not a field default.
_GENERATED = re.compile(r"^(?:now|uuid|cuid|autoincrement|dbgenerated|nanoid|ulid)\s*\(")


def _attributes(text: str) -> list[tuple[str, str]]:
    """`@id @default(uuid()) @db.VarChar(80)` -> [("id", ""), ("default", "uuid()"), ...]:
    each attribute with its argument text, nested parentheses and quoted strings kept."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = re.compile(r"@([A-Za-z_][\w.]*)").match(text, i)
        if not m:
            i += 1
            continue
        name, i = m.group(1), m.end()
        args = ""
        if i < len(text) and text[i] == "(":
            depth, start, quote = 0, i + 1, ""
            while i < len(text):
                ch = text[i]
                if quote:
                    if ch == "\\":
                        i += 1
                    elif ch == quote:
                        quote = ""
                elif ch in "\"'":
                    quote = ch
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            args = text[start:i]
            i += 1
        out.append((name, args.strip()))
    return out


def _strip_comment(line: str) -> tuple[str, str]:
    """(code, doc comment): `///` comments document the next field; `//` ones are dropped."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch == '"':
            quote = ch
        elif line.startswith("//", i):
            # `///` documents the field; so does a `//` note after the field on its line.
            comment = line[i:]
            trailing = bool(line[:i].strip())
            doc = comment.lstrip("/").strip() if comment.startswith("///") or trailing else ""
            return line[:i].rstrip(), doc
    return line.rstrip(), ""


def _list_arg(args: str, key: str) -> list[str]:
    m = re.search(rf"\b{key}\s*:\s*\[([^\]]*)\]", args)
    return [n.strip() for n in m.group(1).split(",") if n.strip()] if m else []


def _literal(text: str, kind: str | None, enum_values: list[str] | None) -> tuple[bool, Any]:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return True, t[1:-1]
    if t in ("true", "false"):
        return True, t == "true"
    if kind == "int" and re.fullmatch(r"-?\d+", t):
        return True, int(t)
    if kind in ("float", "decimal") and re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        try:
            return True, float(t) if kind == "float" else str(Decimal(t))
        except InvalidOperation:
            return False, None
    if enum_values is not None and t in enum_values:
        return True, t
    if t == "[]":
        return True, []
    return False, None


def read_prisma(text: str, at: Callable[[int], str], rank: int) -> list[TableFacts]:
    """Every model of a Prisma schema; `at(n)` cites its n-th line (1-based) as file:line."""
    lines = text.splitlines()
    blocks: list[tuple[str, str, int, list[tuple[int, str, str]]]] = []
    current: tuple[str, str, int, list[tuple[int, str, str]]] | None = None
    pending_doc = ""
    for n, raw in enumerate(lines, start=1):
        code, doc = _strip_comment(raw)
        if current is None:
            m = _BLOCK.match(code)
            if m:
                current = (m.group(1), m.group(2), n, [])
                blocks.append(current)
            continue
        if code.strip() == "}":
            current = None
            continue
        if not code.strip():
            pending_doc = doc or pending_doc
            continue
        current[3].append((n, code, doc or pending_doc))
        pending_doc = ""
    enums = {
        name: [
            m.group(1)
            for _, code, _ in body
            if (m := _ENUM_VALUE.match(code)) and not code.strip().startswith("@@")
        ]
        for kind, name, _, body in blocks
        if kind == "enum"
    }
    models = {name: body for kind, name, _, body in blocks if kind == "model"}
    tables = {name: _table_name(body) or name for name, body in models.items()}
    out = []
    for kind, name, first, body in blocks:
        if kind == "model":
            out.append(_model(name, first, body, at, rank, enums, tables))
        elif kind in ("type", "view"):
            table = TableFacts(name, at(first), rank)
            table.unresolved.append((f"Prisma {kind} {name} is not read (no table)", at(first)))
            out.append(table)
    _typed_like_their_targets(out)
    return out


def _typed_like_their_targets(tables: list[TableFacts]) -> None:
    """A foreign key written `String` that refers to a UUID id is a UUID (Prisma states the
    type once, on the referenced id)."""
    by_name = {t.name: {f.name: f for f in t.fields} for t in tables}
    for table in tables:
        for fact in table.fields:
            fk = fact.get("foreign_key")
            if not fk or fact.get("type") != "str":
                continue
            target, column = str(fk).rsplit(".", 1)
            referenced = by_name.get(target, {}).get(column)
            if referenced is not None and referenced.get("type") == "uuid":
                fact.put("type", "uuid")


def _table_name(body: list[tuple[int, str, str]]) -> str | None:
    for _, code, _ in body:
        m = re.match(r'^\s*@@map\(\s*"([^"]+)"\s*\)', code)
        if m:
            return m.group(1)
    return None


def _model(
    name: str,
    first: int,
    body: list[tuple[int, str, str]],
    at: Callable[[int], str],
    rank: int,
    enums: dict[str, list[str]],
    tables: dict[str, str],
) -> TableFacts:
    table = TableFacts(tables[name], at(first), rank)
    facts: dict[str, FieldFact] = {}
    relations: list[tuple[int, list[str], str, list[str], str]] = []
    model_rules: list[tuple[int, str, str]] = []
    for n, code, doc in body:
        stripped = code.strip()
        if stripped.startswith("@@"):
            model_rules.append((n, stripped, doc))
            continue
        m = _FIELD.match(code)
        if not m:
            table.unresolved.append((f"{name}: line not read as a Prisma field: {stripped}", at(n)))
            continue
        field, type_name, is_list, optional, rest = m.groups()
        attrs = _attributes(rest or "")
        if type_name in tables:
            relation = next((a for k, a in attrs if k == "relation"), None)
            if relation is not None:
                columns = _list_arg(relation, "fields")
                targets = _list_arg(relation, "references")
                rule = re.search(r"\bonDelete\s*:\s*(\w+)", relation)
                relations.append(
                    (n, columns, tables[type_name], targets, rule.group(1) if rule else "")
                )
            continue  # the relation field itself (or its back-relation list) is no column
        fact = FieldFact(field, at(n), rank, CTX_TABLE)
        facts[field] = fact
        table.fields.append(fact)
        if doc:
            fact.put("description", doc)
            # The note's rules in words ("up to 300 characters"), read as prose is.
            for key, value in phrases.read(doc).items():
                if key not in fact.attrs:
                    fact.put(key, value)
        kind = _SCALARS.get(type_name)
        values = enums.get(type_name)
        if values is not None:
            kind = "enum"
        if is_list:
            if kind == "str":
                fact.put("type", "list[str]")
            else:
                fact.put("type", "json")
                table.unresolved.append(
                    (f"{name}.{field}: a list of {type_name} is planned as json", at(n))
                )
        elif kind is not None:
            fact.put("type", kind)
            if values:
                fact.put("values", values)
        else:
            table.unresolved.append(
                (f"{name}.{field}: Prisma type {type_name} has no plan type", at(n))
            )
        has_default = False
        for key, args in attrs:
            if key == "id":
                fact.put("primary_key", True)
            elif key == "unique":
                fact.put("unique", True)
            elif key == "default":
                has_default = True
                if kind == "str" and re.fullmatch(r"uuid\(\s*\d*\s*\)", args):
                    fact.put("type", "uuid")  # a String the database fills with a UUID
                elif not _GENERATED.match(args):
                    ok, value = _literal(args, kind, values)
                    if ok:
                        fact.put("default", value)
            elif key in ("db.VarChar", "db.Char"):
                if re.fullmatch(r"\d+", args):
                    fact.put("max_length", int(args))
            elif key == "db.Uuid" and kind == "str":
                fact.put("type", "uuid")
            elif key == "db.Text" and kind == "str":
                fact.put("type", "text")
            elif key == "db.Date" and kind == "datetime":
                fact.put("type", "date")
            elif key == "db.Decimal":
                numbers = [int(p) for p in re.findall(r"\d+", args)]
                if numbers:
                    fact.put("max_digits", numbers[0])
                if len(numbers) > 1:
                    fact.put("decimal_places", numbers[1])
            elif key == "updatedAt":
                has_default = True
            elif key == "map":
                table.unresolved.append(
                    (f"{name}.{field}: its column is named {args} in the database", at(n))
                )
            elif key == "relation":
                continue
            elif not key.startswith("db."):
                table.unresolved.append(
                    (f"{name}.{field}: Prisma attribute @{key} is not read", at(n))
                )
        if optional:
            fact.put("required", False)
            fact.put("nullable", True)
        elif not has_default and not is_list:
            fact.put("required", True)
        else:
            fact.put("nullable", False)
    for n, columns, target, references, rule in relations:
        if len(columns) != 1 or len(references) != 1:
            table.unresolved.append(
                (f"{name}: a relation on {columns} -> {target}{references} (not one column)", at(n))
            )
            continue
        fact = facts.get(columns[0])
        if fact is None:
            table.unresolved.append(
                (f"{name}: @relation names {columns[0]}, which is not a field", at(n))
            )
            continue
        fact.put("foreign_key", f"{target}.{references[0]}")
        if rule in _ON_DELETE:
            fact.put("on_delete", _ON_DELETE[rule])
        elif rule:
            table.unresolved.append((f"{name}.{columns[0]}: onDelete {rule} is not read", at(n)))
    for n, rule, _ in model_rules:
        m = re.match(r"^@@(\w+)\((.*)\)\s*$", rule)
        what, args = (m.group(1), m.group(2)) if m else ("", "")
        listed = re.match(r"^\s*\[([^\]]*)\]", args)
        columns = [c.strip() for c in listed.group(1).split(",")] if listed else []
        if what == "map":
            continue
        if what in ("index", "unique") and len(columns) == 1 and columns[0] in facts:
            facts[columns[0]].put(what, True)
            continue
        table.unresolved.append((f"{name}: {rule} (the plan has no key for it)", at(n)))
    return table


def tables_from_prisma(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """The models of a ```prisma block (its first line is block.line), or of a schema pasted
    as plain paragraphs: then each model is a block of its own, so the whole document is read
    (its enums and related models) and this block's models returned."""
    if block.kind == "fence":
        return read_prisma(block.text, lambda n: doc.at(block.line + n - 1), rank)
    last = block.line + block.text.count("\n")
    return [
        t
        for t in read_prisma(doc.text, doc.at, rank)
        if block.line <= int(t.source.rsplit(":", 1)[1]) <= last
    ]


def looks_like_prisma(block: Block) -> bool:
    """A ```prisma block, or any fence or paragraph holding a `model X {` block (schemas are
    also pasted into Markdown as plain text)."""
    if block.kind == "fence" and block.info.strip().lower().startswith("prisma"):
        return True
    return block.kind in ("fence", "paragraph") and bool(MODEL_RE.search(block.text))


__all__ = ["MODEL_RE", "looks_like_prisma", "read_prisma", "tables_from_prisma"]
