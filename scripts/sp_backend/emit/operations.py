"""Custom operations (plan: resources.X.operations.custom): what their generated route, schemas,
handler stub and red tests need, computed once so the templates stay close to the code.

Where the user's code goes, and why there: each operation gets its own created-once handler
module, app/extensions/<collection>_<name>.py. The per-resource extension module
(app/extensions/<collection>.py) is created once too, so a stub for an operation added to the
plan later could never be written into it; a module of its own per operation is created the
first emit that knows the operation, with the exact signature the generated route calls, and is
the user's from then on. The generated route (app/routers/<collection>_operations.py) keeps what
the contract fixes: method, path, typed parameters, body and answer schemas, documented statuses,
authentication and, for an operation on one item, the owner-filtered load of that row (someone
else's row answers the not-owner status before the handler runs). The stub raises
`not_implemented` (app/utils/operations.py), a 501 in the error envelope, until it is replaced.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sp_backend.emit.fields import (
    FieldView,
    _create_decl,
    build_field,
    literal_type,
    public_decl,
    py_literal,
)
from sp_backend.emit.naming import class_name
from sp_backend.plan.model import CustomOperation, FieldSpec, Resource

if TYPE_CHECKING:
    from sp_backend.emit.context import ResourceView

# The call a stub makes; emit reports an operation whose handler module still makes it.
STUB_MARKER = "not_implemented("
PARAM_TYPES = {
    "str": "Annotated[str, Path(min_length=1, max_length=200)]",
    "int": "Annotated[int, Path(ge=1, le=2_147_483_647)]",
    "uuid": "UUID",
}
QUERY_PY = {"str": "str", "text": "str", "int": "int", "float": "float", "bool": "bool"}


@dataclass
class OpField:
    """One field of an operation's body or answer."""

    name: str
    wire: str  # its JSON key
    view: FieldView
    decl: str  # in the request schema
    public_decl: str  # in the answer schema
    sample: Any


def _op_field(
    resource: Resource, owner: str, name: str, spec: FieldSpec, where: str, words: str = ""
) -> OpField:
    """The field under the resource's JSON convention (or its own json_name): read from that
    key in a body, written under it in an answer. words: what an object field is (its class's
    docstring)."""
    words = f"the {name} {words}: validated here" if words else ""
    view = build_field(owner, name, spec, where, owned=False, words=words or None)
    py_type = view.py_type
    if spec.type == "enum":
        py_type = literal_type(list(spec.values or []))
    nullable = " | None" if view.nullable else ""
    wire = resource.op_wire(name, spec)
    return OpField(
        name=name,
        wire=wire,
        view=view,
        decl=_create_decl(name, spec, py_type, wire),
        public_decl=public_decl(name, f"{py_type}{nullable}", wire),
        sample=view.valid_value,
    )


def _fits(spec: FieldSpec, value: Any) -> bool:
    """Whether a contract example can stand as a test value for the field (else a generated one
    that satisfies every constraint is used)."""
    if value is None:
        return False
    kind = spec.type
    if kind in ("str", "text"):
        if not isinstance(value, str):
            return False
        if spec.min_length is not None and len(value) < spec.min_length:
            return False
        if spec.max_length is not None and len(value) > spec.max_length:
            return False
        return not spec.pattern or re.fullmatch(spec.pattern, value) is not None
    if kind == "enum":
        return value in (spec.values or [])
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        low = spec.ge if spec.ge is not None else spec.gt
        high = spec.le if spec.le is not None else spec.lt
        return ok and (low is None or value >= low) and (high is None or value <= high)
    if kind == "bool":
        return isinstance(value, bool)
    return False  # dates, decimals, ...: the generated value is known to validate


