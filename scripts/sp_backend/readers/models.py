"""Data models described in schema files (and object tables inside contracts): a heading names
the table or model, the blocks under it give the columns, in any of the field layouts."""

from __future__ import annotations

import re

from sp_backend.readers.endpoints import endpoint_label
from sp_backend.readers.facts import CTX_MODEL, CTX_RULES, CTX_TABLE, FieldFact, TableFacts
from sp_backend.readers.fields import (
    field_from_bullet,
    fields_from_json,
    fields_from_table,
    is_field_table,
    tables_from_code,
    tables_from_sql,
)
from sp_backend.readers.markdown import Block, Doc, plain, sections
from sp_backend.readers.prisma import looks_like_prisma, tables_from_prisma
from sp_backend.readers.rust_struct import STRUCT_RE, tables_from_rust
from sp_backend.readers.tsbody import TS_MODEL, tables_from_ts
from sp_backend.readers.types import parse_constraints
from sp_backend.readers.words import singular

_MODEL_WORDS = r"(?:object|model|table|schema|entity|resource|record)s?"
_IO_SUFFIX = re.compile(
    r"(Create|Update|Patch|Replace|Out|Response|Read|Public|In|Input|Request|"
    r"Base|Detail|Item)$"
)
_INPUT_SUFFIX = ("Create", "Update", "Patch", "Replace", "In", "Input", "Request", "Base")


# An FAQ heading that asks what one thing is: "Q: What is a problem?", "What's in an order?",
# "What does a booking look like?". Group 1 is the thing.
_QUESTION = re.compile(
    r"^\s*(?:Q\d*\s*[:.]\s*)?what(?:'s|\s+is|\s+are|\s+does|\s+do)?\s+(?:in(?:side)?\s+)?"
    r"(?:the|an?)\s+`?([A-Za-z]\w*)`?(?:\s+(?:look like|hold|contain|carry|have))?\s*\??\s*$",
    re.IGNORECASE,
)


# A section number before a heading's words: "1. The show", "2.3 Invoice", "§4 Members",
# "§4.1 — The trail".
_SECTION_NUMBER = re.compile(r"^\s*(?:§\s*)?\d+(?:\.\d+)*[.)]?\s+(?:[—–]\s+)?")


def model_key(name: str) -> str:
    """'Tasks Table' / 'Table: tasks' / 'TaskOut' / 'task_items' -> 'task' / 'task_item'."""
    text = _SECTION_NUMBER.sub("", plain(name))
    asked = _QUESTION.match(text)
    if asked:
        text = asked.group(1)
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(rf"^\s*(?:{_MODEL_WORDS})\s*[:\-–]\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(rf"\s+{_MODEL_WORDS}\s*$", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^\s*(?:the|an?)\s+", "", text, flags=re.IGNORECASE)  # 'The Act object'
    token = text.strip().split()[0] if text.strip() else ""
    token = re.sub(r"[^\w]", "", token)
    if not token:
        return ""
    if token[0].isupper() and not token.isupper():
        stripped = _IO_SUFFIX.sub("", token)
        token = stripped or token
        token = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", token)
    return singular(token.lower())


# A heading that only says what its section lists, under a heading naming the model.
_GENERIC_HEADING = re.compile(
    r"(?:fields|attributes|columns|properties|schema|structure|data fields)", re.IGNORECASE
)


def _io(name: str) -> str | None:
    token = plain(name).split()[0] if plain(name) else ""
    m = _IO_SUFFIX.search(token)
    if not m or not token[:1].isupper():
        return None
    return "input" if m.group(1) in _INPUT_SUFFIX else "output"


def _looks_like_model_heading(text: str, strict: bool) -> bool:
    t = _SECTION_NUMBER.sub("", plain(text))
    if re.search(r"\b(GET|POST|PUT|PATCH|DELETE)\b", t):
        return False
    if not strict:
        return bool(
            re.match(r"^(?:(?:table|model|entity)\s*[:\-–]\s*)?`?[A-Za-z_]\w*`?", t, re.IGNORECASE)
        )
    return bool(
        re.search(rf"\b{_MODEL_WORDS}\b", t, re.IGNORECASE)
        or re.fullmatch(r"`?[A-Z][a-z]+(?:[A-Z][a-z]+)*`?", t)
        # "The episode", "An invoice": a heading that names one thing the API serves.
        or re.fullmatch(r"(?:the|an?)\s+`?[A-Za-z]\w*`?", t, re.IGNORECASE)
        or _QUESTION.match(t)
    )


