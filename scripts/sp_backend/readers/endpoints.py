"""Endpoints in a contract, in every layout seen: `## GET /path` headings, `**GET** \\`/path\\``
lines, endpoint tables, `http` blocks and curl examples. Each declared endpoint owns the blocks
after it (until the next endpoint or a heading as high as its own), where its parameters, bodies,
rules and status codes are read."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from sp_backend.readers.facts import (
    CTX_EXAMPLE,
    CTX_RULES,
    CTX_TABLE,
    Endpoint,
    FieldFact,
    Param,
)
from sp_backend.readers.fields import (
    field_from_bullet,
    fields_from_json,
    fields_from_table,
    is_field_table,
)
from sp_backend.readers.json_example import loads_example
from sp_backend.readers.markdown import Block, Doc, plain
from sp_backend.readers.phrases import param_default
from sp_backend.readers.tsbody import looks_like_ts, ts_fields, ts_skeleton

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_M = r"(GET|POST|PUT|PATCH|DELETE)"
_PATH = r"(?:https?://[^/\s`\"'<>]+)?(/[^\s`\"'<>)|,]*)"
# A declaration: the method, then (after emphasis/ticks/colons) a path; it may be numbered
# ("3.", "2)", "2.1", "4.2.3").
_DECL = re.compile(
    rf"^(?:\d+(?:\.\d+)*[.)]?\s+|\d+[.)])?[*_`]*{_M}[*_`]*\s*[:\-–]?\s*[*_`]*\s*{_PATH}"
)
_LABELLED = re.compile(
    rf"(?:endpoint|route|url)\s*[:*]*\s*[*_`]*{_M}\s+[*_`]*{_PATH}", re.IGNORECASE
)
_FENCE_LINE = re.compile(rf"(?:^|[\s>→])({'|'.join(METHODS)})\s+{_PATH}")
_CURL = re.compile(r"\bcurl\b")
_CURL_URL = re.compile(r"[\"']?https?://[^/\s\"']+(/[^\s\"'?]*)")
_CURL_X = re.compile(r"(?:-X|--request)\s*[\"']?([A-Z]+)")
_STATUS_AFTER = re.compile(
    r"\b([2-5]\d\d)\b(?=\s*(?:OK|Created|No Content|Accepted|Bad Request|Unauthori[sz]ed|"
    r"Forbidden|Not Found|Conflict|Unprocessable|Internal|Server Error|Too Many|[:)\]|/,]|\*\*|$))",
    re.MULTILINE | re.IGNORECASE,
)
_STATUS_BEFORE = re.compile(
    r"\b(?:response|status|returns?|error|http|answers?|responds?|replies)\b[^\n\d]{0,16}"
    r"([2-5]\d\d)\b",
    re.IGNORECASE,
)
_CONCRETE = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9a-f]{24,})$", re.IGNORECASE)


def clean_path(raw: str) -> tuple[str, bool] | None:
    """Normalise a path; return it and whether it was concrete (an example with real ids)."""
    path = raw.split("?")[0].split("#")[0].rstrip(".:;,*`'\")")
    path = path.rstrip("/") or "/"
    if not re.search(r"[A-Za-z]", path) or not path.startswith("/"):
        return None
    if re.search(r"[^A-Za-z0-9_./{}:-]", path):
        return None
    concrete = False
    segments = []
    for seg in path.split("/")[1:]:
        if _CONCRETE.match(seg):
            seg, concrete = "{id}", True
        elif seg.startswith(":") and len(seg) > 1:  # Express style /tasks/:id
            seg = "{" + seg[1:] + "}"
        segments.append(seg)
    return "/" + "/".join(segments), concrete


# "**Register a plot** — `POST /api/plots` ...": a short emphasized title, a separator, then
# the declaration.
_TITLED = re.compile(r"^\s*(\*\*|__|\*|_)[^*_\n]{1,60}?\1\s*[—–:\-]+\s*")


def _decl(text: str) -> tuple[str, str] | None:
    first = plain(text.splitlines()[0]) if text else ""
    raw_first = text.splitlines()[0] if text else ""
    titled = _TITLED.match(raw_first)
    untitled = [raw_first[titled.end() :]] if titled else []
    for candidate in (raw_first, first, *untitled):
        m = _DECL.match(candidate.strip()) or _LABELLED.search(candidate)
        if m:
            return m.group(1).upper(), m.group(2)
    return None


# Where a declaring paragraph goes on to say more: a sentence or line that starts with a label
# ("Query: ...", "Body:", "Answers 200:").
_PART = re.compile(r"(?:(?<=[.;!])[ \t]+|\n)(?=[A-Z][A-Za-z ]{0,30}(?: \d{3})?:)")


def _labelled_parts(block: Block) -> list[Block]:
    """The rest of a paragraph that declares an endpoint, as the paragraphs it reads as: the
    lines after the declaration, split where a label starts a sentence or a line."""
    parts = _PART.split(block.text)
    head, _, after = parts[0].partition("\n")
    found = [Block("paragraph", block.line + 1, after)] if after else []
    offset = len(parts[0]) + 1
    for part in parts[1:]:
        line = block.line + block.text.count("\n", 0, block.text.find(part, offset - 1))
        found.append(Block("paragraph", line, part.strip()))
        offset += len(part) + 1
    return found


def _split_labelled(blocks: list[Block]) -> list[Block]:
    """Paragraphs that go on to a new label mid-way ("Body `{...}`. Answers 200:") read as one
    paragraph per label, so what follows belongs to the last one."""
    out: list[Block] = []
    for block in blocks:
        parts = _PART.split(block.text) if block.kind == "paragraph" else []
        if len(parts) < 2:
            out.append(block)
            continue
        offset = 0
        for part in parts:
            start = block.text.find(part, offset)
            out.append(Block("paragraph", block.line + block.text.count("\n", 0, start), part))
            offset = start + len(part)
    return out


def is_declaration(block: Block) -> bool:
    """A heading or paragraph that declares an endpoint (`## GET /path`, `**GET** `/path``,
    'List parameters (GET /api/items)' as a heading)."""
    if block.kind not in ("heading", "paragraph"):
        return False
    decl = _decl(block.text)
    if decl is None and block.kind == "heading":
        named = re.search(rf"\b{_M}\s+[*_`]*{_PATH}", plain(block.text))
        decl = (named.group(1), named.group(2)) if named else None
    return decl is not None and clean_path(decl[1]) is not None


def endpoint_label(text: str) -> str:
    """The label a paragraph or heading sets for what follows (see _label)."""
    return _label(text)


def _label(text: str) -> str:
    """The label a paragraph sets for what follows ('query parameters', 'request body', ...)."""
    first = plain(text.splitlines()[0]).lower() if text else ""
    head = first.split(":", 1)[0]
    if ":" in first and len(head) <= 40:
        first = head  # "query parameters: `limit` (default: 20), ...": the words before ':'
    elif len(first) > 60 and not first.rstrip().endswith(":"):
        return ""
    # Conversational labels: "and you get back (201):", "Same shape:", "The desk sends:".
    if re.search(r"\b(?:gets?|got|comes?|sends?)\b[^.]*\bback\b|\bsame shape\b", first):
        return "response"
    if re.search(r"\b(?:you|client|caller|desk|app)\s+sends?\b", first):
        return "body"
    for key, words in (
        # "path param" first: "Path Parameters" also contains the query label's "parameters"
        ("path", ("path param",)),
        ("query", ("query param", "query string", "parameters", "params", "filters", "query")),
        ("rules", ("validation", "rules", "fields are optional", "constraints", "fields")),
        ("body", ("request body", "request", "body", "input", "payload")),
        ("error", ("error",)),
        ("response", ("response", "returns", "output", "success", "answer")),
        ("headers", ("header",)),
        ("example", ("example",)),
    ):
        if any(w in first for w in words):
            return key
    return ""


def _statuses(ep: Endpoint, text: str) -> None:
    for regex in (_STATUS_AFTER, _STATUS_BEFORE):
        for m in regex.finditer(text):
            code = int(m.group(1))
            line = text[
                max(0, text.rfind("\n", 0, m.start()) + 1) : text.find("\n", m.end())
                if text.find("\n", m.end()) >= 0
                else len(text)
            ]
            ep.statuses.setdefault(code, plain(line)[:200])


def _params_from_table(doc: Doc, block: Block, ep: Endpoint, location: str) -> None:
    header = [plain(h).lower() for h in block.header]
    loc_i = next((i for i, h in enumerate(header) if h in ("location", "in", "where")), None)
    type_i = next((i for i, h in enumerate(header) if h.startswith("type")), None)
    def_i = next((i for i, h in enumerate(header) if h.startswith("default")), None)
    desc_i = [
        i for i, h in enumerate(header) if h.startswith(("desc", "notes", "constraint", "meaning"))
    ]
    for row in block.rows:
        cells = list(row.cells) + [""] * len(header)
        name = plain(cells[0]).split(" ")[0]
        if not re.match(r"^[A-Za-z_][\w-]*$", name):
            continue
        where = plain(cells[loc_i]).lower() if loc_i is not None else location
        ep.params.append(
            Param(
                name,
                where or location,
                doc.at(row.line),
                plain(cells[type_i]) if type_i is not None else None,
                plain(cells[def_i]) if def_i is not None else None,
                " ".join(cells[i] for i in desc_i),
            )
        )


# `name`: what it does / `name` (optional, integer) - what it does
_PARAM_BULLET = re.compile(
    r"^\s*`?([A-Za-z_][\w-]*)`?\s*(?:\([^)]{0,40}\))?\s*[:\-–]\s*(.*)$", re.DOTALL
)


def _param_from_item(doc: Doc, block: Block, ep: Endpoint, location: str) -> None:
    m = _PARAM_BULLET.match(plain(block.text.splitlines()[0]) if block.text else "")
    if m:
        desc = m.group(2)
        ep.params.append(
            Param(
                m.group(1),
                location,
                doc.at(block.line),
                None,
                param_default(desc),
                block.text,
            )
        )


def _params_inline(doc: Doc, block: Block, ep: Endpoint) -> None:
    """'**Query Parameters**: `limit` (default: 20, max: 50), `offset` (default: 0)': the
    parameters a label paragraph lists after its colon, each backticked name with its note,
    up to the end of that sentence (a next one may name answer keys in backticks)."""
    text = _first_sentence(block.text.split(":", 1)[1]) if ":" in block.text else ""
    for m in re.finditer(r"`([A-Za-z_][\w-]*)`\s*(\([^)]*\))?", text):
        note = (m.group(2) or "").strip("()")
        ep.params.append(
            Param(m.group(1), "query", doc.at(block.line), None, param_default(note), note)
        )


def _params_from_query(raw: str, ep: Endpoint) -> None:
    """`GET /plots?soil=loam&page=2`: the query string of a declared example is the endpoint's
    query parameters, each with its example value."""
    _, _, query = raw.partition("?")
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        if re.fullmatch(r"[A-Za-z_][\w-]*", name) and all(p.name != name for p in ep.params):
            shown = f"e.g. {value}" if value and "{" not in value else ""
            ep.params.append(Param(name, "query", ep.source, None, None, shown))


def _first_sentence(text: str) -> str:
    """The text up to its first full stop outside parentheses and code spans."""
    depth, code = 0, False
    for i, char in enumerate(text):
        if char == "`":
            code = not code
        elif code:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ".!?" and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            return text[:i]
    return text


# `{"records": [...], "count": 12}` written inline in a sentence about the answer or the body.
_INLINE_JSON = re.compile(r"`(\s*[\[{][^`]*[\]}]\s*)`")
_ANSWER_WORDS = re.compile(
    r"\b(answers?|answered|returns?|returned|responds?|response|repl(?:y|ies)|gives)\b"
    r"|(?:→|->|=>)\s*[`*]*2\d\d\b",  # "→ `200`": the arrow notation of an answer
    re.I,
)
_BODY_WORDS = re.compile(r"\b(body|sends?|sent|accepts?|payload|request|posts?)\b", re.I)
_FAILURE_STATUS = re.compile(r"\b[45]\d\d\b")
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def _inline_json(doc: Doc, block: Block, ep: Endpoint) -> None:
    """JSON in a code span of a sentence: the answer's example when the sentence says the
    endpoint answers or returns it (with no failure status), the body's when it speaks of a
    body or what is sent."""
    for m in _INLINE_JSON.finditer(block.text):
        literal = m.group(1).strip()
        if not _is_json(literal):
            # `{ "items": Plot[], "total": number }`: the shape in types, as a skeleton example.
            skeleton = ts_skeleton(literal)
            literal = json.dumps(skeleton) if skeleton else literal
        if not _is_json(literal) or _is_error_json(literal):
            continue
        ends = [e.end() for e in _SENTENCE_END.finditer(block.text, 0, m.start())]
        sentence = block.text[ends[-1] if ends else 0 : m.start()]
        if _FAILURE_STATUS.search(sentence):
            continue
        line = block.line + block.text.count("\n", 0, m.start())
        if (loads_example(literal), doc.at(line)) in ep.response_examples:
            continue  # read already (from the declaring paragraph)
        if _ANSWER_WORDS.search(sentence):
            _body_json(doc, literal, line, ep, "response")
        elif _BODY_WORDS.search(sentence):
            _body_json(doc, literal, line, ep, "body")


def _body_json(doc: Doc, text: str, line: int, ep: Endpoint, target: str) -> None:
    facts = fields_from_json(doc, text, line, ep.rank, CTX_EXAMPLE)
    if target == "body":
        for f in facts:
            f.put("in_input", True)
        ep.body.extend(facts)
    else:
        ep.response.extend(facts)
        try:
            ep.response_examples.append((loads_example(text), doc.at(line)))
        except ValueError:
            pass  # pseudo-JSON ("title": string): fields, but no literal shape


def _body_ts(doc: Doc, text: str, line: int, ep: Endpoint, target: str) -> None:
    """A TypeScript-ish body (`{ name: string; count?: number }`)."""
    facts = ts_fields(doc, text, line, ep.rank, CTX_EXAMPLE, body=target == "body")
    if target == "body":
        for f in facts:
            f.put("in_input", True)
        ep.body.extend(facts)
    else:
        ep.response.extend(facts)
        if text.lstrip().startswith("["):
            # `[{ id, title }]`: a bare array of rows (the list answer's shape)
            ep.response_examples.append(([{f.name: None for f in facts}], doc.at(line)))


# 'Request Body: { title: string }', '- Body: [{ id, title }]', 'Returns: { ... }'
_INLINE_OBJECT = re.compile(r"^\s*([^{:\n]{1,40}):\s*(\[?\s*\{.*)$", re.DOTALL)


def _inline_object(block: Block, ep: Endpoint, answered: bool) -> tuple[str, str] | None:
    """(target, object text) when a paragraph or item states a body after a label; a bare
    'Body' is the request's unless the endpoint reads (GET) or a response was named before."""
    m = _INLINE_OBJECT.match(block.text)
    if not m or not (looks_like_ts(m.group(2)) or _json_prefix(m.group(2)) is not None):
        return None
    head = m.group(1).lower()
    if re.search(r"\b(request|input|payload|send|accepts?)\b", head):
        return "body", m.group(2)
    if re.search(r"\b(response|returns?|output|result|reply)\b", head):
        return "response", m.group(2)
    if re.search(r"\bbody\b", head):
        return ("response" if answered or ep.method in ("GET", "DELETE") else "body"), m.group(2)
    return None


