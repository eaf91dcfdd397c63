"""Markdown structure with line numbers: one flat list of blocks (headings, paragraphs, list
items, tables, fences) built from markdown-it-py tokens, so readers never guess structure from
line regexes. Each block knows its 1-based line and the heading path above it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sp_backend.errors import SpecError

BlockKind = Literal["heading", "paragraph", "item", "table", "fence"]

_PARSER = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    line: int
    text: str = ""  # raw inline Markdown (headings, paragraphs, items) or fence body
    level: int = 0  # heading level, or list nesting depth for items
    info: str = ""  # fence info string (language)
    header: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    end: int = 0  # last line (1-based) the block covers


@dataclass
class Doc:
    """One parsed Markdown file. ``rel`` is the path shown to people (relative to the root)."""

    path: Path
    rel: str
    text: str
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def at(self, line: int | None) -> str:
        return f"{self.rel}:{line}" if line else self.rel


def read_text(path: Path, rel: str) -> str:
    """Read a spec file as UTF-8 (BOM tolerated); a named SpecError otherwise."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{rel}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise SpecError(f"{rel}: cannot read: {exc.strerror or exc}") from None


def parse_markdown(text: str, path: Path | None = None, rel: str = "<text>") -> Doc:
    doc = Doc(path or Path(rel), rel, text)
    try:
        tokens = _PARSER.parse(text)
    except Exception as exc:  # noqa: BLE001 -- any parser failure must become a named error
        raise SpecError(f"{rel}: cannot parse Markdown: {exc}") from None
    doc.blocks = _blocks(tokens)
    doc.warnings = _table_warnings(doc)
    return doc


def load_markdown(path: Path, rel: str) -> Doc:
    return parse_markdown(read_text(path, rel), path, rel)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _end(token: Token) -> int:
    return token.map[1] if token.map else 0


def _blocks(tokens: list[Token]) -> list[Block]:
    blocks: list[Block] = []
    depth = 0  # list nesting
    in_item = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif kind == "list_item_open":
            in_item += 1
        elif kind == "list_item_close":
            in_item -= 1
        elif kind == "heading_open":
            inline = tokens[i + 1]
            blocks.append(
                Block(
                    "heading",
                    _line(tok),
                    inline.content.strip(),
                    level=int(tok.tag[1:]),
                    end=_end(tok),
                )
            )
            i += 2
        elif kind == "paragraph_open":
            inline = tokens[i + 1]
            block_kind: BlockKind = "item" if in_item else "paragraph"
            blocks.append(Block(block_kind, _line(tok), inline.content, level=depth, end=_end(tok)))
            i += 2
        elif kind in ("fence", "code_block"):
            blocks.append(
                Block(
                    "fence",
                    _line(tok) + (1 if kind == "fence" else 0),
                    tok.content,
                    info=(tok.info or "").strip().lower(),
                    end=_end(tok),
                )
            )
        elif kind == "table_open":
            i, table = _table(tokens, i)
            blocks.append(table)
            continue
        i += 1
    return blocks


def _table(tokens: list[Token], start: int) -> tuple[int, Block]:
    header: list[str] = []
    rows: list[Row] = []
    current: list[str] = []
    row_line = 0
    in_head = False
    i = start
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            current, row_line = [], _line(tok)
        elif tok.type == "inline":
            current.append(tok.content.strip())
        elif tok.type == "tr_close":
            if in_head:
                header = current
            else:
                rows.append(Row(tuple(current), row_line))
        elif tok.type == "table_close":
            opening = tokens[start]
            return i + 1, Block(
                "table", _line(opening), header=tuple(header), rows=tuple(rows), end=_end(opening)
            )
        i += 1
    opening = tokens[start]
    return i, Block("table", _line(opening), header=tuple(header), rows=tuple(rows))


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")


def _cells(line: str) -> int:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return len(re.split(r"(?<!\\)\|", body))


def _table_warnings(doc: Doc) -> list[str]:
    """Tables markdown-it accepted with ragged rows, and pipe rows it could not read as a table
    (usually a missing |---| separator): either way the reader may miss data, so say where."""
    warnings: list[str] = []
    lines = doc.text.splitlines()
    for block in doc.blocks:
        if block.kind == "table":
            width = len(block.header)
            for row in block.rows:
                raw = lines[row.line - 1] if 0 < row.line <= len(lines) else ""
                if raw and _cells(raw) != width:
                    warnings.append(
                        f"{doc.at(row.line)}: malformed table: this row has "
                        f"{_cells(raw)} cells, the header has {width}"
                    )
        elif block.kind in ("paragraph", "item"):
            pipe_rows = [ln for ln in block.text.splitlines() if _PIPE_ROW.match(ln)]
            if len(pipe_rows) >= 2:
                warnings.append(
                    f"{doc.at(block.line)}: malformed table: rows of | cells without "
                    "a |---| separator line under the header; it was read as text"
                )
    return warnings


def plain(text: str) -> str:
    """Inline Markdown to plain text: drop emphasis, code ticks and link targets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?<![\w{])_+|_+(?![\w}])", "", text)  # emphasis, not snake_case
    return re.sub(r"[*`]+", "", text).strip()


def sections(doc: Doc) -> list[tuple[Block | None, list[Block]]]:
    """Blocks grouped under their nearest heading (None for text before the first heading)."""
    out: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for block in doc.blocks:
        if block.kind == "heading":
            out.append((block, []))
        else:
            out[-1][1].append(block)
    return out


__all__ = [
    "Block",
    "Doc",
    "Row",
    "load_markdown",
    "parse_markdown",
    "plain",
    "read_text",
    "sections",
]
