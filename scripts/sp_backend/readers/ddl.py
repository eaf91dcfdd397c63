"""SQL DDL through a real SQL parser (sqlglot, any common dialect): CREATE TABLE columns with
their constraints, table constraints (composite UNIQUE, FOREIGN KEY, CHECK), CREATE INDEX and
ALTER TABLE. What a statement says that the plan cannot hold becomes an ``unresolved`` note on
the table, at its file:line; nothing is silently dropped."""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Tokenizer, TokenType

from sp_backend.readers.facts import CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.markdown import Block, Doc
from sp_backend.readers.types import on_delete_rule, parse_type, type_length

# sqlglot logs "unsupported syntax, falling back to a Command" on the dialects that do not
# fit; the next dialect is tried instead, so those are not warnings for the user.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

# Tried in order; the first that parses a statement wins (PostgreSQL's syntax is the widest).
DIALECTS = ("postgres", "mysql", "sqlite", "tsql")
# Columns that hold the owning user: UNIQUE (owner, x) is "x unique per user", which is how the
# plan's `unique` is emitted (UniqueConstraint(owner, x)).
_OWNER_NAMES = re.compile(r"^(user|owner|author|account|tenant)(_id)?$|^created_by$")


def _statements(text: str) -> list[tuple[str, int]]:
    """Each statement's text and its first line (0-based), split at the tokenizer's ';'."""
    try:
        tokens = Tokenizer().tokenize(text)
    except SqlglotError:
        return [(text, 0)]
    out: list[tuple[str, int]] = []
    start: int | None = None
    line = 0
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if start is not None:
                out.append((text[start : tok.start], line))
            start = None
            continue
        if start is None:
            start, line = tok.start, tok.line - 1
    if start is not None:
        out.append((text[start:], line))
    return out


def _parse(statement: str) -> exp.Expression | None:
    for dialect in DIALECTS:
        try:
            tree = sqlglot.parse_one(statement, read=dialect)
        except Exception:  # noqa: BLE001 - a parser error (or a parser bug) tries the next
            continue
        if tree is not None and not isinstance(tree, exp.Command):
            return tree
    return None


def _line_of(lines: list[str], first: int, name: str) -> int:
    pattern = re.compile(rf"^\s*[\"`\[]?{re.escape(name)}[\"`\]]?\b", re.IGNORECASE)
    for i in range(first, len(lines)):
        if pattern.search(lines[i]):
            return i
    return first