def _json_prefix(text: str) -> str | None:
    """The JSON object or array a text starts with (what follows it is prose), or None."""
    try:
        value, end = json.JSONDecoder().raw_decode(text.lstrip())
    except ValueError:
        return None
    return text.lstrip()[:end] if isinstance(value, dict | list) else None


def _is_error_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return bool(re.match(r"^\s*\{\s*\"(error|detail)\"", text))
    return isinstance(data, dict) and (
        "error" in data or "detail" in data or data.get("status") == "error"
    )


def _is_json(text: str) -> bool:
    try:
        loads_example(text)
    except ValueError:
        return False
    return True


def _is_error_text(text: str) -> bool:
    """'Errors: JSON error object { error: string }': the error envelope, not a body."""
    return bool(re.match(r"^\s*(?:errors?|error response|failure)\b", text, re.IGNORECASE))


def _declaration_label(opening: str) -> str:
    """The label a declaring paragraph sets when it introduces what follows ("`GET /berths`
    answers 200 OK with the berths:"), from its words after the path; "" otherwise."""
    text = " ".join(plain(line) for line in opening.splitlines()).strip()
    m = _DECL.match(text)
    rest = text[m.end() :].strip() if m else ""
    if not rest.endswith(":"):
        return ""
    return _label(rest)


