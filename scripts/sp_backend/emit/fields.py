"""How one plan field becomes Python: annotations, column types, Field(...) arguments, and the
valid and invalid sample values the generated tests send."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sp_backend.emit.decimals import bound_kwargs, decimal_range, text_alternatives
from sp_backend.emit.naming import class_name
from sp_backend.emit.regex_sample import regex_samples
from sp_backend.errors import PlanError
from sp_backend.plan.model import (
    EMAIL_MAX_LENGTH,
    JSON_TYPES,
    OBJECT_TYPES,
    URI_MAX_LENGTH,
    FieldSpec,
)

PY_TYPES = {
    "str": "str",
    "text": "str",
    "int": "int",
    "float": "float",
    "decimal": "Decimal",
    "bool": "bool",
    "date": "date",
    "datetime": "datetime",
    "uuid": "UUID",
    "email": "str",
    "uri": "str",
    "list[str]": "list[str]",
    "list[int]": "list[int]",
    "json": "JsonValue",
}
# Input types of app/schemas/rules.py for the formats (they validate; the stored value is str).
FORMAT_INPUT = {"email": "Email", "uri": "HttpUri"}
# The longest value of a format when the plan states none (the column's length too).
FORMAT_MAX_LENGTH = {"email": EMAIL_MAX_LENGTH, "uri": URI_MAX_LENGTH}


@dataclass
class FieldView:
    resource: str
    name: str
    spec: FieldSpec
    wire: str  # the JSON key (and filter parameter) the contract spells the field as
    py_type: str  # annotation without Optional
    enum_alias: str | None
    object_alias: str | None  # the class of an object field, or of a list[object]'s items
    object_classes: list[str]  # their definitions (app/models), nested shapes first
    nullable: bool
    model_decl: str  # the table model's "name: type = Field(...)" line
    create_decl: str | None  # None: not accepted on input (read-only)
    update_decl: str | None
    public_decl: str
    valid_value: Any
    other_valid_value: Any
    invalid_cases: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def input_rules(self) -> list[str]:
        return list(self.spec.input_rules)

    @property
    def writable(self) -> bool:
        return not self.spec.read_only

    @property
    def immutable(self) -> bool:
        """Set on create only: PATCH and PUT bodies refuse it."""
        return self.writable and self.spec.immutable

    @property
    def refuses_null_on_update(self) -> bool:
        """PATCH may leave the field out but not set it to null (a JSON value may be null)."""
        return self.changeable and not self.nullable and self.spec.type != "json"

    @property
    def body_decl(self) -> str:
        """The field in an action's body (effect body): required, by its own type and
        constraints, under its JSON key."""
        spec = self.spec.model_copy(update={"required": True, "default": None})
        return _create_decl(self.name, spec, self.py_type, self.wire)

    @property
    def refused_decl(self) -> str:
        """An immutable field in a PATCH or PUT body: declared only so that its validator
        (refuse_change) runs when it is sent; left out of the OpenAPI, never written."""
        return f"{self.name}: SkipJsonSchema[None] = Field(None{_alias(self.name, self.wire)})"

    @property
    def changeable(self) -> bool:
        """Accepted in a PATCH body."""
        return self.writable and not self.spec.immutable

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def is_text(self) -> bool:
        return self.spec.type in ("str", "text")

    @property
    def column_expr(self) -> Call | str:
        """The column type as the migration writes it (sa., sqlmodel. and app.db_types.)."""
        spec = self.spec
        t = spec.type
        if t in ("str", "email", "uri"):
            longest = spec.max_length or FORMAT_MAX_LENGTH.get(t)
            length = f"length={longest}" if longest is not None else ""
            return f"sqlmodel.sql.sqltypes.AutoString({length})"
        if t in JSON_TYPES:
            return "sa.JSON()"
        if t == "enum":
            return Call(
                "sa.Enum",
                [
                    *(_py_literal(v) for v in spec.values or []),
                    *_enum_options(self.resource, self.name, spec),
                ],
            )
        if t == "decimal":
            return (
                f"sa.Numeric({spec.max_digits or 18}, "
                f"{spec.decimal_places if spec.decimal_places is not None else 2})"
            )
        return {
            "text": "sa.Text()",
            "int": "sa.Integer()",
            "float": "sa.Float()",
            "bool": "sa.Boolean()",
            "date": "sa.Date()",
            "datetime": "app.db_types.UTCDateTime()",
            "uuid": "sa.Uuid()",
        }[t]

    @property
    def migration_column(self) -> str:
        return Call(
            "sa.Column", [_py_literal(self.name), self.column_expr, f"nullable={self.nullable}"]
        ).render(8)

    @property
    def filter_decl(self) -> str:
        """Equality filter in the list query parameters; left out means no filter."""
        # Dates as ISO 8601 text only, as the bodies take them (app/schemas/rules.py).
        # An email filter is lowercased as the stored addresses are; a URI is matched as sent.
        iso = {"date": "IsoDate", "datetime": "IsoDatetime", "email": "Email"}
        annotation = iso.get(self.spec.type, self.py_type)
        extra = {
            "str": ", max_length=255",
            "uri": f", max_length={URI_MAX_LENGTH}",
            # The column is a 32-bit INTEGER: a larger number matches nothing; refuse it.
            "int": ", ge=-2_147_483_648, le=2_147_483_647",
        }.get(self.spec.type, "")
        alias = _alias(self.name, self.wire)
        return f"{self.name}: {annotation} | None = Field(None{extra}{alias})"

    @property
    def text_decl(self) -> str | None:
        """A decimal's input type: its bounds (those its digits set too) and places, and the
        pattern a decimal sent as a JSON string must match (DecimalText in app/schemas/rules.py),
        as the OpenAPI states them (emit/decimals.py)."""
        if self.spec.type != "decimal":
            return None
        r = decimal_range(self.spec)
        bounds = [f"{key}={_number_literal(bound)}" for key, bound in bound_kwargs(r)]
        digits = [f"max_digits={r.digits}", f"decimal_places={r.places}"]
        step = f'multiple_of=Decimal("{Decimal(1).scaleb(-r.places)}")'
        alternatives = [regex_literal(a) for a in text_alternatives(r)]
        field = Call("Field", [*bounds, *digits, step])
        text = Call("DecimalText", alternatives)
        parts = f"    Decimal,\n    {field.render(4, tail=',')},\n    {text.render(4, tail=',')},\n"
        return f"{_decimal_type(self.name)} = Annotated[\n{parts}]"

    @property
    def rule_functions(self) -> list[str]:
        """Names of the input-rule validators in app/schemas/rules.py for this field."""
        prefix = "date_" if self.spec.type == "date" else ""
        names = {
            "not_blank": "not_blank",
            "future": f"{prefix}in_future",
            "past": f"{prefix}in_past",
        }
        # not_blank is a pattern unless the field has a pattern of its own (see NOT_BLANK).
        return [
            names[rule]
            for rule in self.spec.input_rules
            if rule != "not_blank" or self.spec.pattern
        ]


def build_field(
    resource: str,
    name: str,
    spec: FieldSpec,
    where: str,
    *,
    owned: bool,
    wire: str | None = None,
    words: str | None = None,
) -> FieldView:
    """wire: the field's JSON key when the contract spells it otherwise (default: its name).
    words: what an object field is, for its class's docstring (default: a stored field's)."""
    wire = wire or name
    alias = f"{class_name(resource)}{class_name(name)}"
    enum_alias = alias if spec.type == "enum" else None
    object_alias, object_classes = None, []
    if spec.type in OBJECT_TYPES:
        object_alias = alias + ("Item" if spec.type == "list[object]" else "")
        said = words or f"the {name} of a {resource}: stored whole as JSON, validated here"
        object_classes = object_class(object_alias, spec, said)
    py_type = enum_alias or _member_type(spec, object_alias or "")
    nullable = spec.is_nullable
    valid, other = _valid_values(spec, f"{where}.fields.{name}")
    return FieldView(
        resource=resource,
        name=name,
        spec=spec,
        wire=wire,
        py_type=py_type,
        enum_alias=enum_alias,
        object_alias=object_alias,
        object_classes=object_classes,
        nullable=nullable,
        model_decl=_model_decl(name, spec, py_type, resource, single_index=not owned),
        create_decl=None if spec.read_only else _create_decl(name, spec, py_type, wire),
        update_decl=None if spec.read_only else _update_decl(name, spec, py_type, wire),
        public_decl=public_decl(name, f"{py_type}{' | None' if nullable else ''}", wire),
        valid_value=valid,
        other_valid_value=other,
        invalid_cases=_invalid_cases(spec),
    )


def _member_type(spec: FieldSpec, alias: str) -> str:
    """The annotation of a field (or of a field inside an object) that is not an enum alias."""
    if spec.type == "object":
        return alias
    if spec.type == "list[object]":
        return f"list[{alias}]"
    if spec.type == "enum":
        return literal_type(list(spec.values or []))
    return PY_TYPES[spec.type]


def object_class(alias: str, spec: FieldSpec, words: str) -> list[str]:
    """The class an object field (or a list[object]'s item) is validated by, after the classes
    of the objects inside it. Unknown keys are refused, as in every body; each field inside is
    typed and constrained as a field of the resource would be."""
    classes: list[str] = []
    lines: list[str] = []
    for key, member in (spec.fields or {}).items():
        inner = ""
        if member.type in OBJECT_TYPES:
            inner = alias + class_name(key) + ("Item" if member.type == "list[object]" else "")
            classes += object_class(inner, member, f"the {key} inside {words}")
        lines.append("    " + _create_decl(key, member, _member_type(member, inner), key))
    said = ("one item of " if spec.type == "list[object]" else "") + words
    said = said[0].upper() + said[1:]
    doc = f'    """{said}."""'
    if len(doc) > 100:
        head, _, tail = said.rpartition(": ")
        doc = f'    """{head}:\n    {tail}.\n    """' if head else f'    """{said}.\n    """'
    body = "\n".join(lines)
    config = '    model_config = ConfigDict(extra="forbid")'
    classes.append(f"class {alias}(BaseModel):\n{doc}\n\n{config}\n\n{body}\n")
    return classes


def _py_literal(value: Any) -> str:
    """Python source for a plain value, with double-quoted strings as ruff format writes them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_py_literal(k)}: {_py_literal(v)}" for k, v in value.items()) + "}"
        )
    return repr(value)


