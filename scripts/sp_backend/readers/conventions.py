"""List conventions a contract states once for the whole API: a "Pagination", "Filtering",
"Sorting", "Query parameters", "Conventions" or "List endpoints" section (or a shared parameter
table in one) outside every endpoint's own section.

What such a section says applies to every list endpoint of the feature unless that list's own
text says otherwise (build.py merges it in; the list's own words win and the difference is
recorded as a conflict). Every value read keeps the file:line of its contract-wide line; what
the section states that no reader can apply is returned in ``unread`` for the plan's
`unresolved`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sp_backend.readers.endpoints import clean_path, endpoint_label, is_declaration
from sp_backend.readers.facts import Param
from sp_backend.readers.markdown import Block, Doc, plain
from sp_backend.readers.phrases import param_default

# Headings that name a contract-wide list convention (matched on the heading's plain words).
_SECTION = re.compile(
    r"\b(?:paginat\w*|paging|pages?|filter\w*|sort\w*|ordering|search(?:ing)?|"
    r"query[- ](?:param\w*|strings?)|common[- ]param\w*|shared[- ]param\w*|conventions?|"
    r"list(?:ing)?s?(?:[- ](?:endpoints?|operations?|requests?|routes?|calls?))?|collections?)\b",
    re.IGNORECASE,
)
# Headings with those words that are about something else ("Rate Limiting" is not; "Pages"
# of a UI is, only as a heading of its own): a heading naming an HTTP method never is.
_NOT_SECTION = re.compile(r"\b(?:ui|screens?|components?|frontend)\b", re.IGNORECASE)

# A parameter line: one or more names (`price_min` / `price_max`, `from, to`), an optional
# parenthesised note, a separator and its description.
_NAME = r"`?[A-Za-z_][\w-]*`?"
_PARAM_LINE = re.compile(
    rf"^\s*(?P<names>{_NAME}(?:\s*(?:/|,|&|\bor\b|\band\b)\s*{_NAME})*)\s*"
    r"(?P<note>\([^)]{0,60}\))?\s*(?:[:\-–—=]|\bis\b)\s*(?P<desc>.+)$",
    re.DOTALL,
)
# A bare value line under a "sortable fields" label: `created_at` (default)
_VALUE_LINE = re.compile(r"^\s*`?(?P<name>[A-Za-z_][\w-]*)`?\s*(?P<rest>.*)$", re.DOTALL)
_SORT_VALUES_LABEL = re.compile(
    r"\b(?:sort(?:able)?|order(?:able)?)\s+(?:by\s+)?(?:fields?|keys?|columns?|attributes?|"
    r"values?)\b|\bsorted\s+by\b|\bsort\s+by\b",
    re.IGNORECASE,
)
_DIRECTIONS = {"asc": "asc", "ascending": "asc", "desc": "desc", "descending": "desc"}
_PAGE_WORDS = r"(?:items?|rows?|results?|records?|entries|objects?|elements?)"
_PER_PAGE = rf"{_PAGE_WORDS}?\s*(?:per|a|each|in a|on a)\s+(?:page|request|response|call)"
_DEFAULT_SIZE = re.compile(
    rf"\bdefault(?:s\s+to)?\b\W{{0,6}}(\d+)\s*{_PER_PAGE}|(\d+)\s*{_PER_PAGE}\s*(?:by default|"
    r"unless)",
    re.IGNORECASE,
)
_MAX_SIZE = re.compile(
    rf"\b(?:max(?:imum)?|at most|up to|no more than|capped at)\b\W{{0,6}}(\d+)\s*{_PER_PAGE}",
    re.IGNORECASE,
)
_STYLE = re.compile(
    r"\b(offset|cursor|keyset|page|limit)[- ](?:based|style)\b|\b(offset|cursor|keyset)\s+"
    r"pagination\b",
    re.IGNORECASE,
)
_STYLE_NAMES = {"offset": "offset", "limit": "offset", "cursor": "cursor", "keyset": "cursor"}
# Labels under which a section describes the answer or shows examples, not what lists accept.
_NOT_APPLIED_LABELS = ("response", "example", "headers", "error")
# Words that make a line normative (something a backend would have to do).
_NORMATIVE = re.compile(
    r"\b(?:must|always|never|every|all|only|default\w*|max\w*|min\w*|at most|at least|"
    r"required|limit\w*|should|shall)\b",
    re.IGNORECASE,
)

# Words that make a line of a general "Conventions" section about lists (its lines on tokens
# or errors are other readers' business).
_LISTISH = re.compile(
    r"\b(?:pages?|paging|paginat\w*|per[ _]page|sort\w*|order(?:ed|ing)?|filter\w*|"
    r"search\w*|lists?|listings?|limit|offset|cursor|query param\w*)\b",
    re.IGNORECASE,
)


@dataclass
class Stated:
    """One value a contract-wide line states, with that line."""

    value: object
    source: str


@dataclass
class Conventions:
    params: list[Param] = field(default_factory=list)  # each with shared=True and its line
    page_default: Stated | None = None
    page_max: Stated | None = None
    style: Stated | None = None  # "page" | "offset" | "cursor"
    sort_fields: Stated | None = None  # list[str], the first "(default)" one first
    sort_default: Stated | None = None  # a field name
    direction: Stated | None = None  # "asc" | "desc", the default order
    unread: list[tuple[str, str]] = field(default_factory=list)  # (text, file:line)
    sections: list[str] = field(default_factory=list)  # the headings read, file:line
    applied: set[str] = field(default_factory=set)  # sources a list took
    lists: int = 0  # list operations the conventions were offered to

    def __bool__(self) -> bool:
        return bool(
            self.params
            or self.page_default
            or self.page_max
            or self.style
            or self.sort_fields
            or self.direction
        )


def _is_convention_heading(block: Block) -> bool:
    text = plain(block.text)
    return bool(_SECTION.search(text)) and not _NOT_SECTION.search(text)


def convention_sections(doc: Doc) -> list[tuple[Block, list[Block]]]:
    """Each contract-wide convention section: its heading and the blocks under it, outside
    every endpoint's own section (an endpoint owns what follows it up to a heading as high as
    the one it sits under). A section that itself declares endpoints is a group of endpoints,
    not a convention."""
    out: list[tuple[Block, list[Block]]] = []
    heading_level = 0
    endpoint_bound: int | None = None  # heading level that ends the current endpoint's section
    current: tuple[Block, list[Block]] | None = None
    declares = False

    def close() -> None:
        nonlocal current, declares
        if current is not None and not declares:
            out.append(current)
        current, declares = None, False

    for block in doc.blocks:
        if block.kind == "heading":
            if current is not None and block.level <= current[0].level:
                close()
            if endpoint_bound is not None and block.level <= endpoint_bound:
                endpoint_bound = None
            heading_level = block.level
            if is_declaration(block):
                endpoint_bound = block.level
                if current is not None:
                    declares = True
                continue
            if current is None and endpoint_bound is None and _is_convention_heading(block):
                current = (block, [])
                continue
        elif block.kind == "paragraph" and is_declaration(block):
            if current is not None:
                declares = True
            else:
                endpoint_bound = heading_level
            continue
        if current is not None:
            current[1].append(block)
    close()
    return out


def read_conventions(doc: Doc) -> Conventions:
    """The list conventions a Markdown contract states once, each value with its line."""
    found = Conventions()
    seen: set[str] = set()
    for heading, blocks in convention_sections(doc):
        found.sections.append(doc.at(heading.line))
        _read_section(doc, heading, blocks, found, seen)
    return found


def _read_section(
    doc: Doc, heading: Block, blocks: list[Block], found: Conventions, seen: set[str]
) -> None:
    label = endpoint_label(heading.text)
    sort_values = bool(_SORT_VALUES_LABEL.search(plain(heading.text)))
    for block in blocks:
        where = doc.at(block.line)
        if block.kind == "heading":
            label = endpoint_label(block.text)
            sort_values = bool(_SORT_VALUES_LABEL.search(plain(block.text)))
            continue
        if block.kind == "fence":
            continue  # examples (GET /x?page=2, an answer): the list's shape is read elsewhere
        if block.kind == "table":
            if label in _NOT_APPLIED_LABELS:
                continue
            if _param_table(block):
                _params_from_table(doc, block, found, seen)
            continue
        text = plain(block.text)
        consumed = False
        for i, line in enumerate(block.text.splitlines()):
            consumed = _sizes_and_style(plain(line), doc.at(block.line + i), found) or consumed
        if block.kind == "paragraph":
            # A label introduces what follows ("Query parameters:", "Query: `page`, `size`"); a
            # sentence that merely mentions requests or fields is not one.
            labelled = text.rstrip().endswith(":") or ":" in text[:40]
            new = endpoint_label(block.text) if labelled else ""
            if new:
                label = new
            if _SORT_VALUES_LABEL.search(text.split(":", 1)[0] if ":" in text else text):
                sort_values, consumed = True, True
            elif new or text.rstrip().endswith(":"):
                sort_values = sort_values and not new
                consumed = True
            if ":" in text and new == "query":
                consumed = _inline_params(doc, block, found, seen) or consumed
        elif block.kind == "item" and label not in _NOT_APPLIED_LABELS:
            first = plain(block.text.splitlines()[0]) if block.text else ""
            if sort_values and _sort_value(first, where, found):
                continue
            if _direction(first, where, found):
                continue
            # Under a query label any parameter line; elsewhere only a code-named one
            # ("- `page`: which page"), so "- Default: 20 per page" names no parameter.
            named = label == "query" or block.text.lstrip().startswith("`")
            if named and not sort_values and _param_item(first, where, found, seen):
                continue
        elif block.kind == "item":
            continue  # "Response includes: - `total`": the answer's shape, not an input
        if not consumed and _NORMATIVE.search(text) and _LISTISH.search(text):
            found.unread.append((text[:200], where))


def _param_table(block: Block) -> bool:
    header = [plain(h).lower() for h in block.header]
    return bool(header) and bool(
        re.fullmatch(r"(?:query\s+)?(?:param(?:eter)?s?|name|key|argument)", header[0])
    )


def _add(found: Conventions, seen: set[str], param: Param) -> bool:
    if not re.fullmatch(r"[A-Za-z_][\w-]{0,60}", param.name) or param.name.lower() in seen:
        return False
    seen.add(param.name.lower())
    found.params.append(param)
    return True


def _params_from_table(doc: Doc, block: Block, found: Conventions, seen: set[str]) -> None:
    header = [plain(h).lower() for h in block.header]
    type_i = next((i for i, h in enumerate(header) if h.startswith("type")), None)
    def_i = next((i for i, h in enumerate(header) if h.startswith("default")), None)
    desc_i = [i for i, h in enumerate(header) if i and i not in (type_i, def_i)]
    for row in block.rows:
        cells = list(row.cells) + [""] * len(header)
        names = _names(plain(cells[0]))
        desc = " ".join(plain(cells[i]) for i in desc_i)
        default = plain(cells[def_i]) if def_i is not None else None
        if default in ("", "-", "—", "–"):
            default = None
        for name in names:
            _add(
                found,
                seen,
                Param(
                    name,
                    "query",
                    doc.at(row.line),
                    plain(cells[type_i]) if type_i is not None else None,
                    default or param_default(desc),
                    desc,
                    shared=True,
                ),
            )


def _names(text: str) -> list[str]:
    return [n for n in re.split(r"\s*(?:/|,|&|\bor\b|\band\b)\s*", text.strip("` ")) if n]


def _param_item(first: str, where: str, found: Conventions, seen: set[str]) -> bool:
    m = _PARAM_LINE.match(first)
    if m is None:
        return False
    names = _names(m.group("names").replace("`", ""))
    note = (m.group("note") or "").strip("()")
    desc = " ".join(x for x in (note, m.group("desc")) if x)
    added = False
    for name in names:
        param = Param(name, "query", where, None, param_default(desc), desc, shared=True)
        added = _add(found, seen, param) or added
    return added


def _inline_params(doc: Doc, block: Block, found: Conventions, seen: set[str]) -> bool:
    """'Query parameters: `page` (default 1), `limit` (default 25, max 100)'."""
    text = block.text.split(":", 1)[1]
    added = False
    for m in re.finditer(r"`([A-Za-z_][\w-]*)`\s*(\([^)]*\))?", text):
        note = (m.group(2) or "").strip("()")
        param = Param(
            m.group(1), "query", doc.at(block.line), None, param_default(note), note, shared=True
        )
        added = _add(found, seen, param) or added
    return added


def _sort_value(first: str, where: str, found: Conventions) -> bool:
    m = _VALUE_LINE.match(first)
    if m is None or clean_path("/" + m.group("name")) is None:
        return False
    name = m.group("name")
    if name.lower() in _DIRECTIONS:
        return _direction(first, where, found)
    values: list[str] = list(found.sort_fields.value) if found.sort_fields else []  # type: ignore[call-overload]
    if name not in values:
        values.append(name)
    found.sort_fields = Stated(values, found.sort_fields.source if found.sort_fields else where)
    if re.search(r"\bdefault\b", m.group("rest"), re.IGNORECASE):
        found.sort_default = Stated(name, where)
    return True


def _direction(first: str, where: str, found: Conventions) -> bool:
    """'- `desc` - Descending (default)': the default order of every list."""
    m = _VALUE_LINE.match(first)
    if m is None or m.group("name").lower() not in _DIRECTIONS:
        return False
    if re.search(r"\bdefault\b", m.group("rest"), re.IGNORECASE):
        found.direction = Stated(_DIRECTIONS[m.group("name").lower()], where)
    return True


def _sizes_and_style(text: str, where: str, found: Conventions) -> bool:
    """'Default: 20 items per page', 'at most 100 per page', 'Offset-based pagination'."""
    read = False
    if (m := _DEFAULT_SIZE.search(text)) and found.page_default is None:
        found.page_default = Stated(int(m.group(1) or m.group(2)), where)
        read = True
    if (m := _MAX_SIZE.search(text)) and found.page_max is None:
        found.page_max = Stated(int(m.group(1)), where)
        read = True
    if (m := _STYLE.search(text)) and found.style is None:
        word = (m.group(1) or m.group(2)).lower()
        found.style = Stated(_STYLE_NAMES.get(word, "page"), where)
        read = True
    return read


__all__ = ["Conventions", "Stated", "convention_sections", "read_conventions"]