def _read_section(
    doc: Doc, ep: Endpoint, blocks: list[Block], opening: str = "", opening_line: int = 0
) -> None:
    """An endpoint's section: the blocks after its declaration (`opening`, the declaring
    paragraph, when it is one) up to the next."""
    label = _label(ep.title) if not _DECL.match(ep.title) else _declaration_label(opening)
    texts: list[str] = [ep.title]
    if opening:
        # "`GET /plots` → `200` `{ "items": Plot[] }`": an answer shown in the declaration.
        _inline_json(doc, Block("paragraph", opening_line, opening), ep)
    answered = False  # a response was named: a later bare 'Body' is the response's
    first = True  # nothing read yet: a bare JSON block right after `POST /path` is its body
    for block in _split_labelled(blocks):
        if first and not label and block.kind == "fence" and ep.method in ("POST", "PUT", "PATCH"):
            label = "body" if _is_json(block.text) and not _is_error_json(block.text) else label
        first = False
        if block.kind in ("paragraph", "item") and not _is_error_text(block.text):
            inline = _inline_object(block, ep, answered)
            if inline is not None:
                texts.append(block.text)
                if (literal := _json_prefix(inline[1])) is not None:
                    # 'Response: { "message": "Deleted" }': a literal answer, kept as an example.
                    _body_json(doc, literal, block.line, ep, inline[0])
                else:
                    _body_ts(doc, inline[1], block.line, ep, inline[0])
                continue
            if re.match(r"^\s*(?:response|returns?)\b", block.text, re.IGNORECASE):
                answered = True
            _inline_json(doc, block, ep)
        if block.kind in ("paragraph", "heading"):
            texts.append(block.text)
            new = _label(block.text)
            if new:
                label = new
            body = block.text.split("\n", 1)
            if (
                len(body) == 2
                and body[1].lstrip().startswith("{")
                and label in ("body", "response")
            ):
                target = "body" if label == "body" else "response"
                _body_json(doc, body[1], block.line + 1, ep, target)
            elif block.kind == "paragraph" and new == "query":
                _params_inline(doc, block, ep)
            elif block.kind == "paragraph" and not ep.description and not new:
                ep.description = plain(block.text)
        elif block.kind == "item":
            texts.append(block.text)
            if label in ("query",) and block.level <= 1:
                _param_from_item(doc, block, ep, "query")
            elif label in ("rules", "body", "response") or label == "":
                fact = field_from_bullet(
                    doc, block, ep.rank, CTX_RULES, need_ticks=label not in ("rules", "body")
                )
                if fact is not None:
                    if label != "response":
                        fact.put("in_input", True)
                    (ep.response if label == "response" else ep.body).append(fact)
        elif block.kind == "table":
            header = " ".join(plain(h).lower() for h in block.header)
            # A column saying where each parameter goes ("Location", or "In" as OpenAPI has it).
            located = "location" in header or "in" in [plain(h).lower() for h in block.header]
            if label == "query" or located or label == "path":
                _params_from_table(doc, block, ep, "query" if label != "path" else "path")
                if located:
                    continue
            elif is_field_table(block):
                facts = fields_from_table(doc, block, ep.rank, CTX_TABLE)
                for f in facts:
                    if label != "response":
                        f.put("in_input", True)
                (ep.response if label == "response" else ep.body).extend(facts)
        elif block.kind == "fence":
            content = block.text
            texts.append(content if block.info in ("", "text", "http") else "")
            ts = block.info in ("ts", "typescript") or (
                not _is_json(content) and looks_like_ts(content)
            )
            if ts and label in ("body", "rules", "response", "") and not _is_error_text(content):
                target = "response" if label == "response" else "body"
                _body_ts(doc, content, block.line, ep, target)
            elif content.lstrip().startswith(("{", "[")) and not _is_error_json(content):
                if label == "body" or (label == "rules"):
                    _body_json(doc, content, block.line, ep, "body")
                elif label == "response":
                    _body_json(doc, content, block.line, ep, "response")
    ep.text = "\n".join(texts)
    _statuses(ep, ep.text)