@dataclass
class OperationView:
    name: str
    op: CustomOperation
    r: ResourceView

    # names -----------------------------------------------------------------------------------
    @property
    def func(self) -> str:
        return f"{self.name}_{self.r.name}"

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    @property
    def handler_module(self) -> str:
        """Module under app/extensions/ holding the user's handler."""
        return f"{self.r.collection}_{self.name}"

    @property
    def handler_file(self) -> str:
        return f"app/extensions/{self.handler_module}.py"

    @property
    def route_path(self) -> str:
        return self.op.path.replace("{id}", "{" + self.r.id_param + "}")

    @property
    def full_path(self) -> str:
        return self.r.prefix + self.route_path

    @property
    def endpoint(self) -> str:
        return f"{self.op.method} {self.full_path}"

    @property
    def on_item(self) -> bool:
        return self.op.on_item

    @property
    def loads_row(self) -> bool:
        """The route loads the caller's row before the handler runs."""
        return self.on_item and self.op.scope == "owner"

    @property
    def needs_user(self) -> bool:
        return self.op.auth

    # schemas ---------------------------------------------------------------------------------
    @property
    def request_cls(self) -> str | None:
        return None if self.op.request is None else f"{self.r.cls}{class_name(self.name)}Request"

    @property
    def request_fields(self) -> list[OpField]:
        where = f"resources.{self.r.name}.operations.custom.{self.name}.request"
        specs = (self.op.request or {}).items()
        # An object's class is named after the operation too: its shape is this body's own.
        owner = f"{self.r.name}_{self.name}_request"
        words = f"sent to {self.name}"
        return [_op_field(self.r.plan, owner, n, s, where, words) for n, s in specs]

    @property
    def object_classes(self) -> list[str]:
        """The classes of the objects in this operation's body and answer."""
        fields = [*self.request_fields, *self.response_fields]
        return [c for f in fields for c in f.view.object_classes]

    @property
    def own_response(self) -> bool:
        return isinstance(self.op.response, dict)

    @property
    def response_item_cls(self) -> str | None:
        if self.op.response == "none":
            return None
        if self.own_response:
            return f"{self.r.cls}{class_name(self.name)}Response"
        return f"{self.r.cls}Public"

    @property
    def wrapped(self) -> bool:
        """It answers one row of the resource, so in the envelope the CRUD answers use."""
        return (
            self.op.response == "resource"
            and not self.op.response_list
            and self.r.envelope != "none"
        )

    @property
    def response_cls(self) -> str | None:
        """What the route validates the handler's answer into (a RootModel for a list)."""
        if self.response_item_cls is None:
            return None
        if self.wrapped:
            return f"{self.r.cls}Answer"
        if self.op.response_list:
            return f"{self.r.cls}{class_name(self.name)}List"
        return self.response_item_cls

    @property
    def response_fields(self) -> list[OpField]:
        if not isinstance(self.op.response, dict):
            return []
        where = f"resources.{self.r.name}.operations.custom.{self.name}.response"
        specs = self.op.response.items()
        owner = f"{self.r.name}_{self.name}_response"
        words = f"answered by {self.name}"
        return [_op_field(self.r.plan, owner, n, s, where, words) for n, s in specs]

    @property
    def response_keys(self) -> list[str]:
        """Keys the answer (or each item of it) must have."""
        if isinstance(self.op.response, dict):
            return [
                self.r.plan.op_wire(n, s)
                for n, s in self.op.response.items()
                if s.required or not s.is_nullable
            ]
        if self.op.response == "resource":
            return ["id"]
        return []

    @property
    def handler_returns(self) -> str:
        if self.response_item_cls is None:
            return "None"
        item = self.response_item_cls
        if self.op.response == "resource":
            item = f"{self.r.cls} | {item}"
        return f"list[{item}]" if self.op.response_list else item

    # parameters ------------------------------------------------------------------------------
    @property
    def path_params(self) -> list[tuple[str, str]]:
        """(name, annotation) of the path parameters other than the item's id."""
        return [(n, PARAM_TYPES[t]) for n, t in self.op.params.items()]

    @property
    def query_params(self) -> list[tuple[str, str, str]]:
        """(name, annotation, the handler's annotation) of the query parameters."""
        found = []
        for name, spec in self.op.query.items():
            py = QUERY_PY.get(spec.type, "str")
            wire = self.r.plan.op_wire(name, spec)
            args = [f"alias={py_literal(wire)}"] if wire != name else []
            args += ["max_length=200"] if py == "str" else []
            found.append((name, f"Annotated[{py} | None, Query({', '.join(args)})]", py))
        return found

    @property
    def route_args(self) -> list[str]:
        r = self.r
        args: list[str] = []
        if self.on_item:
            args.append(f"{r.id_param}: {r.cls}Id")
        args += [f"{n}: {a}" for n, a in self.path_params]
        if self.request_cls:
            args.append(f"data: {self.request_cls}")
        args.append("session: SessionDep")
        if self.needs_user:
            args.append("user_id: CurrentUserId")
        return args + [f"{n}: {a} = None" for n, a, _ in self.query_params]

    @property
    def handler_args(self) -> list[str]:
        """Keyword arguments of the user's handler, annotated."""
        r = self.r
        args: list[str] = []
        if self.loads_row:
            args.append(f"row: {r.cls}")
        elif self.on_item:
            args.append(f"{r.id_param}: {r.id_py}")
        args += [
            f"{n}: {dict(str='str', int='int', uuid='UUID')[t]}" for n, t in self.op.params.items()
        ]
        if self.request_cls:
            args.append(f"data: {self.request_cls}")
        args += [f"{n}: {py} | None" for n, _, py in self.query_params]
        args.append("session: Session")
        if self.needs_user:
            args.append("user_id: UserId")
        return args

    @property
    def call_args(self) -> list[str]:
        r = self.r
        args: list[str] = []
        if self.loads_row:
            args.append("row=row")
        elif self.on_item:
            args.append(f"{r.id_param}={r.id_param}")
        args += [f"{n}={n}" for n in self.op.params]
        if self.request_cls:
            args.append("data=data")
        args += [f"{n}={n}" for n, _, _ in self.query_params]
        args.append("session=session")
        if self.needs_user:
            args.append("user_id=user_id")
        return args

    @property
    def uses_uuid(self) -> bool:
        return "uuid" in self.op.params.values() or (self.on_item and self.r.id_py == "UUID")

    # statuses --------------------------------------------------------------------------------
    @property
    def response_lines(self) -> list[str]:
        """The route's `responses` entries, each as ruff format lays it out (8 spaces in)."""
        lines = []
        for code, text in self.responses.items():
            one = f'{code}: {{"model": ErrorResponse, "description": {py_literal(text)}}},'
            if 8 + len(one) <= 100:
                lines.append(one)
            else:
                inner = " " * 12
                lines.append(
                    f'{code}: {{\n{inner}"model": ErrorResponse,\n{inner}"description": '
                    f"{py_literal(text)},\n        }},"
                )
        return lines

    @property
    def answers_text(self) -> str:
        """The contract's answers, for the handler's docstring."""
        parts = [f"{code}: {text}" for code, text in self.responses.items() if code != 501]
        return f"The contract's answers: {self.op.status} on success; " + "; ".join(parts) + "."

    @property
    def short_summary(self) -> str | None:
        """The summary OpenAPI shows (the decorator's line stays within 100 characters)."""
        return _shorten(self.op.summary, 80) if self.op.summary else None

    def doc(self, text: str, indent: int = 0, width: int = 96) -> str:
        """Text wrapped for a docstring at `indent` spaces."""
        pad = " " * indent
        text = text.replace(chr(34) * 3, "'").replace(chr(92), "/")
        return "\n".join(
            textwrap.wrap(
                text,
                width - indent,
                break_on_hyphens=False,
                break_long_words=False,
                subsequent_indent=pad,
            )
        )

    @property
    def responses(self) -> dict[int, str]:
        """Documented error statuses -> description, for OpenAPI."""
        found = {code: text for code, text in sorted(self.op.errors.items())}
        if self.on_item:
            found.setdefault(404, f"No such {self.r.words} for this user")
            if self.r.errors.not_owner_status == 403:
                found.setdefault(403, "Not yours")
        found.setdefault(501, "Not implemented yet")
        return {code: _one_line(text) for code, text in sorted(found.items())}

    # tests -----------------------------------------------------------------------------------
    @property
    def sample_body(self) -> dict[str, Any]:
        example = self.op.example_request if isinstance(self.op.example_request, dict) else {}
        body = {}
        for f in self.request_fields:
            given = example.get(f.wire, example.get(f.name))
            body[f.wire] = given if _fits(f.view.spec, given) else f.sample
        return body

    @property
    def required_request_fields(self) -> list[str]:
        return [f.wire for f in self.request_fields if f.view.spec.required]

    @property
    def sample_params(self) -> dict[str, Any]:
        samples = {"str": "sample-1", "int": 1, "uuid": "00000000-0000-4000-8000-000000000001"}
        return {n: samples[t] for n, t in self.op.params.items()}

    def test_url(self, id_expr: str = "row_id") -> str:
        """The request path as an f-string body: {id} from `id_expr`, others from samples."""
        path = self.op.path.replace("{id}", "{" + id_expr + "}")
        for name, value in self.sample_params.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    @property
    def contract_location(self) -> str:
        return self.op.source or f"plan: resources.{self.r.name}.operations.custom.{self.name}"