py_literal = _py_literal


class Call:
    """A call expression that lays itself out like ruff format: one line when it fits, else
    the arguments on one indented line, else one argument a line (nested calls likewise)."""

    def __init__(self, prefix: str, args: list[Any]) -> None:
        self.prefix, self.args = prefix, args

    def flat(self) -> str:
        return f"{self.prefix}({', '.join(_flat(a) for a in self.args)})"

    def render(self, indent: int = 4, width: int = 100, tail: str = "") -> str:
        one_line = self.flat()
        if indent + len(one_line) + len(tail) <= width:
            return one_line
        inner = " " * (indent + 4)
        joined = ", ".join(_flat(a) for a in self.args)
        if len(inner) + len(joined) <= width and all(
            not isinstance(a, Call) or indent + 4 + len(a.flat()) <= width for a in self.args
        ):
            return f"{self.prefix}(\n{inner}{joined}\n{' ' * indent})"
        lines = [
            inner + (a.render(indent + 4, width, ",") if isinstance(a, Call) else str(a)) + ","
            for a in self.args
        ]
        return f"{self.prefix}(\n" + "\n".join(lines) + f"\n{' ' * indent})"


def _flat(arg: Any) -> str:
    return arg.flat() if isinstance(arg, Call) else str(arg)


def signature(
    name: str, params: list[str], returns: str, width: int = 100, *, asynchronous: bool = False
) -> str:
    """A def (or async def) line as ruff format lays it out."""
    keyword = "async def" if asynchronous else "def"
    one_line = f"{keyword} {name}({', '.join(params)}) -> {returns}:"
    if len(one_line) <= width:
        return one_line
    joined = ", ".join(params)
    if 4 + len(joined) <= width:
        return f"{keyword} {name}(\n    {joined}\n) -> {returns}:"
    return f"{keyword} {name}(\n" + "".join(f"    {p},\n" for p in params) + f") -> {returns}:"


