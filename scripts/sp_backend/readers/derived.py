"""Boolean list parameters that are not fields but stand for a condition on the row
(`overdue`: "loans past their due date that are not returned"; `in_stock`: "quantity above
zero"). The description is cut into clauses; each names a field (as written, or by the words of
its name) and says how it compares, through the condition entries of the phrase table
(readers/phrases.py). What cannot be read is a problem build.py files under `unresolved`: the
parameter is then not served until the plan states its condition."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sp_backend.plan.model import CLOCK_WORDS, Clause, DerivedFilter, FieldSpec, clause_problem
from sp_backend.readers.facts import Param
from sp_backend.readers.phrases import read_condition

_FLAG_TYPES = re.compile(r"^\s*(?:bool|boolean)\s*$", re.IGNORECASE)
_FLAG_WORDS = re.compile(
    r"\bboolean\b|\(bool\)|\btrue\s*(?:/|\||or)\s*false\b|=true\b|\bwhen true\b|\bif true\b",
    re.IGNORECASE,
)
# Words that say how the parameter is written, not what it keeps.
_NOISE = re.compile(
    r"\(?\b(?:boolean|bool|optional|required|query|flag)\b\)?|\b(?:when|if) (?:set to )?true\b"
    r"|\btrue\s*(?:/|\||or)\s*false\b|\(?\bdefaults?\s*(?:to|:)?\s*(?:false|true|none|unset)\)?"
    r"|\b(?:true|false)\s*:|\bonly\b|\breturns?\b|\bshow(?:s)?\b|\blists?\b|\bkeeps?\b",
    re.IGNORECASE,
)
# Where one clause ends and the next begins.
_SPLIT = re.compile(
    r"\s*(?:;|,|\band\b|\bbut\b|\bwhile\b|\bthat (?:are|is|have|has)\b|\bwhich (?:are|is)\b|"
    r"\bwhose\b|\bwith\b|\bwhere\b)\s*",
    re.IGNORECASE,
)
# Endings of field names that the prose leaves out ("due" for due_at, "return date").
_GENERIC = {"at", "on", "is", "has", "date", "time", "dt", "ts"}
_NEGATION = re.compile(r"\b(?:not|never|no longer|isn't|aren't|un\w+)\b", re.IGNORECASE)


@dataclass
class DerivedReading:
    derived: DerivedFilter | None = None
    problem: str | None = None


def is_flag(p: Param) -> bool:
    """The parameter takes true or false (by its type, or by what its description says)."""
    return bool((p.type and _FLAG_TYPES.match(p.type)) or _FLAG_WORDS.search(p.description))


def read_derived(p: Param, fields: dict[str, FieldSpec], timestamps: bool = True) -> DerivedReading:
    """The condition a flag's description states, clause by clause; a problem when a clause
    names no field, says no comparison, or does not fit the field."""
    stamps = {"created_at": "datetime", "updated_at": "datetime"} if timestamps else {}
    text = re.sub(rf"`?\b{re.escape(p.name)}\b`?\s*[-—–:]*", " ", p.description)
    text = _NOISE.sub(" ", re.sub(r"[`*]", "", text))
    clauses: list[Clause] = []
    for segment in (s.strip(" .-—–:()") for s in _SPLIT.split(text)):
        if not segment:
            continue
        named = _fields_named(segment, fields, stamps)
        if not named:
            continue  # "only loans", "items": what is listed, not a condition
        if len(named) > 1:
            return DerivedReading(
                problem=f"says {segment!r}, which could be about {' or '.join(named)}"
            )
        field = named[0]
        clause = _clause_of(segment, field, fields.get(field), stamps.get(field))
        if isinstance(clause, str):
            return DerivedReading(problem=clause)
        clauses.append(clause)
    if not clauses:
        return DerivedReading(problem="states no condition on a field that this reader can tell")
    try:
        derived = DerivedFilter(all_of=clauses, description=_said(p), source=p.source)
    except ValidationError as exc:
        return DerivedReading(problem=f"reads as {clauses}, which the plan refuses: {exc}")
    for clause in clauses:
        problem = clause_problem(clause, fields, stamps)
        if problem:
            return DerivedReading(problem=f"reads as a condition the plan refuses: {problem}")
    return DerivedReading(derived=derived)


def _said(p: Param) -> str | None:
    said = re.sub(r"\s+", " ", re.sub(r"[`*]", "", p.description)).strip()
    return said[:200] or None


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def _stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _fields_named(segment: str, fields: dict[str, FieldSpec], stamps: dict[str, str]) -> list[str]:
    """The fields a clause may be about: the one named as written (due_at, dueAt), else those
    whose name's words (without endings such as _at, _on, _date) all appear in it, the most
    words first; one is a reading, several are ambiguous."""
    names = [*fields, *stamps]
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", segment).lower()
    written = [n for n in names if re.search(rf"\b{n}\b", snake)]
    if written:
        return [max(written, key=len)]
    said = set(_words(segment))
    scored: list[tuple[int, str]] = []
    for name in names:
        parts = name.split("_")
        core = [w for w in parts if w not in _GENERIC] or parts
        if all(_stem(w) in said for w in core):
            scored.append((len(core), name))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [n for score, n in scored if score == best]


def _clause_of(segment: str, field: str, spec: FieldSpec | None, stamp: str | None) -> Clause | str:
    """The clause a segment states about `field`, or why it cannot be read."""
    field_type = spec.type if spec is not None else str(stamp)
    if field_type == "bool":
        # "not archived" / "archived": the flag itself.
        return Clause(field=field, op="eq", value=not _NEGATION.search(segment))
    rest = re.sub(rf"\b{re.escape(field)}\b", " ", segment, flags=re.IGNORECASE)
    facts = read_condition(rest)
    if not facts and spec is not None and spec.is_nullable:
        # "returned" alone: the moment it names has happened, i.e. it is set.
        return Clause(field=field, op="not_null")
    if not facts:
        return f"says something of {field!r} ({segment!r}) that reads as no comparison"
    value: Any = facts.get("value")
    if value == "clock":
        clock = [word for word, kind in CLOCK_WORDS.items() if kind == field_type]
        if not clock:
            article = "an" if field_type[0] in "aeiou" else "a"
            return f"compares {field!r}, {article} {field_type} field, with the current time"
        value = clock[0]
    elif field_type == "decimal" and isinstance(value, int | float):
        value = str(value)
    elif field_type == "float" and isinstance(value, int):
        value = float(value)
    op = facts["op"]
    if op in ("is_null", "not_null"):
        value = None
    try:
        return Clause(field=field, op=op, value=value)
    except ValidationError:
        return f"says {op} of {field!r} ({segment!r}) without a value it can compare with"
