"""The shape of a list answer, read from the contract's literal evidence: the example response
of the list endpoint (which key holds the rows, where the page metadata is and what each item
is called) and the headers its text names (X-Total-Count, Link)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sp_backend.plan.model import DEFAULT_META, STYLE_META, ListResponse
from sp_backend.readers.facts import Endpoint

# Spellings of each metadata item, compared lower-case without '_' and '-'.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "total": ("total", "totalcount", "totalitems", "totalresults", "totalrecords", "totalrows"),
    "count": ("count", "itemcount", "resultcount", "returned"),
    "page": ("page", "currentpage", "pagenumber", "pageno", "pageindex"),
    "page_size": ("pagesize", "perpage", "size", "limit", "pagelimit", "itemsperpage"),
    "limit": ("limit", "pagesize", "perpage", "size", "take"),
    "offset": ("offset", "skip", "start"),
    "total_pages": ("totalpages", "pages", "pagecount", "lastpage", "numpages"),
    "has_next": ("hasnext", "hasmore", "hasnextpage", "more"),
    "has_previous": ("hasprevious", "hasprev", "haspreviouspage", "hasprevpage"),
    "next_cursor": ("nextcursor", "cursor", "next", "nextpagetoken", "endcursor"),
}
_TOTAL_HEADER = re.compile(r"\bX-(?:[A-Za-z]+-)*Total(?:-Count)?\b", re.IGNORECASE)
_LINK_HEADER = re.compile(r"\bLink\b[^\n]{0,80}\brel\s*=|\bLink\s+header\b", re.IGNORECASE)


@dataclass
class Shape:
    response: ListResponse | None  # None: the default shape (nothing in the contract says else)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, source, resolution)
    within: str | None = None  # in_envelope: the key the example holds the page under


def _norm(key: str) -> str:
    return re.sub(r"[_\-\s]", "", key).lower()


# Keys that travel beside a page of rows without being page metadata.
_ENVELOPE_WORDS = ("success", "status", "message", "ok")


def is_page_metadata(key: str) -> bool:
    """A key a list answer carries beside its rows: a page item in any spelling, or a status."""
    word = _norm(key)
    return word in _ENVELOPE_WORDS or any(word in spellings for spellings in _SPELLINGS.values())


def _item(key: str, value: Any, style: str, present: set[str]) -> str | None:
    """The metadata item a key of the example names, for this pagination style."""
    word = _norm(key)
    if word == "count" and not present & {"total", "totalcount", "totalitems", "totalresults"}:
        return "total"  # {"count": 42, "results": [...]}: the count of every row
    for item in STYLE_META[style]:
        if word in _SPELLINGS[item]:
            if item == "next_cursor" and not (value is None or isinstance(value, str)):
                continue
            return item
    return None


_ROWS = ("items", "data", "results", "records", "rows")


def _rows_key(body: dict[str, Any]) -> str | None:
    """The key holding the rows: the one list of objects, or an empty list by a rows name."""
    keys = [k for k, v in body.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    keys += [k for k, v in body.items() if v == [] and _norm(k) in _ROWS]
    if len(keys) == 1:
        return keys[0]
    lists = [k for k, v in body.items() if isinstance(v, list)]
    if not keys and len(lists) == 1 and all(is_page_metadata(k) for k in body if k != lists[0]):
        return lists[0]  # {"conversations": [...], "total": 10}: the rows, elided
    named = [k for k in keys if _norm(k) in _ROWS]
    return named[0] if named else None


def _metadata(
    found: dict[str, Any], style: str, where: str, shape: Shape, skip: set[str]
) -> dict[str, str]:
    present = {_norm(k) for k in found}
    keys: dict[str, str] = {}
    for key, value in found.items():
        if key in skip or (_norm(key) == "success" and isinstance(value, bool)):
            continue  # "success": true is the answer envelope's (plan `responses`), not the page's
        item = _item(key, value, style, present)
        if item is None or item in keys:
            shape.notes.append(
                (
                    f"list answer: {key!r} is not page metadata the plan can serve on a "
                    f"{style}-style page",
                    where,
                    "left out of the answer; serve it from app/extensions/ if it matters",
                )
            )
            continue
        keys[item] = key
    return keys


def derive(ep: Endpoint, style: str) -> Shape:
    """The list answer's shape from the first JSON example of a successful list response."""
    shape = Shape(None)
    examples = [(body, where) for body, where in ep.response_examples if _looks_like_list(body)]
    text = ep.text
    total_header = _TOTAL_HEADER.search(text)
    links = bool(_LINK_HEADER.search(text))
    in_envelope = False
    if not examples:
        wrapped = _wrapped_page(ep)
        if wrapped is None:
            return shape
        examples, in_envelope = [wrapped[:2]], True
    body, where = examples[0]
    data: dict[str, Any] = {}
    if isinstance(body, list):
        data["items"] = None
        data["metadata"] = "headers" if total_header or links else "none"
        if data["metadata"] == "headers":
            keys: dict[str, str] = {}
            if total_header:
                keys["count" if style == "cursor" else "total"] = total_header.group(0)
            if links:
                keys["links"] = "Link"
            data["keys"] = keys
    else:
        rows = _rows_key(body)
        if rows is None:
            return shape
        data["items"] = rows
        nested = [k for k, v in body.items() if isinstance(v, dict) and k != rows]
        if len(nested) == 1 and body[nested[0]] == {}:
            # `"pagination": {...}`: the page's metadata under that key, its items elided.
            data["metadata"] = "nested"
            data["metadata_key"] = nested[0]
        elif len(nested) == 1 and _metadata_like(body[nested[0]], style):
            data["metadata"] = "nested"
            data["metadata_key"] = nested[0]
            data["keys"] = _metadata(body[nested[0]], style, where, shape, set())
            rest = {k: v for k, v in body.items() if k not in (rows, nested[0])}
            _metadata(rest, style, where, shape, set())  # each leftover key noted
        else:
            data["metadata"] = "flat"
            data["keys"] = _metadata(body, style, where, shape, {rows})
            if not data["keys"]:
                data["metadata"] = "none"
                del data["keys"]
    data["source"] = where
    if in_envelope:
        data["in_envelope"] = True
    try:
        response = ListResponse.model_validate(data)
        response.check(style)
    except (ValidationError, ValueError) as exc:
        shape.notes.append(
            (
                f"list answer shape at {where} does not fit a {style}-style page: "
                f"{str(exc).splitlines()[-1]}",
                where,
                'the default {"items": [...], "pagination": {...}}',
            )
        )
        return Shape(None, shape.notes)
    if in_envelope:
        return Shape(response, shape.notes, within=wrapped[2] if wrapped else None)
    if _is_default(response, style):
        return Shape(None, shape.notes)
    return Shape(response, shape.notes)


