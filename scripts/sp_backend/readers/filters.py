"""List filters a contract's query parameters state beyond equality: bounds on a field
(`price_min`, `min_rating`, `spent_before`, a lone `from`/`to` on the one date field) and
several values for one field (`status=open,closed`, `?tag=a&tag=b`).

Each reading returns what to plan or why it cannot be planned; build.py files the latter under
`unresolved` with the parameter's source, so nothing the contract says is dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sp_backend.plan.model import FILTER_TYPES, FieldSpec, RangeFilter
from sp_backend.readers.facts import Param

# Bounding parameter-name forms: (pattern over the snake_case name, the bound it sets). `f` is
# the field the name bounds, as written (a stem: `spent` in spent_before may mean spent_on).
BOUND_FORMS: tuple[tuple[str, str], ...] = (
    (r"min_(?P<f>\w+)", "ge"),
    (r"max_(?P<f>\w+)", "le"),
    (r"(?P<f>\w+)_min", "ge"),
    (r"(?P<f>\w+)_max", "le"),
    (r"(?P<f>\w+)_gte", "ge"),
    (r"(?P<f>\w+)_lte", "le"),
    (r"(?P<f>\w+)_gt", "gt"),
    (r"(?P<f>\w+)_lt", "lt"),
    (r"(?P<f>\w+)_from", "ge"),
    (r"(?P<f>\w+)_to", "le"),
    (r"(?P<f>\w+)_since", "ge"),
    (r"(?P<f>\w+)_until", "le"),
    (r"(?P<f>\w+)_after", "gt"),
    (r"(?P<f>\w+)_before", "lt"),
    (r"from_(?P<f>\w+)", "ge"),
    (r"to_(?P<f>\w+)", "le"),
)
# Names that bound "the" date of a row when it has exactly one date or datetime field.
LONE_BOUNDS = {"from": "ge", "to": "le", "since": "ge", "until": "le"}
# A stem names the field itself or the field with one of these endings (created -> created_at).
_STEM_ENDINGS = ("", "_at", "_on", "_date", "_time", "_day")
# Wording that flips a bound's strictness: `before (inclusive)`, `from ... exclusive`.
_INCLUSIVE = re.compile(r"\binclusive\b|\bor equal\b|\bon or (?:before|after)\b", re.IGNORECASE)
_EXCLUSIVE = re.compile(r"\bexclusive\b|\bstrictly\b", re.IGNORECASE)
_LOOSE = {"gt": "ge", "lt": "le"}
_STRICT = {"ge": "gt", "le": "lt"}

# Wording or types that say a parameter takes several values.
_SEVERAL = re.compile(
    r"comma[- ]?separated|comma[- ]?delimited|one or more of|any of|several values|"
    r"multiple values|more than one value|(?:can|may) be repeated|repeat(?:ed)? (?:the )?param|"
    r"repeat (?:it|the key)|list of values",
    re.IGNORECASE,
)
_REPEATED = re.compile(r"repeat|\?(\w+)=[^&\s]+&\1=", re.IGNORECASE)
_COMMAS = re.compile(r"comma", re.IGNORECASE)
_SEVERAL_TYPES = re.compile(r"^\s*(?:array|list|.*\[\]|array<.*>|list\[.*\])\s*$", re.IGNORECASE)


@dataclass
class Reading:
    """One query parameter read as a filter: `range` or `any_of` to plan, or a `problem`."""

    range: RangeFilter | None = None
    any_of: str | None = None
    problem: str | None = None
    note: str | None = None  # planned, but not quite as the contract says


def snake(name: str) -> str:
    """minPrice -> min_price, price-max -> price_max."""
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def several_values(p: Param) -> bool:
    return bool(_SEVERAL.search(p.description) or (p.type and _SEVERAL_TYPES.match(p.type)))


def read_any_of(p: Param, fields: dict[str, FieldSpec]) -> Reading | None:
    """A parameter named like a field (or its plural) that the contract says takes several
    values; None when it does not say so."""
    if not several_values(p):
        return None
    name = snake(p.name)
    candidates = [name, *_singulars(name)]
    field = next((c for c in candidates if c in fields), None)
    if field is None:
        return None
    if field != p.name and snake(field) != p.name:
        return Reading(
            problem=f"takes several values of {field!r} but is not named like it (any_of "
            f"parameters are named like their field)"
        )
    if fields[field].type not in FILTER_TYPES["any_of"]:
        return Reading(
            problem=f"takes several values of {field!r}, a {fields[field].type} field; "
            f"any_of filters accept {', '.join(sorted(FILTER_TYPES['any_of']))}"
        )
    if _REPEATED.search(p.description) and not _COMMAS.search(p.description):
        return Reading(
            any_of=field,
            note="is repeated for several values; the backend reads them comma-separated in "
            f"one parameter ({field}=a,b)",
        )
    return Reading(any_of=field)


def read_range(p: Param, fields: dict[str, FieldSpec]) -> Reading | None:
    """A parameter whose name bounds a field; None when its name has no bounding form."""
    name = snake(p.name)
    matches: list[tuple[str, str]] = []  # (field, op)
    stems: list[str] = []
    if name in LONE_BOUNDS:
        dated = [f for f, s in fields.items() if s.type in ("date", "datetime")]
        mentioned = [f for f in dated if re.search(rf"\b{f}\b", p.description)]
        chosen = mentioned if len(mentioned) == 1 else dated
        if len(chosen) != 1:
            return Reading(
                problem=f"bounds a date, but {len(dated)} date fields could be meant "
                f"({', '.join(dated) or 'none'}); name the field in the plan's ranges"
            )
        matches.append((chosen[0], LONE_BOUNDS[name]))
    for pattern, op in BOUND_FORMS:
        m = re.fullmatch(pattern, name)
        if m is None:
            continue
        stem = m.group("f")
        stems.append(stem)
        field = _field_of_stem(stem, fields)
        if field is not None:
            matches.append((field, op))
    if not matches:
        if not stems:
            return None
        return Reading(
            problem=f"reads as a bound on {' or '.join(repr(s) for s in stems)}, which names "
            "no field of this resource"
        )
    found = list(dict.fromkeys(matches))
    if len(found) > 1:
        return Reading(
            problem="reads as a bound on several fields "
            f"({', '.join(f'{f} {op}' for f, op in found)}); choose one in the plan"
        )
    field, op = found[0]
    if fields[field].type not in FILTER_TYPES["range"]:
        return Reading(
            problem=f"reads as a bound on {field!r}, a {fields[field].type} field; range "
            f"filters accept {', '.join(sorted(FILTER_TYPES['range']))}"
        )
    if op in _LOOSE and _INCLUSIVE.search(p.description):
        op = _LOOSE[op]
    elif op in _STRICT and _EXCLUSIVE.search(p.description):
        op = _STRICT[op]
    return Reading(range=RangeFilter(field=field, op=op, source=p.source))  # type: ignore[arg-type]


def _field_of_stem(stem: str, fields: dict[str, FieldSpec]) -> str | None:
    """The field a stem names: itself or with a usual ending (created -> created_at), else the
    one field that starts or ends with it as a word (odometer -> odometer_km, date ->
    service_date)."""
    for ending in _STEM_ENDINGS:
        if stem + ending in fields:
            return stem + ending
    partial = [f for f in fields if f.startswith(stem + "_") or f.endswith("_" + stem)]
    return partial[0] if len(partial) == 1 else None


def _singulars(name: str) -> list[str]:
    """categories -> category, statuses -> status, tags -> tag."""
    out = []
    if name.endswith("ies"):
        out.append(name[:-3] + "y")
    if name.endswith("es"):
        out.append(name[:-2])
    if name.endswith("s"):
        out.append(name[:-1])
    return out
