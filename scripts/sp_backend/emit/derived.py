"""Derived list filters, as the templates need them: ?<param>=true keeps the rows meeting every
clause of a condition, false the others.

The condition is built so that it is never NULL (a clause on a NULL value is not met, except
is_null): NOT of it is then exactly the other rows under SQL's three-valued logic. Literal
values are fixed bound parameters of the statement (`derived_<param>_<i>`); now and today are
bound per request, in UTC. Which of the two statements runs is told by a key of the request's
parameters, `met_<param>` or `unmet_<param>`, which the statement itself does not read."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sp_backend.emit.decimals import decimal_range
from sp_backend.emit.fields import FieldView, py_literal
from sp_backend.plan.model import CLOCK_WORDS, Clause, FieldSpec, ListOperation, python_name

OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_WORDS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_CLOCK_TEXT = {"now": "now (the request's time, UTC)", "today": "today (UTC)"}
# Values on either side of now or today, for rows of the generated tests.
_PAST = {"date": "2000-01-15", "datetime": "2000-01-15T10:00:00Z"}
_FUTURE = {"date": "2999-01-15", "datetime": "2999-01-15T10:00:00Z"}
_OTHER_UUID = "2c7a1d5f-3e4b-4f6a-9b0c-1d2e3f4a5b6c"


@dataclass
class ClauseView:
    clause: Clause
    column: str  # the model attribute (a field, created_at or updated_at)
    type: str
    nullable: bool
    bind: str

    @property
    def clock(self) -> str | None:
        value = self.clause.value
        return value if isinstance(value, str) and value in CLOCK_WORDS else None

    @property
    def clock_code(self) -> str:
        """The request-time value of now or today, in UTC."""
        return "datetime.now(UTC)" if self.clock == "now" else "datetime.now(UTC).date()"

    def sql(self, cls: str) -> list[str]:
        """The clause's SQL conditions, as code: never NULL (a nullable column is tested for
        NULL first, so a NULL value does not meet the clause, and not_() of it is met)."""
        column = f"col({cls}.{self.column})"
        op = self.clause.op
        if op == "is_null":
            return [f"{column}.is_(None)"]
        if op == "not_null":
            return [f"{column}.is_not(None)"]
        if self.clock:
            bound = f'bindparam("{self.bind}", type_=TABLE.c.{self.column}.type)'
        else:
            value = _value_code(self.type, self.clause.value)
            bound = f'bindparam("{self.bind}", {value}, type_=TABLE.c.{self.column}.type)'
        compared = f"{column} {OPERATORS[op]} {bound}"
        return [f"{column}.is_not(None)", compared] if self.nullable else [compared]

    @property
    def words(self) -> str:
        op, value = self.clause.op, self.clause.value
        if op == "is_null":
            return f"{self.column} is null"
        if op == "not_null":
            return f"{self.column} is set"
        shown = _CLOCK_TEXT[value] if self.clock else _shown(value)
        return f"{self.column} {_WORDS[op]} {shown}"


@dataclass
class DerivedView:
    param: str
    clauses: list[ClauseView]
    said: str | None  # the contract's words
    fields: dict[str, FieldView]
    page_size: int  # rows a list answers by default: the test's rows must fit on one page

    @property
    def attr(self) -> str:
        return python_name(self.param)

    @property
    def function(self) -> str:
        return f"_derived_{self.attr.strip('_')}"

    @property
    def met(self) -> str:
        return f"met_{self.attr}"

    @property
    def unmet(self) -> str:
        return f"unmet_{self.attr}"

    @property
    def clocks(self) -> list[ClauseView]:
        return [c for c in self.clauses if c.clock]

    @property
    def condition(self) -> str:
        return " and ".join(c.words for c in self.clauses)

    @property
    def docstring(self) -> str:
        return (
            f"?{self.param}=true: {self.condition}. Never NULL (a NULL value meets no clause), "
            "so not_() of it is exactly the other rows."
        )

    @property
    def description(self) -> str:
        said = f"{self.said.rstrip('. ')}. " if self.said else ""
        return f"{said}true: rows where {self.condition}; false: the other rows."

    @property
    def decl(self) -> str:
        args = ["None"]
        if self.attr != self.param:
            args.append(f"alias={py_literal(self.param)}")
        # One string a line when `        description="...",` would pass 100 characters.
        whole = py_literal(self.description)
        if 8 + len("description=") + len(whole) + 1 <= 100:
            args.append(f"description={whole}")
        else:
            parts = textwrap.wrap(self.description, 84, drop_whitespace=False)
            args.append(f"description=({' '.join(py_literal(part) for part in parts)})")
        return f"{self.attr}: QueryFlag | None = Field({', '.join(args)})"

    @property
    def rows(self) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """Rows for the generated tests, as create-body changes: one meeting every clause, and
        for each clause each value that fails it (NULL where the field may be null), the other
        clauses met. None when a clause is on a field a create cannot set."""
        by_field: dict[str, list[Clause]] = {}
        for c in self.clauses:
            by_field.setdefault(c.column, []).append(c.clause)
        met: dict[str, Any] = {}
        failing: list[dict[str, Any]] = []
        for name, clauses in by_field.items():
            view = self.fields.get(name)
            if view is None or not view.writable or view.spec.references is not None:
                return None
            if view.spec.unique:
                return None  # the rows share the values of the clauses they meet
            candidates = [v for v in _candidates(view, clauses) if _fits(view, v)]
            meeting = [v for v in candidates if all(_meets(c, v, view.type) for c in clauses)]
            if not meeting:
                return None
            met[view.wire] = meeting[0]
            # A NULL first (it must land under false), then up to two values that fail.
            unmet = [v for v in candidates if not all(_meets(c, v, view.type) for c in clauses)]
            unmet = sorted(unmet, key=lambda v: v is not None)[:3]
            failing += [{view.wire: value} for value in unmet]
        if len(failing) + 1 > self.page_size:
            return None
        return met, [{**met, **changes} for changes in failing]


def derived_views(listing: ListOperation | None, fields: dict[str, FieldView]) -> list[DerivedView]:
    views = []
    for param, derived in (listing.derived if listing else {}).items():
        attr = python_name(param)
        clauses = [
            ClauseView(
                clause,
                clause.field,
                fields[clause.field].type if clause.field in fields else "datetime",
                fields[clause.field].nullable if clause.field in fields else False,
                f"derived_{attr}_{i}",
            )
            for i, clause in enumerate(derived.all_of)
        ]
        size = listing.pagination.default if listing else 0
        views.append(DerivedView(param, clauses, derived.description, fields, size))
    return views


def _value_code(field_type: str, value: Any) -> str:
    """A literal value as Python, of the column's type."""
    if field_type == "decimal":
        return f"Decimal({py_literal(str(value))})"
    if field_type == "uuid":
        return f"UUID({py_literal(value)})"
    if field_type in ("date", "datetime"):
        return f"{field_type}.fromisoformat({py_literal(value)})"
    if field_type == "float":
        return repr(float(value))
    return py_literal(value)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _candidates(view: FieldView, clauses: list[Clause]) -> list[Any]:
    """JSON values near each clause's value, on both sides, and null where the field may be."""
    out: list[Any] = [view.valid_value, view.other_valid_value]
    for c in clauses:
        if c.value is None:
            continue
        if isinstance(c.value, str) and c.value in CLOCK_WORDS:
            out += [_PAST[view.type], _FUTURE[view.type]]
        else:
            out += _around(view, c.value)
    if view.nullable:
        out.append(None)
    unique: list[Any] = []
    for value in out:
        if not any(value == u and type(value) is type(u) for u in unique):
            unique.append(value)
    return unique