def _from_table(doc: Doc, block: Block, rank: int) -> list[Endpoint]:
    header = [plain(h).lower() for h in block.header]
    m_i = next((i for i, h in enumerate(header) if h in ("method", "verb", "http method")), None)
    p_i = next(
        (i for i, h in enumerate(header) if h in ("path", "endpoint", "url", "route", "uri")), None
    )
    out: list[Endpoint] = []
    for row in block.rows:
        cells = list(row.cells) + [""] * len(header)
        method = path = None
        if m_i is not None and p_i is not None:
            method = plain(cells[m_i]).upper()
            path = plain(cells[p_i])
        else:
            for cell in cells:
                m = re.match(rf"^{_M}\s+{_PATH}", plain(cell))
                if m:
                    method, path = m.group(1), m.group(2)
                    break
        if method not in METHODS or not path:
            continue
        cleaned = clean_path(path)
        if cleaned is None:
            continue
        ep = Endpoint(method, cleaned[0], doc.at(row.line), rank, doc.rel, example=cleaned[1])
        ep.title = " ".join(plain(c) for i, c in enumerate(cells) if i not in (m_i, p_i))
        ep.text = ep.title
        for i, h in enumerate(header):
            if "status" in h or "code" in h:
                for code in re.findall(r"\b([2-5]\d\d)\b", cells[i]):
                    ep.statuses.setdefault(int(code), plain(cells[i]))
        out.append(ep)
    return out


