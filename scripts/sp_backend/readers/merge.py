"""Choosing between sources. The best-ranked explicit statement wins (contract > other API docs >
schema > feature prose > CLAUDE.md); an explicit statement from a lower rank that disagrees is
recorded as a conflict naming winner and loser. Inferred values (types guessed from examples)
only fill gaps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sp_backend.plan.model import Conflict
from sp_backend.readers.facts import FieldFact, Value

# Attributes whose disagreement matters to a reviewer; others (descriptions, examples) do not.
CONFLICT_KEYS = (
    "type",
    "min_length",
    "max_length",
    "ge",
    "le",
    "values",
    "default",
    "max_items",
    "item_min_length",
    "item_max_length",
    "unique",
)

_COMPATIBLE_TYPES = [
    {"str", "text"},
    {"str", "enum"},
    {"text", "enum"},
    {"list[str]", "json"},
    # A generic container or string, and what another source says it is (readers/build.py).
    {"json", "object"},
    {"json", "list[object]"},
    {"list[str]", "list[int]"},
    {"list[str]", "list[object]"},
    {"str", "email"},
    {"str", "uri"},
    {"int", "float"},
    {"float", "decimal"},
]


@dataclass
class Chosen:
    value: Any
    source: str


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "type":
        return a == b or {a, b} in _COMPATIBLE_TYPES
    if key == "values" and isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def decide(
    what: str, candidates: list[Value], conflicts: list[Conflict], key: str = ""
) -> Chosen | None:
    """Pick the best candidate; record a conflict for each explicit, lower-ranked disagreement
    (one per losing source rank, so a repeated statement is reported once)."""
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda v: v.score(), reverse=True)
    best = ordered[0]
    reported: set[tuple[int, str]] = set()
    for other in ordered[1:]:
        if not (best.explicit and other.explicit) or other.rank == best.rank:
            continue
        if _same(key or what, best.value, other.value):
            continue
        mark = (other.rank, repr(other.value))
        if mark in reported:
            continue
        reported.add(mark)
        conflicts.append(
            Conflict(
                what=what,
                winner=best.source,
                loser=other.source,
                chosen=best.value,
                overruled=other.value,
            )
        )
    return Chosen(best.value, best.source)


def merge_field(
    name: str, facts: list[FieldFact], conflicts: list[Conflict], prefix: str
) -> dict[str, Chosen]:
    """One field's attributes from every fact about it; conflicts go to ``prefix.name.key``."""
    keys: dict[str, list[Value]] = {}
    for fact in facts:
        for key, value in fact.attrs.items():
            keys.setdefault(key, []).append(value)
    out: dict[str, Chosen] = {}
    for key, values in keys.items():
        tracked = key in CONFLICT_KEYS
        chosen = decide(f"{prefix}.{name}.{key}", values, conflicts if tracked else [], key)
        if chosen is not None:
            out[key] = chosen
    return out


__all__ = ["CONFLICT_KEYS", "Chosen", "decide", "merge_field"]