# Keys an envelope holds its object under (the envelope reader's), where a page may sit.
_DATA_KEYS = ("data", "result")


def _wrapped_page(ep: Endpoint) -> tuple[Any, str, str] | None:
    """The page inside the answer envelope's object ({"status": "success", "data": {"items":
    [...], "total": 3}}): the inner object, where it is shown and its key, or None."""
    for body, where in ep.response_examples:
        if not isinstance(body, dict):
            continue
        inner = [k for k in _DATA_KEYS if isinstance(body.get(k), dict) and _rows_key(body[k])]
        if len(inner) == 1:
            return body[inner[0]], where, inner[0]
    return None


def _looks_like_list(body: Any) -> bool:
    if isinstance(body, list):
        return not body or isinstance(body[0], dict)
    return isinstance(body, dict) and _rows_key(body) is not None


def _metadata_like(value: dict[str, Any], style: str) -> bool:
    present = {_norm(k) for k in value}
    return any(_item(k, v, style, present) for k, v in value.items())


def _is_default(response: ListResponse, style: str) -> bool:
    """The generator's own shape, or part of it: its extra items break no client."""
    names = response.meta_names(style)
    return (
        response.items == "items"
        and response.metadata == "nested"
        and response.metadata_key == "pagination"
        and all(k == v and k in DEFAULT_META[style] for k, v in names.items())
    )