def models_from_doc(
    doc: Doc, rank: int, *, strict: bool = False, skip: set[int] | None = None
) -> list[TableFacts]:
    """Models under headings. ``strict`` (contracts): only headings that say object/model/...
    or are one CamelCase name, so endpoint parameter tables are not taken for models."""
    out: list[TableFacts] = []
    parents: list[tuple[int, str]] = []  # (heading level, model key) of the enclosing models
    for heading, blocks in sections(doc):
        for block in blocks:
            if block.kind == "fence" and re.search(
                r"create\s+table|alter\s+table|create\s+index", block.text, re.IGNORECASE
            ):
                out.extend(tables_from_sql(doc, block, rank))
            elif block.kind == "fence" and re.search(
                r"^class\s+\w+\s*\(", block.text, re.MULTILINE
            ):
                out.extend(tables_from_code(doc, block, rank))
            elif looks_like_prisma(block):
                out.extend(tables_from_prisma(doc, block, rank))
            elif block.kind == "fence" and STRUCT_RE.search(block.text):
                out.extend(tables_from_rust(doc, block, rank))
            elif block.kind == "fence" and TS_MODEL.search(block.text):
                out.extend(tables_from_ts(doc, block, rank))
        if heading is None or (skip and heading.line in skip):
            continue
        generic = _GENERIC_HEADING.fullmatch(plain(heading.text).strip().rstrip(":"))
        parents = [(lvl, k) for lvl, k in parents if lvl < heading.level]
        if generic and parents:
            key = parents[-1][1]  # '## Task Entity' / '### Fields': the task's fields
        else:
            if not _looks_like_model_heading(heading.text, strict):
                continue
            key = model_key(heading.text)
            if not key:
                continue
            parents.append((heading.level, key))
        table = TableFacts(key, doc.at(heading.line), rank)
        io = _io(heading.text)
        label: str | None = None  # "indexes", "constraints", ...: what the bullets below list
        tabled = False  # a field table (name and type columns) said these are the fields
        for block in blocks:
            explicit = re.search(r"\*\*table\*\*\s*:\s*`?(\w+)`?", block.text, re.IGNORECASE)
            if block.kind == "paragraph" and explicit:
                table.name = model_key(explicit.group(1))
            if block.kind == "paragraph" or block.kind == "heading":
                label = _schema_label(block.text) or _query_label(block.text)
            elif block.kind != "item":
                label = None
            if label == "query" and block.kind == "item":
                continue  # a list's query parameters, not the model's fields
            if label and block.kind == "item":
                _describe(table, doc, block, label, rank)
                continue
            found = _fields_in(doc, block, rank)
            tabled = tabled or (bool(found) and block.kind == "table")
            table.fields.extend(found)
        if io == "input":
            for f in table.fields:
                f.put("in_input", True)
        # One bullet under a heading may be anything; a field table of one row is a model of
        # one field all the same (its header says these are fields).
        if len({f.name for f in table.fields}) >= 2 or (tabled and table.fields):
            out.append(table)
    return out


# A label over bullets that name a table's indexes, keys or constraints, not its columns.
_SCHEMA_LABEL = re.compile(
    r"^(?:(?:unique|check|foreign|primary)\s+)?"
    r"(indexes|indices|index|constraints?|keys?|checks|relationships|relations|triggers)$",
    re.IGNORECASE,
)
_ON_COLUMNS = re.compile(r"\bon\s+(?:the\s+)?((?:`?\w+`?(?:\s*(?:,|and)\s*)?)+)", re.IGNORECASE)


def _query_label(text: str) -> str | None:
    """'query' when a paragraph's last sentence introduces query parameters ("... so this
    listing has a query parameter of its own:")."""
    words = " ".join(plain(text).split())
    if not words.endswith(":"):
        return None
    tail = re.split(r"(?<=[.!?])\s+", words)[-1]
    return "query" if endpoint_label(tail) == "query" else None


def _schema_label(text: str) -> str | None:
    words = plain(text).strip().rstrip(":").strip().lower()
    return words if _SCHEMA_LABEL.fullmatch(words) else None