def wrap_call(prefix: str, args: list[Any], indent: int = 4, width: int = 100) -> str:
    return Call(prefix, args).render(indent, width)


# Spelled out rather than \S: JSON Schema (ECMA), Python and Rust regexes disagree on which
# Unicode characters \s covers, and the OpenAPI must say exactly what the server enforces.
NOT_BLANK = r"[^ \t\n\r\f\v]"


def regex_literal(pattern: str) -> str:
    """A raw string when the pattern allows one (as people write regexes), else escaped."""
    if '"' not in pattern and not pattern.endswith("\\") and "\n" not in pattern:
        return f'r"{pattern}"'
    return _py_literal(pattern)


def _validation_kwargs(spec: FieldSpec) -> list[str]:
    """pydantic Field(...) constraints; the table model gets none (SQLModel skips them)."""
    kw: list[str] = []
    for key in ("min_length", "max_length", "ge", "le", "gt", "lt"):
        value = getattr(spec, key)
        if spec.type == "decimal" and key in ("ge", "le", "gt", "lt"):
            continue  # in its input type (FieldView.text_decl)
        if value is not None:
            if key in ("ge", "le", "gt", "lt") and spec.type == "int":
                value = int(value)
            kw.append(f"{key}={_py_literal(value)}")
    if spec.type == "int":
        # The column is a 32-bit INTEGER: a larger number is invalid input, never a 500.
        if spec.ge is None and spec.gt is None:
            kw.append("ge=-2_147_483_648")
        if spec.le is None and spec.lt is None:
            kw.append("le=2_147_483_647")
    if spec.pattern:
        kw.append(f"pattern={regex_literal(spec.pattern)}")
    elif "not_blank" in spec.input_rules:
        # "Not blank" as a pattern (at least one non-space), so the OpenAPI states it too.
        kw.append(f"pattern={regex_literal(NOT_BLANK)}")
    if spec.max_items is not None:
        kw.append(f"max_length={spec.max_items}")
    if spec.max_digits is not None and spec.type != "decimal":
        kw.append(f"max_digits={spec.max_digits}")
    described = " ".join(filter(None, [spec.description, *_clock_rules(spec)]))
    if described:
        kw.append(f"description={_py_literal(described)}")
    return kw