def _from_fence(doc: Doc, block: Block, rank: int) -> list[Endpoint]:
    out: list[Endpoint] = []
    lines = block.text.splitlines()
    # A fence listing routes, one a line (`GET    /products/search   # Search products`): its
    # routes are declarations, not examples to fold into a template (/products/{id}).
    listing = sum(1 for line in lines if re.match(rf"^\s*{_M}\s+/", line)) >= 2
    for i, line in enumerate(lines):
        curl = bool(_CURL.search(line))
        if curl:
            joined = line
            j = i
            while joined.rstrip().endswith("\\") and j + 1 < len(lines):
                j += 1
                joined += " " + lines[j]
            url = _CURL_URL.search(joined)
            if not url:
                continue
            x = _CURL_X.search(joined)
            method = (
                x.group(1) if x else ("POST" if re.search(r"\s(-d|--data)\b", joined) else "GET")
            )
            found = [(method, url.group(1))]
        else:
            found = [(m.group(1), m.group(2)) for m in _FENCE_LINE.finditer(line)]
        for method, raw in found:
            cleaned = clean_path(raw)
            if cleaned and method in METHODS:
                example = curl or cleaned[1] or not listing
                out.append(
                    Endpoint(
                        method, cleaned[0], doc.at(block.line + i), rank, doc.rel, example=example
                    )
                )
    return out


