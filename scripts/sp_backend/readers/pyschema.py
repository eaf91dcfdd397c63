"""SQLModel / Pydantic classes in schema files, read with Python's own parser (``ast``): an
attribute's ``Field(...)`` keeps every keyword however many lines it spans. A class that does not
parse becomes an ``unresolved`` note at its line, never silently fewer fields."""

from __future__ import annotations

import ast
import re
from typing import Any

from sp_backend.readers.facts import CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc
from sp_backend.readers.types import on_delete_rule, parse_type

_MODEL_BASES = re.compile(r"\b(SQLModel|BaseModel|Base|DeclarativeBase)\b")
_INT_KEYS = ("max_length", "min_length", "max_digits", "decimal_places", "max_items")
_BOUND_KEYS = ("ge", "le", "gt", "lt")
_FLAG_KEYS = ("index", "unique", "primary_key")


def _chunks(text: str) -> list[tuple[str, int]]:
    """The block as one module, or (when it does not parse as a whole: a snippet with prose or
    an ellipsis between classes) each top-level class on its own, with its first line."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"class\s+\w+", line)]
    if not starts:
        return []
    try:
        ast.parse(text)
        return [(text, 0)]
    except SyntaxError:
        pass
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = lines[start:end]
        while body and not body[-1].strip():
            body.pop()
        out.append(("\n".join(body), start))
    return out


def _constant(node: ast.expr | None) -> tuple[bool, Any]:
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        ok, value = _constant(node.operand)
        return ok and isinstance(value, (int, float)), -value if ok else None
    if isinstance(node, (ast.List, ast.Tuple)) and not node.elts:
        return True, []
    return False, None


def _annotation(fact: FieldFact, node: ast.expr) -> None:
    text = ast.unparse(node)
    optional = bool(re.search(r"\bOptional\b|\bNone\b", text))
    inner = re.sub(r"^(?:Optional|Mapped)\[(.*)\]$", r"\1", text)
    inner = re.sub(r"\s*\|\s*None\b|\bNone\s*\|\s*", "", inner)
    inner = re.sub(r"^Optional\[(.*)\]$", r"\1", inner)
    if re.match(r"^(?:list|List)\[", inner):
        fact.put("type", "list[str]" if re.search(r"\[\s*str\s*\]", inner) else "json")
    elif re.match(r"^(?:dict|Dict)\b", inner):
        fact.put("type", "json")
    elif re.fullmatch(r"(?:Decimal|condecimal.*)", inner):
        fact.put("type", "decimal")
    else:
        kind = parse_type(inner)
        if kind:
            fact.put("type", kind)
    if optional:
        fact.put("required", False)


def _field_call(fact: FieldFact, call: ast.Call) -> None:
    for kw in call.keywords:
        if kw.arg is None:
            continue
        ok, value = _constant(kw.value)
        if kw.arg in _INT_KEYS and ok and isinstance(value, int):
            fact.put(kw.arg, value)
        elif kw.arg in _BOUND_KEYS and ok and isinstance(value, (int, float)):
            fact.put(kw.arg, value)
        elif kw.arg in _FLAG_KEYS and ok and value is True:
            fact.put(kw.arg, True)
        elif kw.arg in ("pattern", "regex") and ok and isinstance(value, str):
            fact.put("pattern", value)
        elif kw.arg == "foreign_key" and ok and isinstance(value, str):
            fact.put("foreign_key", value)
        elif kw.arg == "ondelete" and ok and isinstance(value, str):
            rule = on_delete_rule(f"on delete {value}")
            if rule:
                fact.put("on_delete", rule)
        elif kw.arg == "nullable" and ok and isinstance(value, bool):
            fact.put("nullable", value)
        elif kw.arg == "description" and ok and isinstance(value, str):
            fact.put("description", value)
        elif kw.arg == "default" and ok and value is not None and value is not Ellipsis:
            fact.put("default", value)
        elif kw.arg == "default_factory" and ast.unparse(kw.value) in ("list", "lambda: []"):
            fact.put("default", [])
    # Field(...) as the first argument means required (Pydantic's ellipsis)
    if call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value is Ellipsis:
        fact.put("required", True)
    elif call.args:
        ok, value = _constant(call.args[0])
        if ok and value is not None:
            fact.put("default", value)


def _class(doc: Doc, node: ast.ClassDef, base_line: int, rank: int) -> TableFacts | None:
    bases = " ".join(ast.unparse(b) for b in node.bases)
    is_table = any(k.arg == "table" for k in node.keywords)
    if not (_MODEL_BASES.search(bases) or is_table):
        return None
    table = TableFacts(node.name, doc.at(base_line + node.lineno - 1), rank)
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "__tablename__"
        ):
            ok, value = _constant(stmt.value)
            if ok and isinstance(value, str):
                table.name = value
            continue
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        name = stmt.target.id
        if name.startswith("_") or re.search(r"\bRelationship\b|\bClassVar\b", ast.unparse(stmt)):
            continue
        fact = FieldFact(name, doc.at(base_line + stmt.lineno - 1), rank, CTX_TABLE)
        _annotation(fact, stmt.annotation)
        value = stmt.value
        if isinstance(value, ast.Call) and re.search(r"Field$", ast.unparse(value.func)):
            _field_call(fact, value)
        elif value is not None:
            ok, constant = _constant(value)
            if ok and constant is not None:
                fact.put("default", constant)
        table.fields.append(fact)
    return table


def tables_from_code(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """SQLModel / Pydantic classes: ``name: type = Field(max_length=.., default=..)``."""
    out: list[TableFacts] = []
    for text, first in _chunks(block.text):
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            name = re.match(r"class\s+(\w+)", text)
            table = TableFacts(name.group(1) if name else "?", doc.at(block.line + first), rank)
            table.unresolved.append(
                (
                    f"Python class not parsed ({exc.msg}); its fields are not read",
                    doc.at(block.line + first + (exc.lineno or 1) - 1),
                )
            )
            out.append(table)
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                table = _class(doc, node, block.line + first, rank)
                if table is not None:
                    out.append(table)
    return out


__all__ = ["tables_from_code"]