def _clock_rules(spec: FieldSpec) -> list[str]:
    """The clock rules in words: JSON Schema has no "later than now", so the OpenAPI says them
    in the field's description (app/schemas/rules.py enforces them)."""
    words = {
        ("date", "future"): "Must be after today (UTC) when the request is made.",
        ("date", "past"): "Must be before today (UTC) when the request is made.",
        ("datetime", "future"): "Must be later than the moment the request is made.",
        ("datetime", "past"): "Must be earlier than the moment the request is made.",
    }
    return [words[spec.type, rule] for rule in spec.input_rules if (spec.type, rule) in words]


# Input scalars accept exactly what the OpenAPI states: no true for 1, no 0 for false, no
# number of seconds for a date (app/schemas/rules.py). A naive datetime is refused too.
STRICT_INPUT = {
    "int": "JsonInt",
    "float": "StrictFloat",
    "bool": "StrictBool",
    "date": "IsoDate",
    "datetime": "IsoDatetime",
}


def _decimal_type(name: str) -> str:
    return f"{class_name(name)}Decimal"


def _number_literal(value: Decimal) -> str:
    """A bound as Python source: an integer when it is one (10_000_000_000), else a float."""
    if value == value.to_integral_value():
        return f"{int(value):_}" if abs(value) >= 10_000 else str(int(value))
    return repr(float(value))


def _input_type(spec: FieldSpec, py_type: str, name: str = "") -> str:
    if spec.type in STRICT_INPUT:
        return STRICT_INPUT[spec.type]
    if spec.type == "decimal":
        return _decimal_type(name)
    if spec.type in FORMAT_INPUT:
        return FORMAT_INPUT[spec.type]
    if spec.type == "list[int]":
        bounds = [
            f"{key}={_number_literal(Decimal(value))}"
            for key, value in (("ge", spec.item_ge), ("le", spec.item_le))
            if value is not None
        ]
        if not bounds:
            return "list[JsonInt]"
        return f"list[Annotated[int, Field({', '.join(bounds)}), BeforeValidator(json_number)]]"
    if spec.type == "list[str]" and (spec.item_min_length or spec.item_max_length):
        bounds = [
            f"{key}={value}"
            for key, value in (
                ("min_length", spec.item_min_length),
                ("max_length", spec.item_max_length),
            )
            if value is not None
        ]
        return f"list[Annotated[str, StringConstraints({', '.join(bounds)})]]"
    return py_type


def _default_literal(spec: FieldSpec) -> str:
    if spec.type in ("list[str]", "list[int]"):
        return "Field(default_factory=list{})"
    if spec.type == "decimal" and spec.default is not None:
        return f'Decimal("{spec.default}")'
    return _py_literal(spec.default)