_ROUTE_LINE = re.compile(rf"^\s*[*_`]*{_M}[*_`]*\s+[*_`]*/")


def _route_lines_split(blocks: list[Block]) -> list[Block]:
    """A paragraph of several `METHOD /path` lines (one route a line, no blank line between)
    is one declaration a line: each line opens its own endpoint."""
    out: list[Block] = []
    for block in blocks:
        lines = block.text.splitlines()
        starts = [i for i, line in enumerate(lines) if _ROUTE_LINE.match(line)]
        if block.kind == "item":
            # a route line run into a list item (no blank line after the list)
            starts = [i for i in starts if i > 0]
            if not starts:
                out.append(block)
                continue
            out.append(replace(block, text="\n".join(lines[: starts[0]])))
        elif block.kind != "paragraph" or len(starts) < 2:
            out.append(block)
            continue
        elif starts[0] != 0:
            out.append(Block("paragraph", block.line, "\n".join(lines[: starts[0]])))
        for a, b in zip(starts, [*starts[1:], len(lines)], strict=True):
            out.append(Block("paragraph", block.line + a, "\n".join(lines[a:b])))
    return out


def find_endpoints(doc: Doc, rank: int) -> list[Endpoint]:
    """Every endpoint in one contract file, with its section read; duplicates not yet folded."""
    found: list[Endpoint] = []
    heading_level = 0
    # The endpoint, the heading level that bounds it, its declaring paragraph's text and line.
    current: tuple[Endpoint, int, str, int] | None = None
    owned: list[Block] = []

    def close() -> None:
        nonlocal current, owned
        if current is not None:
            _read_section(doc, current[0], owned, current[2], current[3])
        current, owned = None, []

    for block in _route_lines_split(doc.blocks):
        decl = _decl(block.text) if block.kind in ("heading", "paragraph") else None
        if decl is None and block.kind == "heading":
            # 'List parameters (GET /api/items)': a heading that names an endpoint anywhere
            named = re.search(rf"\b{_M}\s+[*_`]*{_PATH}", plain(block.text))
            decl = (named.group(1), named.group(2)) if named else None
        if block.kind == "heading":
            if current is not None and block.level <= current[1]:
                close()
            heading_level = block.level
        if decl:
            cleaned = clean_path(decl[1])
            if cleaned:
                close()
                ep = Endpoint(
                    decl[0],
                    cleaned[0],
                    doc.at(block.line),
                    rank,
                    doc.rel,
                    example=cleaned[1],
                    title=plain(block.text.splitlines()[0]),
                )
                _params_from_query(decl[1], ep)
                bound = block.level if block.kind == "heading" else heading_level
                current = (ep, bound, block.text if block.kind == "paragraph" else "", block.line)
                found.append(ep)
                if block.kind == "paragraph":
                    owned.extend(_labelled_parts(block))
                continue
        if block.kind == "table":
            from_table = _from_table(doc, block, rank)
            if from_table:
                found.extend(from_table)
                continue
        if block.kind == "fence":
            found.extend(_from_fence(doc, block, rank))
        if block.kind == "item":
            m = re.search(rf"{_M}\s+{_PATH}", plain(block.text.splitlines()[0]))
            if m:
                cleaned = clean_path(m.group(2))
                if cleaned:
                    found.append(
                        Endpoint(
                            m.group(1), cleaned[0], doc.at(block.line), rank, doc.rel, example=True
                        )
                    )
        if current is not None:
            owned.append(block)
    close()
    return found