def _literal(node: exp.Expression | None) -> tuple[bool, Any]:
    """(is a constant, its value) for a DEFAULT; functions (NOW(), gen_random_uuid()) are not."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Boolean):
        return True, bool(node.this)
    if isinstance(node, exp.Null):
        return True, None
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        ok, value = _literal(node.this)
        return ok, -value if ok and isinstance(value, (int, float)) else value
    if isinstance(node, exp.Literal):
        if node.is_string:
            return True, node.this
        number = float(node.this)
        return True, int(number) if number.is_integer() and "." not in node.this else number
    return False, None


class _Table:
    """Facts about one table, each fact at the line that states it."""

    def __init__(self, facts: TableFacts, doc: Doc, lines: list[str], base: int) -> None:
        self.facts, self.doc, self.lines, self.base = facts, doc, lines, base
        self.columns: dict[str, FieldFact] = {}

    def where(self, line: int) -> str:
        return self.doc.at(self.base + line)

    def fact(self, name: str, line: int) -> FieldFact:
        fact = FieldFact(name, self.where(line), self.facts.rank, CTX_TABLE)
        self.facts.fields.append(fact)
        return fact

    def unresolved(self, what: str, line: int) -> None:
        self.facts.unresolved.append((what, self.where(line)))


def _column(table: _Table, col: exp.ColumnDef, first: int) -> None:
    line = _line_of(table.lines, first, col.name)
    fact = table.fact(col.name, line)
    table.columns[col.name.lower()] = fact
    kind = col.kind
    if kind is not None:
        text = kind.sql(dialect="postgres")
        dtype = kind.this
        if dtype == exp.DataType.Type.ARRAY:
            fact.put("type", "list[str]")
        elif dtype == exp.DataType.Type.ENUM:
            words = [v for ok, v in (_literal(e) for e in kind.expressions) if ok]
            fact.put("type", "enum")
            if words:
                fact.put("values", [str(w) for w in words])
        else:
            word = parse_type(text)
            if word:
                fact.put("type", word)
        length = type_length(text)
        if length:
            fact.put("max_length", length)
        if dtype in (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL):
            params = [p.this for p in kind.expressions if isinstance(p, exp.DataTypeParam)]
            numbers = [int(p.this) for p in params if isinstance(p, exp.Literal)]
            if numbers:
                fact.put("max_digits", numbers[0])
            if len(numbers) > 1:
                fact.put("decimal_places", numbers[1])
    not_null = has_default = False
    for constraint in col.constraints:
        c = constraint.kind
        if isinstance(c, exp.NotNullColumnConstraint):
            if c.args.get("allow_null"):
                fact.put("nullable", True)
            else:
                not_null = True
        elif isinstance(c, exp.PrimaryKeyColumnConstraint):
            fact.put("primary_key", True)
        elif isinstance(c, exp.UniqueColumnConstraint):
            fact.put("unique", True)
        elif isinstance(c, exp.DefaultColumnConstraint):
            has_default = True
            constant, value = _literal(c.this)
            if (
                constant
                and value is not None
                and not (fact.get("type") in ("json", "list[str]") and value in ("{}", "[]"))
            ):
                fact.put("default", value)
            elif fact.get("type") == "list[str]" and value == "{}":
                fact.put("default", [])
        elif isinstance(c, exp.Reference):
            _reference(fact, c)
        elif isinstance(c, exp.CheckColumnConstraint):
            _check(table, c.this, line)
    if not_null and not has_default:
        fact.put("required", True)
    elif not_null:
        fact.put("nullable", False)


def _reference(fact: FieldFact, ref: exp.Reference) -> None:
    target = ref.this
    table = target.this.name if isinstance(target, exp.Schema) else target.name
    cols = [e.name for e in target.expressions] if isinstance(target, exp.Schema) else []
    fact.put("foreign_key", f"{table}.{cols[0] if cols else 'id'}")
    rule = on_delete_rule(" ".join(str(o) for o in ref.args.get("options") or []))
    if rule:
        fact.put("on_delete", rule)


def _names(node: exp.Expression | None) -> list[str]:
    if node is None:
        return []
    items = node.expressions if isinstance(node, exp.Schema) else [node]
    return [i.name for i in items if i.name]


def _check(table: _Table, cond: exp.Expression, line: int) -> None:
    """CHECK conditions the plan can hold: IN lists, lengths, numeric bounds, patterns, joined
    by AND. Anything else is an unresolved note quoting the condition."""
    if isinstance(cond, exp.Paren):
        _check(table, cond.this, line)
        return
    if isinstance(cond, exp.And):
        _check(table, cond.this, line)
        _check(table, cond.expression, line)
        return
    if isinstance(cond, exp.In) and isinstance(cond.this, exp.Column):
        values = [v for ok, v in (_literal(e) for e in cond.expressions) if ok and v is not None]
        if values and len(values) == len(cond.expressions):
            table.fact(cond.this.name, line).put("values", [str(v) for v in values])
            return
    if isinstance(cond, exp.Between) and isinstance(cond.this, exp.Column):
        (lo_ok, lo), (hi_ok, hi) = _literal(cond.args.get("low")), _literal(cond.args.get("high"))
        if lo_ok and hi_ok:
            fact = table.fact(cond.this.name, line)
            fact.put("ge", lo)
            fact.put("le", hi)
            return
    if isinstance(cond, exp.RegexpLike) and isinstance(cond.this, exp.Column):
        ok, pattern = _literal(cond.expression)
        if ok and isinstance(pattern, str):
            table.fact(cond.this.name, line).put("pattern", pattern)
            return
    ops = {exp.GTE: "ge", exp.GT: "gt", exp.LTE: "le", exp.LT: "lt"}
    flipped = {"ge": "le", "gt": "lt", "le": "ge", "lt": "gt"}
    if type(cond) in ops:
        left, right, op = cond.this, cond.expression, ops[type(cond)]
        if isinstance(left, exp.Literal) and not isinstance(right, exp.Literal):
            left, right, op = right, left, flipped[op]
        ok, bound = _literal(right)
        if ok and isinstance(bound, (int, float)):
            if isinstance(left, exp.Column):
                table.fact(left.name, line).put(op, bound)
                return
            if isinstance(left, exp.Length):
                inner = left.this
                trimmed = isinstance(inner, exp.Trim)
                if trimmed:
                    inner = inner.this
                if isinstance(inner, exp.Column):
                    fact = table.fact(inner.name, line)
                    if op in ("ge", "gt"):
                        least = int(bound) + (1 if op == "gt" else 0)
                        fact.put("min_length", least)
                        if trimmed and least >= 1:
                            fact.put("not_blank", True)
                    else:
                        fact.put("max_length", int(bound) - (1 if op == "lt" else 0))
                    return
    if isinstance(cond, exp.NEQ):
        left, right = cond.this, cond.expression
        ok, value = _literal(right)
        inner = left.this if isinstance(left, exp.Trim) else left
        if ok and value == "" and isinstance(inner, exp.Column):
            fact = table.fact(inner.name, line)
            fact.put("min_length", 1)
            if isinstance(left, exp.Trim):
                fact.put("not_blank", True)
            return
    table.unresolved(f"CHECK ({cond.sql(dialect='postgres')}) is not understood", line)


def _unique(table: _Table, columns: list[str], line: int, source: str) -> None:
    owner = [c for c in columns if _OWNER_NAMES.match(c.lower())]
    rest = [c for c in columns if c not in owner]
    if len(rest) == 1 and len(owner) <= 1:
        table.fact(rest[0], line).put("unique", True)
    else:
        table.unresolved(f"{source} over ({', '.join(columns)}) has no plan equivalent", line)


def _table_constraint(table: _Table, node: exp.Expression, first: int) -> None:
    if isinstance(node, exp.Constraint):
        for inner in node.expressions:
            _table_constraint(table, inner, first)
        return
    text = node.sql(dialect="postgres")
    line = first
    for i in range(first, len(table.lines)):
        if re.search(r"\b(unique|primary|foreign|check)\b", table.lines[i], re.IGNORECASE):
            if any(c.lower() in table.lines[i].lower() for c in re.findall(r"\w+", text)[1:3]):
                line = i
                break
    if isinstance(node, exp.UniqueColumnConstraint):
        _unique(table, _names(node.this), line, "UNIQUE")
    elif isinstance(node, exp.PrimaryKey):
        columns = _names(node) or [e.name for e in node.expressions]
        if len(columns) == 1:
            table.fact(columns[0], line).put("primary_key", True)
        else:
            table.unresolved(f"composite PRIMARY KEY ({', '.join(columns)})", line)
    elif isinstance(node, exp.ForeignKey):
        columns = [e.name for e in node.expressions]
        ref = node.args.get("reference")
        if len(columns) == 1 and isinstance(ref, exp.Reference):
            _reference(table.fact(columns[0], line), ref)
        else:
            table.unresolved(f"{text[:120]} has no plan equivalent", line)
    elif isinstance(node, exp.CheckColumnConstraint):
        _check(table, node.this, line)
    else:
        table.unresolved(f"{text[:120]} is not understood", line)


def tables_from_sql(doc: Doc, block: Block, rank: int) -> list[TableFacts]:
    """Every table a fenced SQL block defines or alters, as field facts."""
    lines = block.text.splitlines()
    tables: dict[str, _Table] = {}

    def table(name: str, line: int) -> _Table:
        if name not in tables:
            facts = TableFacts(name, doc.at(block.line + line), rank)
            tables[name] = _Table(facts, doc, lines, block.line)
        return tables[name]

    for statement, first in _statements(block.text):
        if not statement.strip():
            continue
        tree = _parse(statement)
        if tree is None:
            if re.match(r"\s*(create|alter)\b", statement, re.IGNORECASE):
                name = re.search(r"\b(?:table|on)\s+[\"`]?(\w+)", statement, re.IGNORECASE)
                if name:
                    table(name.group(1), first).unresolved(
                        "SQL statement not parsed: " + " ".join(statement.split())[:120], first
                    )
            continue
        if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Schema):
            target = table(tree.this.this.name, first)
            for node in tree.this.expressions:
                if isinstance(node, exp.ColumnDef):
                    _column(target, node, first + 1)
                else:
                    _table_constraint(target, node, first + 1)
        elif isinstance(tree, exp.Create) and isinstance(tree.this, exp.Index):
            index = tree.this
            params = index.args.get("params")
            columns = [
                c.this.name if isinstance(c, exp.Ordered) else c.name
                for c in (params.args.get("columns") if params else None) or []
            ]
            target = table(index.args["table"].name, first)
            if tree.args.get("unique"):
                _unique(target, columns, first, "UNIQUE INDEX")
            elif len(columns) == 1 and columns[0]:
                target.fact(columns[0], first).put("index", True)
            # a plain index over several columns is a query plan choice, not a field constraint
        elif isinstance(tree, exp.Alter):
            target = table(tree.this.name, first)
            for action in tree.args.get("actions") or []:
                if isinstance(action, exp.ColumnDef):
                    _column(target, action, first)
                elif isinstance(action, exp.AddConstraint):
                    for node in action.expressions:
                        _table_constraint(target, node, first)
    return [t.facts for t in tables.values()]


__all__ = ["tables_from_sql"]