def _alias(name: str, wire: str) -> str:
    """The Field argument that reads (and writes) a field under its JSON key, when they differ."""
    return "" if wire == name else f", alias={_py_literal(wire)}"


def public_decl(name: str, annotation: str, wire: str) -> str:
    """A response field: read from the row by its attribute name, written under its JSON key."""
    if wire == name:
        return f"{name}: {annotation}"
    return f"{name}: {annotation} = Field(serialization_alias={_py_literal(wire)})"


def _create_decl(name: str, spec: FieldSpec, py_type: str, wire: str) -> str:
    annotation = _input_type(spec, py_type, name)
    kw = _validation_kwargs(spec)
    if wire != name:
        kw.insert(0, f"alias={_py_literal(wire)}")
    if spec.required:
        default = "..."
    elif spec.default is not None:
        if spec.type in JSON_TYPES:
            return _with_factory(name, annotation, spec, kw)
        default = _default_literal(spec)
    else:
        annotation, kw = _bounds_inside(annotation, kw)
        annotation += " | None"
        default = "None"
    if not kw:
        return f"{name}: {annotation}" + ("" if default == "..." else f" = {default}")
    return wrap_call(f"{name}: {annotation} = Field", [default, *kw])


def _bounds_inside(annotation: str, kw: list[str]) -> tuple[str, list[str]]:
    """A nullable JsonInt's bounds go inside its Annotated, before its validator: on the union
    Pydantic still checks them, but the OpenAPI would show "ge"/"le", not minimum/maximum."""
    bounds = [k for k in kw if k.startswith(("ge=", "le=", "gt=", "lt="))]
    if annotation != "JsonInt" or not bounds:
        return annotation, kw
    inner = f"Annotated[int, Field({', '.join(bounds)}), BeforeValidator(json_number)]"
    return inner, [k for k in kw if k not in bounds]


def _with_factory(name: str, annotation: str, spec: FieldSpec, kw: list[str]) -> str:
    factory = "list" if spec.default == [] else f"lambda: {_py_literal(spec.default)}"
    if spec.type == "json" and spec.default == {}:
        factory = "dict"
    return wrap_call(f"{name}: {annotation} = Field", [f"default_factory={factory}", *kw])


def _update_decl(name: str, spec: FieldSpec, py_type: str, wire: str) -> str:
    """PATCH: every field optional; null only where the column is nullable.

    A field that is not nullable is typed `X | SkipJsonSchema[None]`: its default None means
    "left out" (honest for a type checker), the OpenAPI does not offer null, and the schema's
    not_null validator (refuses_null_on_update) refuses a null sent in the body."""
    annotation = _input_type(spec, py_type, name)
    kw = _validation_kwargs(spec)
    if spec.is_nullable:
        annotation, kw = _bounds_inside(annotation, kw)
        annotation += " | None"
    elif spec.type != "json":  # JsonValue includes null
        # The constraints on the value's type: on the union they would be lost from the OpenAPI.
        inner = [k for k in kw if not k.startswith("description=")]
        if inner and annotation == "JsonInt":
            # Constraints before JsonInt's validator, as on a plain field (after it, Pydantic
            # checks them but the OpenAPI shows "ge"/"le" instead of minimum/maximum).
            annotation = f"Annotated[int, Field({', '.join(inner)}), BeforeValidator(json_number)]"
        elif inner:
            annotation = f"Annotated[{annotation}, Field({', '.join(inner)})]"
        kw = [k for k in kw if k.startswith("description=")]
        annotation += " | SkipJsonSchema[None]"
    if wire != name:
        kw.insert(0, f"alias={_py_literal(wire)}")
    # Left out means "unchanged"; the default None is never written (exclude_unset).
    if not kw:
        return f"{name}: {annotation} = None"
    return wrap_call(f"{name}: {annotation} = Field", ["None", *kw])


