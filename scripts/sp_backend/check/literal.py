"""What the contract shows literally, per endpoint, read without the plan's readers: the
endpoint's section (from its heading or declaration to the next one), the JSON examples in it
(request or response, with the status they illustrate), the parameters its tables, bullets and
prose name, and every status it names anywhere (tables, headings, prose, error lists).

A reader bug cannot hide a promise from the check: this module shares no code with
`sp_backend.readers`, only the line-numbered text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REASONS = {
    200: "ok",
    201: "created",
    202: "accepted",
    204: "no content",
    301: "moved permanently",
    302: "found",
    304: "not modified",
    400: "bad request",
    401: "unauthorized",
    402: "payment required",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    410: "gone",
    412: "precondition failed",
    413: "payload too large",
    415: "unsupported media type",
    422: "unprocessable",
    423: "locked",
    429: "too many requests",
    500: "internal server error",
    501: "not implemented",
    502: "bad gateway",
    503: "service unavailable",
}
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_PATH = r"(/[A-Za-z0-9_{}:.\-/]*)"
# A declaration: the method starts the line (after list/heading/emphasis marks) and a path
# follows it.
_DECL = re.compile(rf"^[\s#>*_`|\-+0-9.)]*\b({'|'.join(METHODS)})\b[\s*_`:]*{_PATH}")
# "**Browse** — `GET /api/plots`": a short emphasized title and a dash before the declaration.
_TITLED = re.compile(r"^\s*(\*\*|__)[^*_\n]{1,60}?\1\s*[—–:\-]+\s*")
_STATUS_WORDS = re.compile(
    r"\b(return|returns|returned|answer|answers|answered|respond|responds|response|responses|"
    r"status|statuses|code|codes|http|error|errors|fail|fails|with|gives|yields|otherwise|"
    r"else|or|and|then|send|sends|reply|replies)\b|→|->|=>|:",
    re.I,
)
_NOT_STATUS_BEFORE = re.compile(
    r"(max(imum)?|min(imum)?|up to|at most|at least|limit|length|size|first|last|top|"
    r"default|[<>=≤≥]|\d[-–]|page|per|of|x|×|\$)\s*[:=]?\s*$",
    re.I,
)
_NOT_STATUS_AFTER = re.compile(
    r"^\s*(chars?|characters?|items?|bytes?|ms|s\b|seconds?|minutes?|hours?|days?|"
    r"requests?|tasks?|rows?|results?|records?|words?|%|kb|mb|px|tags?|entries|notes?|"
    r"per|[-–]\s*\d|\.\d|,\d)",
    re.I,
)


@dataclass
class Example:
    role: str  # request | response
    status: int | None  # the status it illustrates; None: the success answer
    value: Any
    source: str


@dataclass
class Param:
    name: str
    where: str  # query | path | body | response
    source: str
    text: str = ""  # the line it was named on
    bounds: dict[str, Any] = field(default_factory=dict)  # maxLength, minimum, enum, ...

    def __post_init__(self) -> None:
        if self.text and not self.bounds:
            self.bounds = bounds_in(self.text)


@dataclass
class Promise:
    method: str
    path: str
    source: str  # file:line of the endpoint's declaration
    statuses: dict[int, str] = field(default_factory=dict)  # code -> the words naming it
    status_sources: dict[int, str] = field(default_factory=dict)
    body_fields: dict[str, str] = field(default_factory=dict)  # name -> file:line
    response_fields: dict[str, str] = field(default_factory=dict)
    query: dict[str, Param] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)  # every parameter line, for constraints
    examples: list[Example] = field(default_factory=list)
    lines: tuple[int, int] = (0, 0)  # the section, 1-based, inclusive
    file: str = ""

    @property
    def key(self) -> str:
        norm = re.sub(r"\{(?!user_id\})[^}]*\}", "{}", self.path.rstrip("/") or "/")
        return f"{self.method.upper()} {norm}"

    def add_status(self, code: int, words: str, source: str) -> None:
        self.statuses.setdefault(code, words.strip()[:200])
        self.status_sources.setdefault(code, source)


def normalise_path(path: str) -> str:
    path = path.split("?")[0].rstrip(".,;:)`*")
    path = re.sub(r":([A-Za-z_]\w*)", r"{\1}", path)
    return path.rstrip("/") or "/"


def plain(text: str) -> str:
    return re.sub(r"[*`]|(?<![\w])__|__(?![\w])", "", text).strip()


@dataclass
class _Doc:
    lines: list[str]
    fenced: list[bool]  # inside a code fence (the fence lines included)
    fences: list[tuple[int, int, str]]  # (open index, close index, info string)


def _doc(text: str) -> _Doc:
    lines = text.splitlines()
    fenced = [False] * len(lines)
    fences: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        mark, info = m.group(1), m.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(mark[:3]):
            j += 1
        for k in range(i, min(j, len(lines) - 1) + 1):
            fenced[k] = True
        fences.append((i, min(j, len(lines) - 1), info))
        i = j + 1
    return _Doc(lines, fenced, fences)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _is_table_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2


def _is_separator(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line)) and "-" in line


def read_markdown(text: str, rel: str) -> list[Promise]:
    doc = _doc(text)
    heads: list[tuple[int, int]] = []  # (index, level)
    decls: list[tuple[int, str, str]] = []  # (index, method, path)
    for i, line in enumerate(doc.lines):
        if doc.fenced[i]:
            continue
        h = _HEADING.match(line)
        if h:
            heads.append((i, len(h.group(1))))
        if _is_table_row(line):
            cells = [plain(c) for c in _cells(line)]
            method = next((c.upper() for c in cells if c.upper() in METHODS), None)
            path = next((c for c in cells if c.startswith("/")), None)
            joined = next((c for c in cells if re.match(rf"({'|'.join(METHODS)})\s+/", c)), None)
            if joined:
                method, path = joined.split()[0].upper(), joined.split()[1]
            if method and path:
                decls.append((i, method, normalise_path(path)))
            continue
        m = _DECL.match(line) or _DECL.match(_TITLED.sub("", line, count=1))
        if m is None and h:  # "## List parameters (GET /api/items)"
            m = re.search(rf"\b({'|'.join(METHODS)})\b[\s*_`:]*{_PATH}", line)
        if m and not re.search(r"\{[0-9a-f]{8}-", m.group(2)):
            decls.append((i, m.group(1).upper(), normalise_path(m.group(2))))
    promises: list[Promise] = []
    for n, (i, method, path) in enumerate(decls):
        if _is_table_row(doc.lines[i]):
            start, end = i, i
        else:
            start, end = _section(doc, heads, decls, n)
        p = Promise(method, path, f"{rel}:{i + 1}", lines=(start + 1, end + 1), file=rel)
        if _is_table_row(doc.lines[i]):
            _table_row_statuses(doc, i, p, rel)
        else:
            _read_section(doc, start, end, p, rel)
        promises.append(p)
    return fold(promises)


def _section(
    doc: _Doc, heads: list[tuple[int, int]], decls: list[tuple[int, str, str]], n: int
) -> tuple[int, int]:
    i = decls[n][0]
    prev_decl = max((d[0] for d in decls[:n] if not _is_table_row(doc.lines[d[0]])), default=-1)
    before = [h for h in heads if prev_decl < h[0] <= i]
    if before:
        start, level = before[-1]
    else:
        start = i
        enclosing = [h for h in heads if h[0] < i]
        level = (enclosing[-1][1] + 1) if enclosing else 7
    end = len(doc.lines) - 1
    for h, hl in heads:
        if h > start and h > i and hl <= level:
            end = h - 1
            break
    for d in decls[n + 1 :]:
        if _is_table_row(doc.lines[d[0]]):
            continue
        nstart = max((h for h, _ in heads if i < h <= d[0]), default=d[0])
        end = min(end, nstart - 1)
        break
    return start, end


def _table_row_statuses(doc: _Doc, i: int, p: Promise, rel: str) -> None:
    for code, words in statuses_in(doc.lines[i], table=True):
        p.add_status(code, words, f"{rel}:{i + 1}")


# The words that rule a status out just before it: "never 403", "not a 500", "instead of 403".
_DENIED = re.compile(
    r"\b(?:never|not|no|instead of|rather than)\s+(?:an?\s+|with\s+)?[`*]*\s*$", re.IGNORECASE
)


def statuses_in(line: str, *, table: bool = False, heading: bool = False) -> list[tuple[int, str]]:
    """Every status a line names: `404`, **404 Not Found**, "404 when ...", "returns 201"."""
    text = plain(line)
    marked = {int(c) for c in re.findall(r"(?:\*\*|`)\s*([1-5]\d\d)\b", line)}
    out = []
    for m in re.finditer(r"(?<![\w.\-/:#{])([1-5]\d\d)(?![\w/%}]|\.\d|-\d)", text):
        code = int(m.group(1))
        if code not in REASONS and not (200 <= code < 300 or 400 <= code < 500):
            continue
        before, after = text[: m.start()], text[m.end() :]
        reason = REASONS.get(code, "~")
        if _DENIED.search(before):
            continue  # "404, never 403": a status the contract rules out, not one it promises
        if code in marked:
            out.append((code, text))
            continue
        if after.lower().lstrip(" -:(").startswith(reason.split()[0]):
            out.append((code, text))
            continue
        if _NOT_STATUS_BEFORE.search(before) or _NOT_STATUS_AFTER.match(after):
            continue
        if (table and code in REASONS and not before.endswith("(")) or heading:
            out.append((code, text))
            continue
        if re.match(r"^\s*(when|if|for|on|unless|\)|,|;|\.|$|/|or\b|and\b)", after, re.I):
            out.append((code, text))
            continue
        if _STATUS_WORDS.search(before[-40:]):
            out.append((code, text))
    return out


_LABEL_WORDS = re.compile(
    r"(request|body|payload|response|responses|returns|success|error|query|path|url|header|"
    r"parameters|params|fields|validation|rules|optional|input|output|example)",
    re.I,
)


def _label(doc: _Doc, start: int, i: int) -> str:
    """The nearest label above line i in its section: a heading, a bold line or a line
    ending with ':' (e.g. **Request Body:**, Query parameters:, #### Response 200)."""
    for j in range(i - 1, start - 1, -1):
        line = doc.lines[j].strip()
        if not line or doc.fenced[j] or _is_table_row(line):
            continue
        if (
            _HEADING.match(line)
            or line.endswith(":")
            or line.endswith(":**")
            or (line.startswith("**") and _LABEL_WORDS.search(line) and len(line) < 80)
        ):
            return plain(line)
        if line.startswith(("-", "*", "+")) or re.match(r"\d+\.", line):
            continue
        if _LABEL_WORDS.search(line) and len(line) < 100:
            return plain(line)
    return ""


def _where(label: str, method: str) -> str | None:
    low = label.lower()
    if "query" in low or "filter" in low:
        return "query"
    if "path" in low or "url param" in low:
        return "path"
    if "header" in low:
        return None
    if re.search(r"response|returns|output|success|error", low):
        return "response"
    if re.search(r"request|body|payload|input|fields|validation|rules|optional|required", low):
        return "body" if method in ("POST", "PUT", "PATCH") else None
    if "param" in low:
        return "query" if method == "GET" else None
    return None


_NAME = r"[A-Za-z_][A-Za-z0-9_.\[\]]*"


def _bullet_name(line: str) -> str | None:
    m = re.match(
        rf"^\s*[-*+]\s+(?:\*\*|`)+({_NAME})(?:`|\*\*)+\s*(?:\*\*)?\s*[:(—–\-]", line
    ) or re.match(rf"^\s*[-*+]\s+({_NAME})\s*(?::|\(|\s[—–-]\s)", line)
    return m.group(1) if m else None


def _read_section(doc: _Doc, start: int, end: int, p: Promise, rel: str) -> None:
    header: list[str] | None = None
    header_where: str | None = None
    for i in range(start, end + 1):
        line = doc.lines[i]
        src = f"{rel}:{i + 1}"
        if doc.fenced[i]:
            m = re.search(r"HTTP/\d(?:\.\d)?\s+([1-5]\d\d)", line)
            if m:
                p.add_status(int(m.group(1)), line, src)
            continue
        heading = bool(_HEADING.match(line))
        table = _is_table_row(line)
        if table and _is_separator(line):
            continue
        if table and header is None:
            header = [plain(c).lower() for c in _cells(line)]
            header_where = _where(_label(doc, start, i), p.method)
            if any(re.search(r"status|code|response|error", h) for h in header):
                pass
            continue
        if not table:
            header = None
        for code, words in statuses_in(
            line,
            table=table
            and header is not None
            and any(re.search(r"status|code|http", h) for h in header),
            heading=heading,
        ):
            p.add_status(code, words, src)
        if table and header is not None:
            _table_param(header, header_where, _cells(line), p, src, line)
            continue
        name = _bullet_name(line)
        if name:
            where = _where(_label(doc, start, i), p.method)
            if where:
                _add_param(p, name, where, src, line)
        for m in re.finditer(r"[?&]([A-Za-z_][\w.\[\]]*)=", line):
            _add_param(p, m.group(1), "query", src, line)
        for m in re.finditer(r"query param(?:eter)?s?\s+`([A-Za-z_][\w.]*)`", line, re.I):
            _add_param(p, m.group(1), "query", src, line)
    for open_i, close_i, info in doc.fences:
        if not (start <= open_i <= end) or info not in ("", "json", "jsonc", "json5", "js"):
            continue
        body = "\n".join(doc.lines[open_i + 1 : close_i])
        value = _json(body)
        if value is None:
            continue
        role, status = _example_role(doc, start, open_i, p)
        p.examples.append(Example(role, status, value, f"{rel}:{open_i + 1}"))
        if status is not None:
            p.add_status(status, _label(doc, start, open_i), f"{rel}:{open_i + 1}")


def _table_param(
    header: list[str], where: str | None, cells: list[str], p: Promise, src: str, line: str
) -> None:
    col = next(
        (
            k
            for k, h in enumerate(header)
            if re.fullmatch(r"(query |path )?(parameter|param|name|field|key|property|column)s?", h)
        ),
        None,
    )
    if col is None or col >= len(cells):
        return
    name = plain(cells[col]).split()[0] if plain(cells[col]) else ""
    if not re.fullmatch(_NAME, name):
        return
    inside = next((k for k, h in enumerate(header) if h in ("in", "location", "where")), None)
    if inside is not None and inside < len(cells):
        loc = plain(cells[inside]).lower()
        where = "query" if "query" in loc else "path" if "path" in loc else "body"
        if loc.startswith("header"):
            return
    if where is None:
        where = "query" if p.method == "GET" else "body" if p.method != "DELETE" else None
    if where:
        _add_param(p, name, where, src, line)


def _add_param(p: Promise, name: str, where: str, src: str, line: str) -> None:
    p.params.append(Param(name, where, src, plain(line)))
    if where == "query":
        p.query.setdefault(name, Param(name, where, src, plain(line)))
    elif where == "body":
        p.body_fields.setdefault(name, src)
    elif where == "response":
        p.response_fields.setdefault(name, src)


_UNIT = r"(?:char|chars|characters|letters)"


def bounds_in(text: str) -> dict[str, Any]:
    """The bounds a parameter line states, in JSON Schema words: "1-100 characters",
    "max 500 characters", "max 10 tags, each max 20 characters", "(max: 100)", "one of: a, b"."""
    low = plain(text).lower()
    out: dict[str, Any] = {}
    m = re.search(rf"(\d+)\s*(?:-|–|to)\s*(\d+)\s*{_UNIT}", low)
    if m:
        out["minLength"], out["maxLength"] = int(m.group(1)), int(m.group(2))
    each = re.search(rf"each[^,;.]*?max(?:imum)?\.?:?\s*(\d+)\s*{_UNIT}", low)
    m = re.search(
        rf"(?:max(?:imum)?\.?(?: length)?:?|limit(?:ed|ing|s)?\s+(?:\w+\s+)?to)\s*(\d+)\s*{_UNIT}",
        low,
    )
    if m and "maxLength" not in out and not (each and each.start() < m.start() < each.end()):
        out["maxLength"] = int(m.group(1))
    m = re.search(rf"min(?:imum)?\.?(?: length)?:?\s*(\d+)\s*{_UNIT}", low)
    if m and "minLength" not in out:
        out["minLength"] = int(m.group(1))
    m = re.search(r"max(?:imum)?\.?:?\s*(\d+)\s*(?:items|tags|entries|elements)", low)
    if m:
        out["maxItems"] = int(m.group(1))
    m = re.search(r"one of:?\s*((?:[\"'`]?[\w-]+[\"'`]?\s*(?:,|\||or|and)?\s*){2,})", plain(text))
    if m:
        words = re.findall(r"[\w-]+", re.sub(r"\b(or|and)\b", " ", m.group(1)))
        if len(words) >= 2:
            out["enum"] = words
    return out


def _json(text: str) -> Any:
    cleaned = re.sub(r"(?m)^\s*//.*$", "", text)
    cleaned = re.sub(r"(?m)(?<=[,\[{\]}\w\"])\s+//[^\"\n]*$", "", cleaned)
    cleaned = re.sub(r"(?m)^\s*\.\.\.\s*,?\s*$", "", cleaned)
    cleaned = re.sub(r",(\s*[}\]])", r"\1", cleaned)
    try:
        value = json.loads(cleaned)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None


def _example_role(doc: _Doc, start: int, i: int, p: Promise) -> tuple[str, int | None]:
    label = _label(doc, start, i).lower()
    near = " ".join(plain(doc.lines[j]) for j in range(max(start, i - 3), i)).lower()
    codes = [c for c, _ in statuses_in(label, heading=True)] or [c for c, _ in statuses_in(near)]
    label_codes = [c for c, _ in statuses_in(label, heading=True)]
    if label_codes:
        return "response", label_codes[-1]
    if re.search(r"(?<!bad )request|body|payload|input", label) and not re.search(
        r"response|returns|success|error", label
    ):
        return "request", None
    if codes:
        return "response", codes[-1]
    if re.search(r"error", label):
        return "response", -1  # an error answer whose status is not named
    # "The answer:", "and you get back (201):", "Same shape": conversational labels too.
    if re.search(
        r"response|returns|success|output|result|answer|\bback\b|same shape", label + " " + near
    ):
        return "response", None
    if p.method in ("POST", "PUT", "PATCH") and not any(e.role == "request" for e in p.examples):
        return "request", None
    return "response", None


def fold(promises: list[Promise]) -> list[Promise]:
    """One promise per endpoint: an endpoints table row and the endpoint's own section merge
    (the section's declaration is kept as the source)."""
    by_key: dict[str, Promise] = {}
    for p in promises:
        have = by_key.get(p.key)
        if have is None:
            by_key[p.key] = p
            continue
        first, other = (
            (p, have)
            if have.lines[0] == have.lines[1] and p.lines[1] > p.lines[0]
            else (
                have,
                p,
            )
        )
        for code, words in other.statuses.items():
            first.add_status(code, words, other.status_sources.get(code, other.source))
        for name, src in other.body_fields.items():
            first.body_fields.setdefault(name, src)
        for name, src in other.response_fields.items():
            first.response_fields.setdefault(name, src)
        for name, prm in other.query.items():
            first.query.setdefault(name, prm)
        first.params += other.params
        first.examples += other.examples
        by_key[p.key] = first
    return list(by_key.values())
