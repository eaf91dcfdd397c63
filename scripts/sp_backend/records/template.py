"""Fill `{{NAME}}` placeholders in a PHR template, YAML-aware in the front matter.

Project templates are written for people and agents, so values are placed by position: a list
placeholder alone on a line becomes block items (or `key: []` when empty), one inside `[...]` or
after a key becomes a flow list, and scalars are quoted only when plain YAML would misread them.
Substitution is one pass, so a prompt that itself contains `{{TITLE}}` is kept verbatim.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from sp_backend.records.common import yaml_scalar


class Raw(str):
    """A front matter value written exactly as given (`id: 0001`, as Spec-Kit Plus records
    carry it), never quoted."""


Value = str | int | date | list[str] | None

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")
_BRACKETED = re.compile(r"\[\s*\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}\s*\]")
_ALONE = re.compile(r"([ \t]*)\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}[ \t]*")
# Left in the text when nothing is known: YAML null in front matter, this in the body.
BODY_UNKNOWN = "n/a"
# What an empty file or test list reads as, the way Spec-Kit Plus's PHR command fills it.
EMPTY_ITEM = "none"


@dataclass
class Rendered:
    text: str
    unknown: list[str] = field(default_factory=list)  # placeholders the caller had no value for


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, rest) of a document opening with a `---` fenced block, else None."""
    if not text.startswith("---"):
        return None
    match = re.match(r"---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|$)", text, re.DOTALL)
    if match is None:
        return None
    return match.group(1) or "", text[match.end() :]


def render(template: str, values: dict[str, Value]) -> Rendered | None:
    """The template with every placeholder filled; None when it has no front matter."""
    parts = split_front_matter(template)
    if parts is None:
        return None
    front, body = parts
    unknown: list[str] = []
    filled_front = _fill_front(front, values, unknown)
    filled_body = PLACEHOLDER.sub(lambda m: _body_value(m.group(1), values, unknown), body)
    return Rendered(f"---\n{filled_front}---\n{filled_body}", sorted(set(unknown)))


def _fill_front(front: str, values: dict[str, Value], unknown: list[str]) -> str:
    out: list[str] = []
    for line in front.splitlines():
        alone = _ALONE.fullmatch(line)
        if alone and isinstance(values.get(alone.group(2)), list):
            items: list[str] = values[alone.group(2)]  # type: ignore[assignment]
            # Spec-Kit Plus fills an empty list as one ` - none` item; so do we.
            for item in items or [EMPTY_ITEM]:
                out.append(f"{alone.group(1)} - {yaml_scalar(item)}")
            continue
        line = _BRACKETED.sub(lambda m: _flow_list(m.group(1), values, unknown), line)
        out.append(PLACEHOLDER.sub(lambda m: _front_value(m.group(1), values, unknown), line))
    return "".join(f"{line}\n" for line in out)


def _flow_list(name: str, values: dict[str, Value], unknown: list[str]) -> str:
    value = values.get(name)
    if name not in values:
        unknown.append(name)
    items = value if isinstance(value, list) else ([] if value is None else [str(value)])
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def _front_value(name: str, values: dict[str, Value], unknown: list[str]) -> str:
    if name not in values:
        unknown.append(name)
        return "null"
    value = values[name]
    if value is None:
        return "null"
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, list):
        return _flow_list(name, values, unknown)
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return yaml_scalar(value)


def _body_value(name: str, values: dict[str, Value], unknown: list[str]) -> str:
    if name not in values:
        unknown.append(name)
        return BODY_UNKNOWN
    value = values[name]
    if value is None:
        return BODY_UNKNOWN
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_front_matter(text: str) -> dict[str, Any] | None:
    """The YAML front matter of a rendered record as a mapping, or None if absent/invalid."""
    parts = split_front_matter(text)
    if parts is None:
        return None
    try:
        data = yaml.safe_load(parts[0])
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None