def _model_decl(
    name: str,
    spec: FieldSpec,
    py_type: str,
    resource: str,
    *,
    single_index: bool,
    foreign_key: tuple[str, str] | None = None,
    indexed: bool = False,
) -> str:
    """Owned resources index (owner, field) together instead: every query filters by owner.
    foreign_key: (target column, ON DELETE action) of a reference, always indexed on its own
    (deleting the referenced row looks its rows up by it); indexed: a reference whose foreign
    key the table declares (a composite one), indexed the same."""
    column = _column_type(spec, resource, name)
    kw: list[Any] = []
    if spec.type in JSON_TYPES:
        if spec.default is not None:
            factory = "dict" if spec.type == "json" else "list"
            if spec.default not in ([], {}):
                factory = f"lambda: {_py_literal(spec.default)}"
            kw.append(f"default_factory={factory}")
        elif spec.is_nullable:
            kw.append("default=None")
    elif spec.default is not None:
        kw.append(f"default={_default_literal(spec)}")
    elif spec.is_nullable:
        kw.append("default=None")
    longest = spec.max_length or FORMAT_MAX_LENGTH.get(spec.type)
    if spec.type in ("str", "email", "uri") and longest is not None:
        kw.append(f"max_length={longest}")
    if foreign_key is not None:
        target, rule = foreign_key
        kw += [f"foreign_key={_py_literal(target)}", f"ondelete={_py_literal(rule)}", "index=True"]
    elif (spec.index and single_index) or indexed:
        kw.append("index=True")
    if column:
        kw.append(
            Call("sa_type=" + column.prefix, column.args)
            if isinstance(column, Call)
            else f"sa_type={column}"
        )
    if not spec.is_nullable:
        kw.append("nullable=False")
    annotation = py_type + (" | None" if spec.is_nullable else "")
    return Call(f"{name}: {annotation} = Field", kw).render(4)


def _enum_options(resource: str, name: str, spec: FieldSpec) -> list[str]:
    length = max(len(v) for v in spec.values or ["x"])
    return [
        f'name="{resource}_{name}"',
        "native_enum=False",
        "create_constraint=True",
        f"length={length}",
    ]


def _column_type(spec: FieldSpec, resource: str, name: str) -> Call | str | None:
    t = spec.type
    if t == "text":
        return "Text"
    if t == "datetime":
        return "UTCDateTime"
    if t in JSON_TYPES:
        return "JSON"
    if t == "enum":
        # VARCHAR + CHECK rather than a native enum type: adding a value later is a plain
        # migration on every database.
        return Call(
            "SAEnum",
            [*(_py_literal(v) for v in spec.values or []), *_enum_options(resource, name, spec)],
        )
    if t == "decimal":
        digits = spec.max_digits or 18
        places = spec.decimal_places if spec.decimal_places is not None else 2
        return f"Numeric({digits}, {places})"
    return None


# --- sample values for the generated tests ---------------------------------------------------


def _valid_values(spec: FieldSpec, where: str) -> tuple[Any, Any]:
    """Two distinct valid JSON values (the second for updates)."""
    if spec.example is not None:
        return spec.example, spec.example
    t = spec.type
    if t in ("str", "text"):
        if spec.pattern:
            samples = regex_samples(spec.pattern, spec.min_length or 1, spec.max_length)
            if not samples:
                raise PlanError(
                    f"{where}: pattern {spec.pattern!r} needs an example value "
                    f"(add example: ... to the field) for the generated tests"
                )
            return samples[0], samples[-1]
        low = max(spec.min_length or 1, 1)
        high = spec.max_length or max(low, 12)
        first = _sized_text("Sample value", low, high)
        second = _sized_text("Changed value", low, high)
        return first, second
    if t in ("int", "float", "decimal"):
        low = spec.ge if spec.ge is not None else (spec.gt + 1 if spec.gt is not None else None)
        high = spec.le if spec.le is not None else (spec.lt - 1 if spec.lt is not None else None)
        base = low if low is not None else (min(high, 1) if high is not None else 1)
        other = base + 1 if high is None or base + 1 <= high else base
        if t == "int":
            return int(base), int(other)
        if t == "decimal":
            places = decimal_range(spec).places  # ge=0.004 is "0.004", not "0.00"
            return f"{base:.{places}f}", f"{other:.{places}f}"
        return float(base), float(other)
    if t == "bool":
        return True, False
    if t == "enum":
        values = spec.values or []
        return values[-1], values[0]
    if t == "date":
        return (
            "2999-01-15" if "past" not in spec.input_rules else "2000-01-15",
            "2999-02-20" if "past" not in spec.input_rules else "2000-02-20",
        )
    if t == "datetime":
        if "past" in spec.input_rules:
            return "2000-01-15T10:00:00Z", "2000-02-20T12:30:00Z"
        return "2999-01-15T10:00:00Z", "2999-02-20T12:30:00Z"
    if t == "uuid":
        return "6f1c2a9e-3b5d-4c7e-9a1b-2d3e4f5a6b7c", "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
    if t == "email":
        # Lower-case: the address is stored lowercased, and the tests compare what comes back.
        return _sized_format(spec, "ada@example.com", "a@b.co", "grace@example.org", "g@h.io")
    if t == "uri":
        return _sized_format(
            spec, "https://example.com/first", "http://a", "https://example.org/second", "http://b"
        )
    if t == "list[int]":
        size = min(spec.max_items if spec.max_items is not None else 2, 2)
        low = spec.item_ge if spec.item_ge is not None else None
        high = spec.item_le
        base = low if low is not None else (min(high, 1) if high is not None else 1)
        step = base + 1 if high is None or base + 1 <= high else base
        return [base, step][:size], [step][: min(size, 1)]
    if t == "object":
        members = (spec.fields or {}).items()
        pairs = {key: _valid_values(m, f"{where}.fields.{key}") for key, m in members}
        return {k: v[0] for k, v in pairs.items()}, {k: v[1] for k, v in pairs.items()}
    if t == "list[object]":
        one, other = _valid_values(spec.model_copy(update={"type": "object"}), where)
        size = min(spec.max_items if spec.max_items is not None else 1, 1)
        return [one][:size], [other][:size]
    if t == "list[str]":
        size = min(spec.max_items if spec.max_items is not None else 2, 2)
        length = spec.item_max_length or 10
        shortest = spec.item_min_length or 1
        return (
            [_sized_text("alpha", shortest, length), _sized_text("beta", shortest, length)][:size],
            [_sized_text("gamma", shortest, length)][: min(size, 1)],
        )
    return {"key": "value"}, {"key": "changed"}