def _one_line(text: str) -> str:
    text = re.sub(r"^\W*[1-5]\d\d\b\W*", "", re.sub(r"\s+", " ", text)).strip()
    return _shorten(text, 70) or "Documented error"


def _shorten(text: str, width: int) -> str:
    return textwrap.shorten(re.sub(r"\s+", " ", text).strip(), width, placeholder="...")


def operation_views(r: ResourceView) -> list[OperationView]:
    return [OperationView(n, op, r) for n, op in sorted(r.plan.operations.custom.items())]


def pending(
    out_dir: Path, resources: list[ResourceView], feature: str | None = None
) -> list[dict[str, Any]]:
    """Every custom operation whose handler module is absent or still the stub (raises
    not_implemented), with its endpoint, handler file and contract location."""
    found = []
    for r in resources:
        if feature is not None and r.feature != feature:
            continue
        for view in operation_views(r):
            handler = out_dir / view.handler_file
            text = handler.read_text(encoding="utf-8") if handler.is_file() else ""
            if not text or STUB_MARKER in text:
                found.append(
                    {
                        "feature": r.feature,
                        "resource": r.name,
                        "operation": view.name,
                        "endpoint": view.endpoint,
                        "handler": view.handler_file,
                        "tests": f"tests/test_{r.collection}_operations.py",
                        "source": view.contract_location,
                    }
                )
    return found


__all__ = ["STUB_MARKER", "OperationView", "operation_views", "pending", "py_literal"]
