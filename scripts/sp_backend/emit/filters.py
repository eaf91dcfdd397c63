"""List filters beyond equality, as the templates need them: any_of (?f=a,b) and ranges
(?min_f=10). Values always travel as bound parameters: any_of binds one parameter per value
(`any_<field>_<i>`), never an expanding IN, because the PostgreSQL read path sends compiled SQL
text to asyncpg, which cannot expand one; a range binds `range_<param>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sp_backend.emit.decimals import decimal_range
from sp_backend.emit.fields import FieldView, py_literal, regex_literal
from sp_backend.emit.regex_sample import regex_samples
from sp_backend.plan.model import ANY_OF_MAX, FieldSpec, ListOperation, python_name

OPERATORS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
# Which of three ascending sample rows each operator keeps, bounded by the middle one.
_KEPT = {"ge": [1, 2], "gt": [2], "le": [0, 1], "lt": [0]}
_UUIDS = [
    "1b6f0c4e-2d3a-4e5f-8a9b-0c1d2e3f4a5b",
    "2c7a1d5f-3e4b-4f6a-9b0c-1d2e3f4a5b6c",
    "3d8b2e6a-4f5c-4a7b-8c1d-2e3f4a5b6c7d",
]


def _item_pattern(f: FieldView) -> str:
    """A regex for one value of an any_of parameter: what the field's type accepts, no comma."""
    t = f.spec.type
    if t == "enum":
        return "(?:" + "|".join(re.escape(v) for v in f.spec.values or []) + ")"
    if t == "int":
        return "-?[0-9]{1,9}"  # within the 32-bit column, whatever the digits
    if t == "uuid":
        return "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    return f"[^,]{{1,{f.spec.max_length or 255}}}"


def _bound_type(f: FieldView) -> tuple[str, list[str]]:
    t = f.spec.type
    if t == "int":
        return "int", ["ge=-2_147_483_648", "le=2_147_483_647"]
    if t == "datetime":
        return "IsoDatetime", []
    if t == "date":
        return "IsoDate", []
    if t == "decimal":
        return "QueryDecimal", []
    if t == "float":
        return "float", ["allow_inf_nan=False"]
    return f.py_type, []


@dataclass
class AnyOfView:
    field: FieldView

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def pattern(self) -> str:
        """The whole parameter: 1 to ANY_OF_MAX values, comma-separated."""
        item = _item_pattern(self.field)
        return f"^{item}(?:,{item}){{0,{ANY_OF_MAX - 1}}}$"

    @property
    def convert(self) -> str:
        """The expression turning one value (`value`) into the column's type."""
        return {"int": "int(value)", "uuid": "UUID(value)"}.get(self.field.spec.type, "value")

    @property
    def description(self) -> str:
        return f"Any of these values, comma-separated (a,b); at most {ANY_OF_MAX}."

    @property
    def decl(self) -> str:
        alias = "" if self.field.wire == self.name else f", alias={py_literal(self.field.wire)}"
        return (
            f"{self.name}: str | None = Field(None{alias}, pattern={regex_literal(self.pattern)}, "
            f"description={py_literal(self.description)})"
        )

    @property
    def samples(self) -> list[Any] | None:
        """Distinct valid values for rows of the generated tests (None: the test is left out)."""
        if not _testable(self.field):
            return None
        values = _samples(self.field.spec)
        return values if values and len(values) >= 2 else None


@dataclass
class RangeView:
    param: str
    field: FieldView
    op: str

    @property
    def attr(self) -> str:
        return python_name(self.param)

    @property
    def bind(self) -> str:
        return f"range_{self.attr}"

    @property
    def operator(self) -> str:
        return OPERATORS[self.op]

    @property
    def description(self) -> str:
        t = self.field.type
        what = {"date": "an ISO date", "datetime": "an ISO 8601 moment"}.get(t, "a number")
        return f"{self.field.name} {self.operator} this value ({what})."

    @property
    def decl(self) -> str:
        annotation, extra = _bound_type(self.field)
        args = ["None", *extra]
        if self.attr != self.param:
            args.append(f"alias={py_literal(self.param)}")
        args.append(f"description={py_literal(self.description)}")
        return f"{self.attr}: {annotation} | None = Field({', '.join(args)})"

    @property
    def samples(self) -> list[Any] | None:
        """Three ascending valid values; the middle one is the bound the test sends."""
        if not _testable(self.field):
            return None
        values = _samples(self.field.spec)
        return values if values and len(values) == 3 else None

    @property
    def kept(self) -> list[int]:
        return _KEPT[self.op]

    @property
    def malformed(self) -> str:
        return "not-a-" + ("date" if self.field.type in ("date", "datetime") else "number")


def any_of_views(listing: ListOperation | None, fields: dict[str, FieldView]) -> list[AnyOfView]:
    return [AnyOfView(fields[name]) for name in (listing.any_of if listing else [])]


def range_views(listing: ListOperation | None, fields: dict[str, FieldView]) -> list[RangeView]:
    ranges = listing.ranges if listing else {}
    return [RangeView(param, fields[r.field], r.op) for param, r in ranges.items()]


def _testable(f: FieldView) -> bool:
    """Rows with chosen values can be created: the field is written on create and names no
    other row."""
    return f.writable and f.spec.references is None


def _samples(spec: FieldSpec) -> list[Any] | None:
    """Up to three distinct valid JSON values, ascending where the type has an order."""
    t = spec.type
    if t in ("int", "float", "decimal"):
        return _numbers(spec)
    if t in ("date", "datetime"):
        year = "2000" if "past" in spec.input_rules else "2999"
        days = ["01-15", "02-20", "03-25"]
        if t == "date":
            return [f"{year}-{d}" for d in days]
        return [f"{year}-{d}T10:00:00Z" for d in days]
    if t == "enum":
        return list(spec.values or [])[:3]
    if t == "uuid":
        return list(_UUIDS)
    if t == "str":
        if spec.pattern:
            found = regex_samples(spec.pattern, spec.min_length or 1, spec.max_length)
            return list(dict.fromkeys(found))[:3] or None
        low = max(spec.min_length or 1, 1)
        high = spec.max_length or max(low, 12)
        texts = []
        for seed in ("Alpha", "Bravo", "Charlie"):
            text = seed[:high]
            texts.append(text + "x" * (low - len(text)))
        return list(dict.fromkeys(texts))
    return None


def _numbers(spec: FieldSpec) -> list[Any] | None:
    low = spec.ge if spec.ge is not None else (spec.gt + 1 if spec.gt is not None else None)
    high = spec.le if spec.le is not None else (spec.lt - 1 if spec.lt is not None else None)
    base = low if low is not None else (min(high - 2, 1) if high is not None else 1)
    values = [base, base + 1, base + 2]
    if high is not None and values[-1] > high:
        return None
    if spec.type == "int":
        return [int(v) for v in values]
    if spec.type == "decimal":
        places = decimal_range(spec).places
        return [f"{Decimal(str(v)):.{places}f}" for v in values]
    return [float(v) for v in values]