def _sized_format(
    spec: FieldSpec, first: str, short: str, second: str, other: str
) -> tuple[str, str]:
    """Two values of an email or URI within the field's lengths: the usual ones, the shortest
    ones when those are too long; padded when short (an email's local part, a URI's path)."""
    high = spec.max_length or FORMAT_MAX_LENGTH[spec.type]
    low = spec.min_length or 0
    values = []
    for usual, shortest in ((first, short), (second, other)):
        value = usual if len(usual) <= high else shortest
        if spec.type == "email" and len(value) < low:
            value = "x" * (low - len(value)) + value
        elif len(value) < low:
            value += "x" * (low - len(value))
        values.append(value)
    return values[0], values[1]


def _sized_text(seed: str, low: int, high: int) -> str:
    text = seed[:high]
    return text + "x" * (low - len(text)) if len(text) < low else text


def _invalid_cases(spec: FieldSpec) -> list[tuple[Any, str]]:
    """(value, why) pairs that validation must refuse on create."""
    t, cases = spec.type, []
    if spec.min_length:
        cases.append(("", f"shorter than {spec.min_length}"))
    if spec.max_length is not None:
        cases.append(("x" * (spec.max_length + 1), f"longer than {spec.max_length}"))
    if "not_blank" in spec.input_rules:
        cases.append(("   ", "blank"))
    if spec.pattern and _pattern_sample_fails(spec.pattern, "!!"):
        cases.append(("!!", "does not match the pattern"))
    for key, delta in (("ge", -1), ("gt", 0), ("le", 1), ("lt", 0)):
        bound = getattr(spec, key)
        if bound is not None:
            bad = bound + delta
            cases.append((int(bad) if t == "int" else bad, f"violates {key} {bound}"))
    if t == "enum":
        cases.append(("not-a-valid-choice", "not one of the values"))
    if t in ("int", "float", "decimal"):
        cases.append(("not a number", "not a number"))
    if t == "decimal":
        # Text must be plain digits (the OpenAPI's pattern), though Decimal() would read these.
        cases += [("1e1", "an exponent"), ("", "empty text"), (" 1", "a space")]
    if t == "bool":
        cases.append(("sometimes", "not a boolean"))
    if t in ("date", "datetime"):
        cases.append(("not a date", "not a date"))
    if t == "datetime":
        cases.append(("2999-01-15T10:00:00", "no time zone"))
    if "future" in spec.input_rules:
        cases.append(("2000-01-01" if t == "date" else "2000-01-01T00:00:00Z", "in the past"))
    if "past" in spec.input_rules:
        cases.append(("2999-01-01" if t == "date" else "2999-01-01T00:00:00Z", "in the future"))
    if t == "uuid":
        cases.append(("not-a-uuid", "not a UUID"))
    if t == "list[str]":
        cases.append(("not a list", "not a list"))
        if spec.max_items is not None:
            cases.append((["t"] * (spec.max_items + 1), f"more than {spec.max_items} items"))
        if spec.item_min_length is not None:
            short = "x" * (spec.item_min_length - 1)
            cases.append(([short], f"an item shorter than {spec.item_min_length}"))
        if spec.item_max_length is not None:
            cases.append(
                (["x" * (spec.item_max_length + 1)], f"an item longer than {spec.item_max_length}")
            )
    if t == "email":
        cases += [("not-an-email", "not an email address"), ("ada@example", "no dot in the host")]
    if t == "uri":
        cases += [("not a url", "not a URL"), ("ftp://example.com/file", "not http or https")]
        cases.append(("https://", "no host"))
    if t == "list[int]":
        cases += [("not a list", "not a list"), ([True], "an item that is not a number")]
        cases.append((["1"], "an item that is text"))
        item = spec.item_ge if spec.item_ge is not None else (spec.item_le or 1)
        if spec.max_items is not None:
            cases.append(([item] * (spec.max_items + 1), f"more than {spec.max_items} items"))
        if spec.item_ge is not None:
            cases.append(([spec.item_ge - 1], f"an item below {spec.item_ge}"))
        if spec.item_le is not None:
            cases.append(([spec.item_le + 1], f"an item above {spec.item_le}"))
    if t in OBJECT_TYPES:
        cases += _object_cases(spec)
    if spec.required and spec.type != "json":  # null is a JSON value
        cases.append((None, "null"))
    return cases