def _describe(table: TableFacts, doc: Doc, block: Block, label: str, rank: int) -> None:
    """A bullet under an Indexes / Constraints label: an index or unique rule on the columns it
    names ("Index on user_id", "Unique constraint on email") becomes facts of those columns;
    anything else it states is noted as unresolved, never read as a column."""
    text = plain(block.text.splitlines()[0])
    where = doc.at(block.line)
    low = text.lower()
    on = _ON_COLUMNS.search(text)
    columns = re.findall(r"\w+", on.group(1)) if on else []
    columns = [c for c in columns if c.lower() not in ("and", "column", "columns")]
    kind = "unique" if "unique" in low else "index" if "index" in low or "index" in label else None
    if kind and columns and "primary key" not in low:
        for column in columns:
            fact = FieldFact(column, where, rank, CTX_RULES)
            fact.put(kind, True)
            table.fields.append(fact)
        return
    if "primary key" in low:
        return  # the id: the plan's own
    # A rule on one of the table's columns ("ensuring title is not empty", "limiting
    # description to 1000 characters"): the column's constraints, when the words are known.
    named = re.split(r"\s*[:\-–]\s+", text, maxsplit=1)
    said = named[-1]
    known = {f.name for f in table.fields}
    mentioned = [w for w in re.findall(r"\w+", said) if w in known]
    rules = {k: v for k, v in parse_constraints(said).items() if k not in ("required", "index")}
    if len(set(mentioned)) == 1 and rules and "foreign_key" not in rules:
        fact = FieldFact(mentioned[0], where, rank, CTX_RULES)
        for key, value in rules.items():
            fact.put(key, value)
        table.fields.append(fact)
        return
    table.unresolved.append((f"{label}: {text}", where))


def _fields_in(doc: Doc, block: Block, rank: int) -> list[FieldFact]:
    if block.kind == "table" and is_field_table(block):
        return fields_from_table(doc, block, rank, CTX_MODEL if rank == 0 else CTX_TABLE)
    if block.kind == "item" and block.level <= 1:
        fact = field_from_bullet(doc, block, rank, CTX_MODEL if rank == 0 else CTX_TABLE)
        return [fact] if fact else []
    if block.kind == "fence" and block.text.lstrip().startswith("{"):
        return fields_from_json(doc, block.text, block.line, rank)
    return []


_DOTTED = re.compile(r"^\s*`?([A-Za-z_]\w*)\.([A-Za-z_]\w*)`?\s*(.*)$", re.DOTALL)


def dotted_facts(doc: Doc, rank: int) -> list[tuple[str, FieldFact]]:
    """'tasks.completed (for status filtering)' under an Indexes heading, or 'tasks.title must be
    between 1-200 characters' under Constraints; index tables with Table/Column headers."""
    out: list[tuple[str, FieldFact]] = []
    for heading, blocks in sections(doc):
        title = plain(heading.text).lower() if heading else ""
        is_index = "index" in title
        for block in blocks:
            if block.kind == "item":
                m = _DOTTED.match(plain(block.text.splitlines()[0]))
                if not m:
                    continue
                fact = FieldFact(m.group(2), doc.at(block.line), rank, CTX_RULES)
                if is_index:
                    fact.put("index", True)
                else:
                    for key, value in parse_constraints(m.group(3)).items():
                        fact.put(key, value)
                if fact.attrs:
                    out.append((model_key(m.group(1)), fact))
            elif block.kind == "table" and is_index:
                header = [plain(h).lower() for h in block.header]
                if "table" in header and "column" in header:
                    ti, ci = header.index("table"), header.index("column")
                    for row in block.rows:
                        if len(row.cells) > max(ti, ci):
                            col = plain(row.cells[ci])
                            if re.fullmatch(r"[A-Za-z_]\w*", col):
                                fact = FieldFact(col, doc.at(row.line), rank, CTX_RULES)
                                fact.put("index", True)
                                out.append((model_key(row.cells[ti]), fact))
    return out


def prose_fields(doc: Doc, rank: int) -> list[FieldFact]:
    """Backticked field bullets in feature prose ('`title` (1–200 chars)'); a parent bullet or
    paragraph saying 'Required fields:' / 'Optional fields:' sets required for its children."""
    out: list[FieldFact] = []
    required: bool | None = None
    for block in doc.blocks:
        first = plain(block.text.splitlines()[0]).lower() if block.text else ""
        if block.kind in ("item", "paragraph") and first.rstrip().endswith(":"):
            required = True if "required" in first else False if "optional" in first else None
            continue
        if block.kind == "heading":
            required = None
        if block.kind != "item":
            continue
        fact = field_from_bullet(doc, block, rank, CTX_RULES, need_ticks=True)
        if fact is None:
            continue
        if required is not None and "required" not in fact.attrs:
            fact.put("required", required)
        out.append(fact)
    return out


__all__ = ["dotted_facts", "model_key", "models_from_doc", "prose_fields"]