def _around(view: FieldView, value: Any) -> list[Any]:
    """The value itself and its neighbours, as the create body takes them."""
    t, spec = view.type, view.spec
    if t == "int":
        return [value - 1, value, value + 1]
    if t == "float":
        return [float(value) - 1, float(value), float(value) + 1]
    if t == "decimal":
        places = decimal_range(spec).places
        return [f"{Decimal(str(value)) + step:.{places}f}" for step in (-1, 0, 1)]
    if t in ("date", "datetime"):
        moment = _moment(t, value)
        shifted = [moment + timedelta(days=step) for step in (-1, 0, 1)]
        if t == "date":
            return [d.isoformat() for d in shifted]
        return [m.astimezone(UTC).isoformat().replace("+00:00", "Z") for m in shifted]
    if t == "bool":
        return [value, not value]
    if t == "enum":
        return list(spec.values or [])
    if t == "uuid":
        return [value, _OTHER_UUID]
    return [value, f"{value}x"]


def _moment(field_type: str, value: Any) -> Any:
    if field_type == "date":
        return date.fromisoformat(str(value)) if value != "today" else datetime.now(UTC).date()
    if value == "now":
        return datetime.now(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _meets(clause: Clause, value: Any, field_type: str) -> bool:
    """The clause's truth for a JSON value, as the SQL decides it (NULL meets only is_null)."""
    if clause.op == "is_null":
        return value is None
    if clause.op == "not_null" or value is None:
        return clause.op == "not_null" and value is not None
    left, right = _comparable(field_type, value), _comparable(field_type, clause.value)
    return {
        "eq": left == right,
        "ne": left != right,
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }[clause.op]


def _comparable(field_type: str, value: Any) -> Any:
    if field_type in ("date", "datetime"):
        return _moment(field_type, value)
    if field_type == "decimal":
        return Decimal(str(value))
    if field_type == "uuid":
        return str(value).lower()
    return value


def _fits(view: FieldView, value: Any) -> bool:
    """A create body may carry the value: null only where the field may be null, numbers
    within its bounds, text within its length, dates on the side its input rules ask."""
    spec: FieldSpec = view.spec
    if value is None:
        return view.nullable
    t = view.type
    if t in ("int", "float", "decimal"):
        number = Decimal(str(value))
        if t == "decimal":
            r = decimal_range(spec)
            above = number > r.low if not r.low_inclusive else number >= r.low
            below = number < r.high if not r.high_inclusive else number <= r.high
            return above and below
        checks = [
            (spec.ge, lambda b: number >= b),
            (spec.gt, lambda b: number > b),
            (spec.le, lambda b: number <= b),
            (spec.lt, lambda b: number < b),
        ]
        return all(bound is None or ok(Decimal(str(bound))) for bound, ok in checks)
    if t in ("str", "text") and isinstance(value, str):
        if spec.pattern or len(value) < (spec.min_length or 0):
            return value in (view.valid_value, view.other_valid_value)
        return spec.max_length is None or len(value) <= spec.max_length
    if t == "enum":
        return value in (spec.values or [])
    if t in ("date", "datetime"):
        moment = _moment(t, value)
        current = datetime.now(UTC).date() if t == "date" else datetime.now(UTC)
        if "future" in spec.input_rules and moment <= current:
            return False
        return not ("past" in spec.input_rules and moment >= current)
    return True