def _object_cases(spec: FieldSpec) -> list[tuple[Any, str]]:
    """An object that is not one, lacks a field it needs, has a key it does not, or holds a
    refused value in one of its fields; for a list[object], each as its one item."""
    shape = spec.model_copy(update={"type": "object", "required": False, "default": None})
    valid, _ = _valid_values(shape, "")
    members = spec.fields or {}
    cases: list[tuple[Any, str]] = [("not an object", "not an object")]
    needed = [key for key, m in members.items() if m.required]
    if needed:
        cases.append(({}, f"without {needed[0]}"))
    cases.append(({**valid, "unexpected": 1}, "an unknown key"))
    for key, member in members.items():
        for value, why in _invalid_cases(member):
            cases.append(({**valid, key: value}, f"{key} {why}"))
    if spec.type == "object":
        return cases
    items = [([value], f"an item {why}") for value, why in cases]
    items.insert(0, ("not a list", "not a list"))
    if spec.max_items is not None:
        items.append(([valid] * (spec.max_items + 1), f"more than {spec.max_items} items"))
    return items


def _pattern_sample_fails(pattern: str, value: str) -> bool:
    # pydantic searches (does not anchor) the pattern, so "fails" means no match anywhere
    return re.compile(pattern).search(value) is None


def py_block(value: Any, indent: int = 0, width: int = 100) -> str:
    """Like py_value, but a dict or list too long for one line gets one item a line."""
    flat = py_value(value)
    if indent + len(flat) + 12 <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{pad}{_py_literal(k)}: {py_block(v, indent + 4)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{pad}{py_block(v, indent + 4)}," for v in value]
    return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"


def literal_type(values: list[str], indent: int = 0, width: int = 100) -> str:
    """Literal["a", "b"], one value a line (trailing comma) when it does not fit."""
    flat = f"Literal[{', '.join(_py_literal(v) for v in values)}]"
    if indent + len(flat) + 20 <= width:
        return flat
    pad = " " * (indent + 4)
    return "Literal[\n" + "".join(f"{pad}{_py_literal(v)},\n" for v in values) + "]"


def py_value(value: Any) -> str:
    """A JSON-able value as short Python source for the generated tests ("x" * 101)."""
    if isinstance(value, str) and len(value) > 16 and len(set(value)) == 1:
        return f"{_py_literal(value[0])} * {len(value)}"
    if isinstance(value, list) and len(value) > 3 and all(v == value[0] for v in value):
        return f"[{py_value(value[0])}] * {len(value)}"
    if isinstance(value, list):
        return "[" + ", ".join(py_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py_literal(k)}: {py_value(v)}" for k, v in value.items()) + "}"
    return _py_literal(json.loads(json.dumps(value)))