def _matches(example: str, template: str) -> bool:
    a, b = example.split("/"), template.split("/")
    if len(a) != len(b) or "{" not in template:
        return False
    return all(
        x == y
        or (y.startswith("{") and y != "{user_id}")
        or (y == "{user_id}" and x in ("{user_id}", "{id}"))
        for x, y in zip(a, b, strict=False)
    )


def fold(endpoints: list[Endpoint]) -> list[Endpoint]:
    """One endpoint per method + path: declarations first; examples (curl, http blocks, concrete
    ids) fold into the template they instantiate."""
    by_key: dict[str, Endpoint] = {}
    ordered = sorted(endpoints, key=lambda e: e.example)  # declarations before examples
    for ep in ordered:
        existing = by_key.get(ep.key)
        if existing is not None:
            if existing.file == ep.file:
                _absorb(existing, ep)
            continue
        if ep.example:
            template = next(
                (t for t in by_key.values() if t.method == ep.method and _matches(ep.path, t.path)),
                None,
            )
            if template is not None:
                continue
        by_key[ep.key] = ep
    files = list(dict.fromkeys(e.file for e in endpoints))  # the caller's order: contract first
    return sorted(by_key.values(), key=lambda e: (files.index(e.file), _line(e.source)))


def _line(source: str) -> int:
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _absorb(into: Endpoint, other: Endpoint) -> None:
    """A second description of the same endpoint (table row + detail section): merge facts."""
    for code, text in other.statuses.items():
        into.statuses.setdefault(code, text)
    into.params.extend(other.params)
    into.body.extend(other.body)
    into.response.extend(other.response)
    into.response_examples.extend(other.response_examples)
    into.text += "\n" + other.text
    if not into.description:
        into.description = other.description


def body_facts(endpoints: list[Endpoint]) -> list[FieldFact]:
    return [f for ep in endpoints for f in ep.body]


__all__ = [
    "METHODS",
    "body_facts",
    "clean_path",
    "endpoint_label",
    "find_endpoints",
    "fold",
    "is_declaration",
]
