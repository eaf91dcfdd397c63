"""The view of one or more plans that the templates read: names, declarations and test samples
computed here so the templates stay close to the code they produce."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sp_backend.emit import access
from sp_backend.emit.derived import DerivedView, derived_views
from sp_backend.emit.embeds import link_embeds
from sp_backend.emit.envelope import EnvelopeView
from sp_backend.emit.fields import Call, FieldView, build_field, public_decl, py_literal
from sp_backend.emit.filters import AnyOfView, RangeView, any_of_views, range_views
from sp_backend.emit.naming import class_name, title_words
from sp_backend.emit.operations import OperationView, operation_views
from sp_backend.emit.references import link_references, refusal_answers, still_referred
from sp_backend.emit.samples import distinct_values
from sp_backend.errors import PlanError
from sp_backend.plan.envelopes import ANSWER_MARKERS, ANSWER_SHAPES, ERROR_SHAPES
from sp_backend.plan.load import cite
from sp_backend.plan.model import (
    DEFAULT_META,
    ID_RANDOM_LENGTH,
    AuthConfig,
    BackendPlan,
    ErrorConventions,
    FieldSpec,
    ListOperation,
    Resource,
    ResponseConventions,
    role_word,
)

USER_ID_PY = {"str": "str", "uuid": "UUID", "int": "int"}
ID_PY = {"uuid": "UUID", "int": "int", "str": "str"}
TIMESTAMPS = ("created_at", "updated_at")
SAMPLE_USERS = {
    "str": ("user-alice-0001", "user-bob-0002"),
    "uuid": ("3f2b8c1e-6d4a-4b7f-9c2e-1a5d7e9f0b3c", "8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d"),
    "int": (1001, 1002),
}
SAMPLE_TENANTS = {
    "str": ("org-north-01", "org-south-02"),
    "uuid": ("6c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", "d4c3b2a1-0f9e-4d8c-9b7a-6f5e4d3c2b1a"),
    "int": (501, 502),
}


@dataclass
class SortView:
    fields: list[str]
    default_field: str
    default_descending: bool
    param: str
    order_param: str | None
    enum_ranks: dict[str, list[str]]  # enum sort fields: rank order of their values
    words: dict[str, str]  # sort field -> the word the sort parameter names it by (its JSON key)

    @property
    def choices(self) -> list[str]:
        """Values the sort parameter accepts."""
        if self.order_param:
            return [self.words[f] for f in self.fields]
        return [v for f in self.fields for v in (self.words[f], f"-{self.words[f]}")]

    @property
    def default_value(self) -> str:
        word = self.words[self.default_field]
        if self.order_param:
            return word
        return f"-{word}" if self.default_descending else word


META_TYPES = {
    "total": "int",
    "count": "int",
    "page": "int",
    "page_size": "int",
    "limit": "int",
    "offset": "int",
    "total_pages": "int",
    "has_next": "bool",
    "has_previous": "bool",
    "next_cursor": "str | None",
}


META_DESCRIPTIONS = {
    "total": "Rows matching the query, on every page",
    "count": "Rows on this page",
    "page": "This page's number, from 1",
    "page_size": "Rows per page",
    "limit": "Rows per page at most",
    "offset": "Rows skipped before this page",
    "total_pages": "Pages in all",
}


def _aliased(name: str, wire: str, annotation: str) -> str:
    """`name: annotation`, with the wire name as its alias when the two differ."""
    return f"{name}: {annotation}" + ("" if wire == name else f" = Field(alias={py_literal(wire)})")


@dataclass
class ListShapeView:
    """The list answer as the contract shows it (ListResponse) and the query parameters'
    names (Pagination), for one resource."""

    cls: str
    op: ListOperation
    # What the envelope adds beside the items ("success": true, a message), if anything.
    envelope: EnvelopeView | None = None

    @property
    def in_envelope(self) -> bool:
        """The page sits inside the envelope's data key ({"success": true, "data": {page}})."""
        return self.op.response.in_envelope

    @property
    def data_key(self) -> str:
        return self.envelope.responses.data_key if self.envelope is not None else "data"

    @property
    def added(self) -> dict[str, Any]:
        """Key -> value the envelope adds beside the items, or beside the page when it holds
        the page (a bare array has no room: the plan refuses that)."""
        return {} if self.envelope is None or self.bare else self.envelope.added("list")

    @property
    def added_source(self) -> str:
        """Those keys as the leading items of a Python dict display (beside the items)."""
        if self.envelope is None or self.bare or self.in_envelope:
            return ""
        return self.envelope.items_source("list")

    @property
    def answer_source(self) -> str:
        """in_envelope: the envelope's keys as the leading items of a dict display."""
        return self.envelope.items_source("list") if self.envelope is not None else ""

    @property
    def page_path(self) -> str:
        """Subscript that takes the page out of the parsed body: '["data"]' or ''."""
        return f"[{py_literal(self.data_key)}]" if self.in_envelope else ""

    @property
    def page_answer_decl(self) -> str:
        return _aliased("data", self.data_key, f"{self.cls}Page")

    @property
    def added_keys_source(self) -> str:
        """The keys beside the items as leading items of a set display: '"success", '."""
        return "".join(f"{py_literal(k)}, " for k in self.added)

    @property
    def added_decls(self) -> list[str]:
        """The envelope's attributes beside the items (none when it holds the page)."""
        if self.envelope is None or self.bare or self.in_envelope:
            return []
        return self.envelope.decls

    @property
    def answer_decls(self) -> list[str]:
        """in_envelope: the envelope's attributes beside the page."""
        return self.envelope.decls if self.envelope is not None else []

    @property
    def style(self) -> str:
        return self.op.pagination.style

    @property
    def items_key(self) -> str | None:
        return self.op.response.items

    @property
    def bare(self) -> bool:
        return self.items_key is None

    @property
    def rows_key(self) -> str:
        """Subscript that takes the rows out of the parsed body: '["data"]', or '' (bare)."""
        return "" if self.items_key is None else f"{self.page_path}[{py_literal(self.items_key)}]"

    @property
    def metadata(self) -> str:
        return self.op.response.metadata

    @property
    def meta_key(self) -> str:
        return self.op.response.metadata_key

    @property
    def meta(self) -> dict[str, str]:
        """Metadata item -> JSON key or header name."""
        return self.op.response.meta_names(self.style)

    @property
    def body_meta(self) -> dict[str, str]:
        return self.meta if self.metadata in ("nested", "flat") else {}

    @property
    def header_meta(self) -> dict[str, str]:
        """Metadata items sent as headers, links (the Link header) left out."""
        if self.metadata != "headers":
            return {}
        return {k: v for k, v in self.meta.items() if k != "links"}

    @property
    def header_docs(self) -> list[tuple[str, str]]:
        """(header, what it carries) of the numeric headers, for the OpenAPI document."""
        return [(name, META_DESCRIPTIONS[key]) for key, name in self.header_meta.items()]

    @property
    def links(self) -> bool:
        return self.metadata == "headers" and "links" in self.meta

    @property
    def headers(self) -> list[str]:
        return list(self.header_meta.values()) + (["Link"] if self.links else [])

    @property
    def is_default(self) -> bool:
        return (
            self.items_key == "items"
            and self.metadata == "nested"
            and self.meta_key == "pagination"
            and self.meta == {k: k for k in DEFAULT_META[self.style]}
        )

    @property
    def meta_decls(self) -> list[str]:
        return [_aliased(k, v, META_TYPES[k]) for k, v in self.body_meta.items()]

    @property
    def items_decl(self) -> str:
        return _aliased("items", self.items_key or "items", f"list[{self.cls}Public]")

    @property
    def nested_decl(self) -> str:
        return _aliased("meta", self.meta_key, f"{self.cls}PageMeta")

    @property
    def summary(self) -> str:
        """The answer's shape in one line of JSON-like text."""
        meta = ", ".join(f'"{v}"' for v in self.body_meta.values())
        text = "a bare JSON array" if self.bare else f'{{"{self.items_key}": [...]'
        if self.added and not self.in_envelope:
            text = "{" + self.envelope.shape_text + ", " + text[1:]  # type: ignore[union-attr]
        if self.metadata == "nested":
            text += f', "{self.meta_key}": {{{meta}}}}}'
        elif self.metadata == "flat":
            text += f", {meta}}}"
        elif not self.bare:
            text += "}"
        if self.in_envelope and self.envelope is not None:
            added = self.envelope.shape_text + ", " if self.added else ""
            text = f'{{{added}"{self.data_key}": {text}}}'

        if self.headers:
            text += "; page metadata in headers " + ", ".join(self.headers)
        return text

    @property
    def summary_lines(self) -> list[str]:
        return textwrap.wrap(self.summary, 92, break_on_hyphens=False)

    # query parameters ------------------------------------------------------------------------
    @property
    def params(self) -> dict[str, str]:
        """Pagination concept (page, page_size, limit, offset, cursor) -> its query name."""
        return self.op.pagination.param_names

    @property
    def size(self) -> str:
        return "page_size" if self.style == "page" else "limit"

    def _param(self, concept: str, annotation: str, args: list[str]) -> str:
        """A ListParams attribute named for the concept, aliased to the contract's name."""
        wire = {
            **self.params,
            "search": self.op.search_param,
            "sort": self.op.sort.param,
            "order": self.op.sort.order_param or "order",
        }[concept]
        alias = [] if wire == concept else [f"alias={py_literal(wire)}"]
        return Call(f"{concept}: {annotation} = Field", args + alias).render(4)

    @property
    def pagination_decls(self) -> list[str]:
        pg = self.op.pagination
        size = self._param(self.size, "int", [str(pg.default), "ge=1", f"le={pg.max}"])
        if self.style == "page":
            return [self._param("page", "int", ["1", "ge=1", "le=1_000_000"]), size]
        if self.style == "offset":
            return [size, self._param("offset", "int", ["0", "ge=0", "le=1_000_000_000"])]
        # Opaque: only a next_cursor the server answered is valid. The pattern (the alphabet of
        # unpadded URL-safe base64 the server writes) is what a schema can state; the rest is
        # in the description.
        cursor = [
            "None",
            "min_length=1",
            "max_length=512",
            'pattern=r"^[A-Za-z0-9_-]+$"',
            'description="next_cursor of the previous page, as answered; opaque: any other '
            'is refused"',
        ]
        return [size, self._param("cursor", "str | None", cursor)]

    def order_decls(self, search: bool, sort_default: str, descending: bool) -> list[str]:
        """search, sort and order, those this list takes."""
        decls = []
        if search:
            decls.append(
                self._param("search", "str | None", ["None", "min_length=1", "max_length=200"])
            )
        if self.style != "cursor":
            decls.append(self._param("sort", f"{self.cls}Sort", [py_literal(sort_default)]))
            if self.op.sort.order_param:
                direction = py_literal("desc" if descending else "asc")
                decls.append(self._param("order", 'Literal["asc", "desc"]', [direction]))
        return decls


@dataclass
class ChoiceView:
    """A list query parameter whose words select values of a field (see ChoiceFilter)."""

    param: str
    field: FieldView
    values: dict[str, Any]
    default: str | None

    @property
    def constant(self) -> str:
        return f"{self.param.upper()}_CHOICES"

    @property
    def words(self) -> list[str]:
        return list(self.values)

    @property
    def value_type(self) -> str:
        return "bool | None" if self.field.type == "bool" else "str | None"

    @property
    def selected_values(self) -> list[Any]:
        """The field values the words select, each once."""
        return list(dict.fromkeys(v for v in self.values.values() if v is not None))


def role_gate(roles: list[str]) -> str:
    """The dependency's name for a set of roles: require_admin, require_admin_or_editor."""
    words = [role_word(role) for role in sorted(roles)]
    return "require_" + "_or_".join(words)


@dataclass
class ResourceView:
    name: str
    plan: Resource
    feature: str
    fields: list[FieldView]
    owner_py: str | None
    id_py: str
    tenant_py: str | None
    sort: SortView | None
    errors: ErrorConventions
    sample_users: tuple[Any, Any]
    indexes: list[tuple[str, list[str]]] = field(default_factory=list)
    # References this resource's fields make, and those other resources make to it
    # (emit/references.py: link_references).
    references: list[Any] = field(default_factory=list)
    referenced_by: list[Any] = field(default_factory=list)
    # What its answers embed (plan: embed; emit/embeds.py: link_embeds).
    summaries: list[Any] = field(default_factory=list)
    counts: list[Any] = field(default_factory=list)
    responses: ResponseConventions = field(default_factory=ResponseConventions)
    # auth.mode local: what deleting an account does to its rows (auth.accounts.owner_on_delete,
    # "cascade" or "restrict"); the owner column is then a foreign key to users.id. None when the
    # users live elsewhere (a token mode without accounts) or nothing is owned.
    owner_on_delete: str | None = None
    # A client-given id (plan id_given): the create body's id, as a field of its own (required,
    # the contract's pattern and length, immutable); None when the server makes the id.
    given_id: FieldView | None = None

    # the row's id ----------------------------------------------------------------------------
    @property
    def id_pattern(self) -> str | None:
        """id str: what every id matches (the path parameter and references refuse others)."""
        return self.plan.id_pattern

    @property
    def id_length(self) -> int | None:
        return self.plan.id_length

    @property
    def id_prefix(self) -> str:
        return self.plan.id_prefix or ""

    @property
    def id_random_length(self) -> int:
        return ID_RANDOM_LENGTH

    @property
    def new_id_function(self) -> str:
        """id str: the model module's function that makes a new id."""
        return f"new_{self.name}_id"

    @property
    def missing_id(self) -> str:
        """id str: a well-formed id no row has (the random part is all zeros; a client-given
        id: a valid one past those the tests give rows)."""
        if self.given_id is not None:
            return self.given_ids[-1]
        return self.id_prefix + "0" * ID_RANDOM_LENGTH

    @property
    def keyed_per_owner(self) -> bool:
        """The row's key is (id, owner): client-given ids, each user with their own."""
        return self.plan.keyed_per_owner

    @property
    def given_ids(self) -> list[str]:
        """A client-given id: distinct valid ids for the rows tests make (the last is kept for
        MISSING_ID, which no row has)."""
        f = self.given_id
        if f is None:
            return []
        values = distinct_values(f.spec, f.valid_value, GIVEN_ID_SAMPLES + 1)
        if len(values) < 10:
            raise PlanError(
                f"{self.feature}: resources.{self.name}.id_given: pattern "
                f"{self.plan.id_pattern!r} leaves too few distinct ids for the tests; give "
                "an example id the pattern has room to vary"
            )
        return [str(v) for v in values]

    @property
    def other_users_ids(self) -> dict[str, str]:
        """Ids unique across every user: the id another user's test row takes for each id the
        tests give Alice's rows."""
        ids = self.given_ids
        return dict(zip(ids[:8], ids[8:16], strict=False))

    @property
    def malformed_id(self) -> str:
        """A path id the id's pattern or length refuses (characters safe in a URL path)."""
        pattern = self.id_pattern
        if pattern is None:
            return "not-an-id"
        for candidate in ("not-an-id", "NOT_AN_ID", "~", "-", "0" * 3, "x", "not.an.id"):
            if not re.fullmatch(pattern, candidate):
                return candidate
        return "x" * ((self.id_length or 0) + 1)

    # names -----------------------------------------------------------------------------------
    @property
    def cls(self) -> str:
        return class_name(self.name)

    @property
    def words(self) -> str:
        return title_words(self.name)

    @property
    def module(self) -> str:
        return self.name

    @property
    def table(self) -> str:
        return self.plan.table

    @property
    def collection(self) -> str:
        """Plural used in function names (list_tasks) and the router module."""
        return self.plan.table

    @property
    def id_param(self) -> str:
        return f"{self.name}_id"

    @property
    def prefix(self) -> str:
        return self.plan.path

    @property
    def owner(self) -> str | None:
        return self.plan.owner

    @property
    def owner_fk(self) -> bool:
        """The owner column is a foreign key to users.id (auth.mode local)."""
        return self.owner is not None and self.owner_on_delete is not None

    @property
    def owner_sql_on_delete(self) -> str:
        return {"cascade": "CASCADE", "restrict": "RESTRICT"}[str(self.owner_on_delete)]

    @property
    def owner_fk_name(self) -> str:
        return f"fk_{self.table}_{self.owner}_users"[:63]

    @property
    def owner_model_decl(self) -> str:
        """The model's owner column: indexed alone unless the composite indexes (which lead
        with it) cover it; in local mode a foreign key to the account that owns the row."""
        kw: list[Any] = ["max_length=255"] if self.owner_py == "str" else []
        if self.owner_fk:
            kw += ['foreign_key="users.id"', f"ondelete={py_literal(self.owner_sql_on_delete)}"]
        if self.keyed_per_owner:
            kw.append("primary_key=True")  # with id: ids the client gives, unique per owner
        if not self.indexes:
            kw.append("index=True")
        kw.append("nullable=False")
        return Call(f"{self.owner}: {self.owner_py} = Field", kw).render(4)

    # tenant ---------------------------------------------------------------------------------
    @property
    def tenant(self) -> str | None:
        """The column holding the row's tenant (resources.<name>.tenant), set from the token."""
        return self.plan.tenant

    @property
    def scope_column(self) -> str | None:
        """The column that leads the composite indexes and unique constraints: the tenant's,
        else the owner's (the filter every list query carries)."""
        return self.tenant or self.owner

    @property
    def tenant_model_decl(self) -> str:
        kw: list[Any] = ["max_length=255"] if self.tenant_py == "str" else []
        if not self.indexes:
            kw.append("index=True")
        kw.append("nullable=False")
        return Call(f"{self.tenant}: {self.tenant_py} = Field", kw).render(4)

    # access ---------------------------------------------------------------------------------
    @property
    def read_rule(self) -> str:
        """owner, signed_in or public: who lists and gets rows (plan access.read); within the
        tenant, for a tenant-scoped resource."""
        return self.plan.access.read_rule(self.plan.default_owned)

    @property
    def write_rule(self) -> str:
        """owner or signed_in: who changes rows (plan access.write)."""
        return self.plan.access.write_rule(self.plan.default_owned)

    @property
    def reads_owned(self) -> bool:
        """Reads carry the owner filter: each caller lists and gets only their own rows."""
        return self.owner is not None and self.read_rule == "owner"

    @property
    def writes_owned(self) -> bool:
        """Writes carry the owner filter: only the row's owner changes it."""
        return self.owner is not None and self.write_rule == "owner"

    @property
    def every_row(self) -> list[str]:
        """Roles the owner filter lets through (they reach every row)."""
        return list(self.plan.access.every_row) if self.owner is not None else []

    @property
    def reads_every_row(self) -> bool:
        return bool(self.every_row) and self.reads_owned

    @property
    def writes_every_row(self) -> bool:
        return bool(self.every_row) and self.writes_owned

    @property
    def access_stated(self) -> bool:
        """The plan states access rules for this resource (its access tests are generated)."""
        access = self.plan.access
        return bool(access.read or access.write or access.roles or access.every_row or self.tenant)

    def gate(self, operation: str) -> str | None:
        """The dependency refusing callers without the roles an operation needs, or None."""
        roles = self.plan.access.roles.get(operation)
        return role_gate(roles) if roles else None

    @property
    def gates(self) -> list[tuple[str, list[str], str]]:
        """(operation, roles, dependency) for each role-gated operation."""
        return [(op, list(roles), role_gate(roles)) for op, roles in self.plan.access.roles.items()]

    @property
    def path_user(self) -> bool:
        return self.plan.path_has_user_id

    @property
    def ops(self) -> Any:
        return self.plan.operations

    @property
    def list_op(self) -> Any:
        return self.plan.operations.list

    @property
    def pagination(self) -> Any:
        return self.plan.operations.list.pagination if self.plan.operations.list else None

    @property
    def shape(self) -> ListShapeView | None:
        op = self.plan.operations.list
        return ListShapeView(self.cls, op, self.answers) if op else None

    @property
    def answer_messages(self) -> dict[str, str]:
        """Operation -> the message beside its answer, for the CRUD operations and actions."""
        names = [
            n for n in self.plan.answering_operations() if n not in self.plan.operations.custom
        ]
        return {name: self.answers.message(name) for name in names}

    @property
    def answers(self) -> EnvelopeView:
        """What the envelope adds beside the data of each operation's answer."""
        return EnvelopeView(
            self.responses, self.plan.messages, self.words, title_words(self.collection)
        )

    # answers ---------------------------------------------------------------------------------
    @property
    def envelope(self) -> str:
        """How a single object is answered: none, data, success or status (ResponseConventions)."""
        return self.responses.envelope

    @property
    def answer_cls(self) -> str:
        """The response model of create, read, update, replace and actions."""
        return f"{self.cls}Public" if self.envelope == "none" else f"{self.cls}Answer"

    @property
    def data_key(self) -> str:
        return self.responses.data_key

    @property
    def unique_samples(self) -> dict[str, list[Any]]:
        """Unique fields a suffix cannot vary (a pattern, a number): a distinct valid value for
        each row a test creates (the n-th row's at index n; VALID's is the first)."""
        varying = set(self.varying_fields)
        found = {}
        for f in self.writable_fields:
            if f.spec.unique and f.wire not in varying:
                values = distinct_values(f.spec, f.valid_value, 8)
                if values:
                    found[f.wire] = values
        return found

    @property
    def answer_decl(self) -> str:
        return _aliased("data", self.data_key, f"{self.cls}Public")

    def message(self, situation: str) -> str | None:
        """The contract's message for not_found or forbidden, if it states one."""
        stated = getattr(self.plan.messages, situation)
        return stated or self.errors.messages.get(situation)

    @property
    def not_found_message(self) -> str:
        return self.message("not_found") or f"{self.words.capitalize()} not found"

    @property
    def forbidden_message(self) -> str:
        return self.message("forbidden") or f"You may not access this {self.words}"

    @property
    def conflict_messages(self) -> list[tuple[str, str, str]]:
        """(unique field, its constraint's name, the contract's message when it is taken)."""
        return [
            (name, f"uq_{self.table}_{name}", message)
            for name, message in sorted(self.plan.messages.conflict.items())
        ]

    @property
    def actions(self) -> list[tuple[str, Any]]:
        return sorted(self.plan.operations.actions.items())

    def action_body(self, name: str) -> str:
        """The body schema of an action whose body carries the value (effect body)."""
        return f"{self.cls}{class_name(name)}Body"

    def schema_names(self, suffixes: list[str]) -> list[str]:
        """Schema classes a module may import (<Cls><suffix> and the action bodies), in the
        order ruff's isort keeps them."""
        names = [self.cls + suffix for suffix in suffixes]
        names += [self.action_body(name) for name, _, _ in self.body_actions]
        return sorted(names)

    @property
    def body_actions(self) -> list[tuple[str, Any, FieldView]]:
        """(name, action, its field) of each action whose body carries the value."""
        fields = self.field_map
        return [(n, a, fields[a.field]) for n, a in self.actions if a.effect == "body"]

    @property
    def input_fields(self) -> list[FieldView]:
        """Fields some request body carries: the writable ones and those body actions set."""
        set_by_actions = {f.name for _, _, f in self.body_actions}
        return [f for f in self.fields if f.writable or f.name in set_by_actions]

    @property
    def operations(self) -> list[OperationView]:
        """Custom operations: served by app/routers/<collection>_operations.py."""
        return operation_views(self)

    @property
    def parent_ref(self) -> Any:
        """The reference to the row this resource is nested under (plan: parent); None when
        its routes are not nested."""
        return next((ref for ref in self.references if ref.column == self.plan.parent), None)

    @property
    def ancestry(self) -> list[Any]:
        """The references from this resource up the path: to its parent, from the parent to
        its own parent, ... (empty when not nested)."""
        chain: list[Any] = []
        current: ResourceView = self
        while current.parent_ref is not None:
            chain.append(current.parent_ref)
            current = current.parent_ref.target
        return chain

    @property
    def body_references(self) -> list[Any]:
        """The references a request body carries (the parent's id comes from the path)."""
        return [ref for ref in self.references if ref is not self.parent_ref]

    @property
    def restricting(self) -> list[Any]:
        """References to this resource whose rows keep it from being deleted (restrict)."""
        return [ref for ref in self.referenced_by if ref.on_delete == "restrict"]

    def refusals(self, said: dict[int, str]) -> list[tuple[int, list[str]]]:
        """What a write naming a row its references cannot name is answered, for the OpenAPI."""
        return refusal_answers(self, said)

    @property
    def still_referred(self) -> str:
        return still_referred(self)

    @property
    def related_models(self) -> list[tuple[str, str]]:
        """(module, class) of this model and of those its references involve, sorted."""
        pairs = {(self.module, self.cls)}
        pairs |= {(ref.target.module, ref.target.cls) for ref in self.references}
        pairs |= {(ref.target.module, ref.target.cls) for ref in self.ancestry}
        pairs |= {(ref.source.module, ref.source.cls) for ref in self.restricting}
        pairs |= {(count.child.module, count.child.cls) for count in self.counts}
        return sorted(pairs)

    @property
    def answer_only_keys(self) -> list[str]:
        """The JSON keys an answer carries that no create body may: the id, the owner, the
        timestamps, the parent the path names, what the answer embeds."""
        names = ["id", *([self.owner] if self.owner else [])]
        names += ["created_at", "updated_at"] if self.timestamps else []
        names += [self.plan.parent] if self.plan.parent else []
        keys = [self.wire(name) for name in names]
        return keys + [e.wire for e in [*self.summaries, *self.counts]]

    @property
    def embeds(self) -> bool:
        """Its answers embed related data (summaries, counts)."""
        return bool(self.summaries or self.counts)

    @property
    def embedded_models(self) -> list[tuple[str, str]]:
        """(module, class) of the resources its answers embed, sorted."""
        pairs = {(s.target.module, s.target.cls) for s in self.summaries}
        pairs |= {(n.child.module, n.child.cls) for n in self.counts}
        return sorted(pairs)

    @property
    def embeds_by_owner(self) -> bool:
        """An embedded value is filtered by the caller's id (bound as `owner`)."""
        return any(e.owner_filtered for e in [*self.summaries, *self.counts])

    @property
    def timestamps(self) -> bool:
        return self.plan.timestamps

    def wire(self, name: str) -> str:
        """The JSON key of a field, the owner column, the id or a timestamp."""
        return self.plan.wire(name)

    @property
    def owner_wire(self) -> str | None:
        return self.plan.wire(self.owner) if self.owner else None

    @property
    def owner_public_decl(self) -> str:
        return public_decl(str(self.owner), str(self.owner_py), self.wire(str(self.owner)))

    @property
    def timestamp_decls(self) -> list[str]:
        return [public_decl(name, "datetime", self.wire(name)) for name in TIMESTAMPS]

    @property
    def writable_fields(self) -> list[FieldView]:
        """What a create body holds: a client-given id first, then the writable fields."""
        given = [self.given_id] if self.given_id is not None else []
        return given + [f for f in self.fields if f.writable]

    @property
    def immutable_fields(self) -> list[FieldView]:
        """Given on create, refused by PATCH and PUT (the message names the JSON key)."""
        given = [self.given_id] if self.given_id is not None else []
        return given + [f for f in self.fields if f.immutable]

    @property
    def immutable_keys(self) -> dict[str, str]:
        """Immutable field -> its JSON key (the refusal's message names the key)."""
        return {f.name: f.wire for f in self.immutable_fields}

    @property
    def replace_summary(self) -> str:
        """The PUT body's docstring: what it replaces and what it keeps."""
        replaced = ", ".join(f.wire for f in self.replace_fields) or "nothing"
        kept = [f.wire for f in self.writable_fields if f not in self.replace_fields]
        fixed = [f.wire for f in self.immutable_fields]
        text = f"Replaces {replaced} (one left out is reset to its default)"
        others = [k for k in kept if k not in fixed]
        if others:
            text += f"; keeps {', '.join(others)}"
        if fixed:
            text += f"; {', '.join(fixed)} cannot be changed after creation"
        return text + "."

    @property
    def changeable_fields(self) -> list[FieldView]:
        """What a PATCH body may hold."""
        return [f for f in self.fields if f.changeable]

    @property
    def replace_fields(self) -> list[FieldView]:
        """What a PUT body holds (each reset to its default when left out, unless required):
        the fields operations.replace.fields names, else every field a PATCH may change."""
        named = self.plan.operations.replace.fields if self.plan.operations.replace else None
        if named is None:
            return self.changeable_fields
        return [f for f in self.changeable_fields if f.name in named]

    @property
    def kept_by_replace(self) -> list[FieldView]:
        """Fields a PATCH may change that a PUT leaves as they are (and refuses in its body)."""
        return [f for f in self.changeable_fields if f not in self.replace_fields]

    @property
    def replace_schema(self) -> str:
        """PUT takes the Create schema unless it replaces fewer fields than create sets."""
        if len(self.replace_fields) == len(self.writable_fields):
            return f"{self.cls}Create"
        return f"{self.cls}Replace"

    @property
    def enum_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.enum_alias]

    @property
    def object_classes(self) -> list[str]:
        """The classes of the object fields (app/models: the table holds them as JSON)."""
        return [c for f in self.fields for c in f.object_classes]

    @property
    def model_names(self) -> list[str]:
        """What the schemas import from the model's module: enum aliases and object classes."""
        return [a for f in self.fields for a in (f.enum_alias, f.object_alias) if a]

    @property
    def unique_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.spec.unique]

    @property
    def filters(self) -> list[FieldView]:
        wanted = self.list_op.filters if self.list_op else []
        return [f for f in self.fields if f.name in wanted]

    @property
    def any_of(self) -> list[AnyOfView]:
        return any_of_views(self.list_op, self.field_map)

    @property
    def ranges(self) -> list[RangeView]:
        return range_views(self.list_op, self.field_map)

    @property
    def derived(self) -> list[DerivedView]:
        return derived_views(self.list_op, self.field_map)

    @property
    def filtered_fields(self) -> list[FieldView]:
        """Fields some list filter reads (equality, any_of, range or a derived filter's
        clause): each gets an index."""
        names = {f.name for f in self.filters} | {a.name for a in self.any_of}
        names |= {rg.field.name for rg in self.ranges}
        names |= {c.column for d in self.derived for c in d.clauses}
        return [f for f in self.fields if f.name in names]

    @property
    def choices(self) -> list[ChoiceView]:
        wanted = self.list_op.choices if self.list_op else {}
        return [
            ChoiceView(param, self.field_map[c.field], dict(c.values), c.default)
            for param, c in wanted.items()
        ]

    @property
    def search_fields(self) -> list[str]:
        return list(self.list_op.search) if self.list_op else []

    @property
    def field_map(self) -> dict[str, FieldView]:
        return {f.name: f for f in self.fields}

    @property
    def uses(self) -> set[str]:
        return {f.type for f in self.fields}

    def change_payload(self) -> dict[str, Any]:
        """A valid PATCH body changing every field PATCH accepts (OTHER without immutable ones)."""
        return {f.wire: f.other_valid_value for f in self.changeable_fields}

    def replace_payload(self) -> dict[str, Any]:
        """A valid PUT body: the fields PUT replaces, second values."""
        return {f.wire: f.other_valid_value for f in self.replace_fields}

    def create_payload(self, second: bool = False) -> dict[str, Any]:
        """A valid create body: every writable field, so tests see values round-trip."""
        return {
            f.wire: (f.other_valid_value if second else f.valid_value) for f in self.writable_fields
        }

    @property
    def varying_fields(self) -> list[str]:
        """Text fields the tests can suffix with a number to make rows distinct."""
        names = []
        for f in self.writable_fields:
            if f.is_text and not f.spec.pattern and isinstance(f.valid_value, str):
                room = (f.spec.max_length or 10_000) - len(f.valid_value)
                if room >= 4:
                    names.append(f.wire)
        return names

    @property
    def fixed_unique_fields(self) -> list[str]:
        varying = set(self.varying_fields) | set(self.unique_samples)
        return [
            f.wire
            for f in self.writable_fields
            if f.spec.unique and f.wire not in varying and not f.required
        ]

    def required_payload(self) -> dict[str, Any]:
        return {f.wire: f.valid_value for f in self.writable_fields if f.required}

    def create_status(self) -> int:
        return self.ops.create.status if self.ops.create and self.ops.create.status else 201

    def delete_status(self) -> int:
        """The stated status; else 204 for an empty answer, 200 for one with a body."""
        if self.ops.delete and self.ops.delete.status:
            return int(self.ops.delete.status)
        return 204 if self.delete_answer == "none" else 200

    @property
    def delete_answer(self) -> str:
        """What DELETE answers: none, message, object or marker (DeleteOperation)."""
        return str(self.ops.delete.answer) if self.ops.delete else "none"

    @property
    def deleted_message(self) -> tuple[str, str]:
        """answer message: (its JSON key, its text)."""
        op = self.ops.delete
        return str(op.message_key), str(op.message)

    @property
    def deleted_marker(self) -> tuple[str, Any] | None:
        """(key, value) the envelope adds beside every answer, so beside the delete's message
        too ("status": "success"); None without such an envelope."""
        return ANSWER_MARKERS.get(self.responses.envelope)

    def status_of(self, op: str, default: int = 200) -> int:
        operation = getattr(self.ops, op)
        return operation.status if operation is not None and operation.status else default


@dataclass
class ProjectView:
    title: str
    auth: AuthConfig
    errors: ErrorConventions
    database: Any
    features: list[str]
    resources: list[ResourceView]
    current: list[ResourceView]  # the resources of the feature being emitted
    # local mode: the feature whose migration creates the users table ("" otherwise)
    auth_feature: str = ""
    current_feature: str = ""
    # Where each merged setting that a plan states is stated ("auth.user_id_type" ->
    # "specs/backend/books.plan.yaml:9"); a setting missing here is the default.
    stated: dict[str, str] = field(default_factory=dict)
    responses: ResponseConventions = field(default_factory=ResponseConventions)

    @property
    def role_gates(self) -> list[tuple[str, list[str]]]:
        """(dependency, roles) for every set of roles an operation of this backend needs."""
        gates: dict[str, list[str]] = {}
        for r in self.resources:
            for _, roles, gate in r.gates:
                gates.setdefault(gate, sorted(roles))
        return sorted(gates.items())

    @property
    def gate_roles(self) -> list[str]:
        """Every role some operation needs: the generated tests' tokens carry them all."""
        return sorted({role for _, roles in self.role_gates for role in roles})

    @property
    def every_row_roles(self) -> list[str]:
        return sorted({role for r in self.resources for role in r.every_row})

    @property
    def own_rows_roles(self) -> list[str]:
        """The roles of a token that reaches only its own rows (no every-row role)."""
        return [role for role in self.gate_roles if role not in self.every_row_roles]

    def refused_without_every_row(self, r: ResourceView, operation: str) -> bool:
        """A token of own_rows_roles lacks every role this operation needs (403 for it)."""
        roles = r.plan.access.roles.get(operation)
        return bool(roles) and not set(roles) & set(self.own_rows_roles)

    def access_callers(self, r: ResourceView) -> list[Any]:
        """The callers the access tests sign in as (emit/access.py)."""
        return access.callers(r, self.gate_roles)

    def access_cases(self, r: ResourceView) -> list[Any]:
        """(operation, caller, status, listed) the access tests expect (emit/access.py)."""
        return access.cases(r, self.gate_roles)

    @property
    def role_names(self) -> list[str]:
        """Every role some resource of this backend names (gates and every-row roles)."""
        return sorted({role for r in self.resources for role in r.plan.access.role_names})

    @property
    def role_probe(self) -> tuple[str, str, str, Any, int] | None:
        """A route a role gates, to prove a granted role opens it: (method, path, role, body,
        success status), a list or a create of a top-level resource; None without one."""
        for r in self.resources:
            if r.parent_ref or r.path_user:
                continue
            roles = r.plan.access.roles
            if r.list_op and roles.get("list"):
                return ("get", r.prefix, sorted(roles["list"])[0], None, 200)
            if r.ops.create and roles.get("create"):
                create = sorted(roles["create"])[0]
                return ("post", r.prefix, create, r.create_payload(), r.create_status())
        return None

    @property
    def uses_tenant(self) -> bool:
        """Some resource is tenant-scoped: app/utils/auth.py reads the tenant claim."""
        return any(r.tenant for r in self.resources)

    @property
    def tenant_py(self) -> str:
        return USER_ID_PY[self.auth.tenant_id_type]

    @property
    def sample_tenants(self) -> tuple[Any, Any]:
        """Two tenants' ids: the generated tests' ALICE is a member of the first, BOB of the
        second (so every isolation test is one across tenants too)."""
        return SAMPLE_TENANTS[self.auth.tenant_id_type]

    @property
    def uses_claims(self) -> bool:
        """Some route reads a claim besides the user id (roles, tenant)."""
        return self.uses_roles or self.uses_tenant

    @property
    def uses_roles(self) -> bool:
        """Some resource names roles: app/utils/auth.py reads the roles claim."""
        return any(r.gates or r.every_row for r in self.resources)

    @property
    def error_shape(self) -> str:
        return ERROR_SHAPES[self.errors.envelope]

    @property
    def answer_shape(self) -> str:
        """A single object's answer, under the plan's keys (sp_backend/plan/envelopes.py)."""
        shape = ANSWER_SHAPES[self.responses.envelope].replace(
            '"data"', f'"{self.responses.data_key}"'
        )
        if self.responses.message_key:
            shape = shape.replace("{", f'{{"{self.responses.message_key}": ..., ', 1)
        return shape

    @property
    def errors_details_key(self) -> str:
        """The key of invalid input's details in the error envelope."""
        return {"detail": "detail", "status": "data"}.get(self.errors.envelope, "details")

    @property
    def answer_keys(self) -> list[str]:
        """The keys of a single object's answer in the envelope (marker, message, data)."""
        added = [k for k in (self.responses.marker, self.responses.message_key) if k]
        return [*added, self.responses.data_key]

    @property
    def marker_value(self) -> Any:
        """The value beside the data that says the answer succeeded (True, "success")."""
        marker = ANSWER_MARKERS.get(self.responses.envelope)
        return None if marker is None else marker[1]

    @property
    def states_messages(self) -> bool:
        """Some error message is the contract's own (the generated tests then check it)."""
        return any(r.message("not_found") or r.conflict_messages for r in self.resources)

    @property
    def conflict_messages(self) -> list[tuple[str, str, str, str]]:
        """(table, unique field, constraint name, message) the contracts state, every resource."""
        return [
            (r.table, name, constraint, message)
            for r in self.resources
            for name, constraint, message in r.conflict_messages
        ]

    @property
    def local(self) -> bool:
        return self.auth.mode == "local"

    @property
    def jwks(self) -> bool:
        return self.auth.mode == "jwks"

    @property
    def open(self) -> bool:
        """auth.mode none: no tokens at all, every route open to anyone who reaches the API."""
        return self.auth.mode == "none"

    @property
    def creates_users(self) -> bool:
        """The feature being emitted is the one whose migration creates the users table."""
        return self.local and self.current_feature == self.auth_feature

    @property
    def models(self) -> list[tuple[str, str]]:
        """(module, class) of every table model, sorted as the imports must be."""
        pairs = [(r.module, r.cls) for r in self.resources]
        # A resource with a create keeps its idempotency keys beside it.
        pairs += [
            (f"{r.module}_idempotency", f"{r.cls}IdempotencyKey")
            for r in self.resources
            if r.ops.create
        ]
        return sorted(pairs + ([("user", "User")] if self.local else []))

    @property
    def routers(self) -> list[str]:
        """Router modules under app/routers/, sorted as the imports must be."""
        return sorted([r.collection for r in self.resources] + (["auth"] if self.local else []))

    @property
    def sample_password(self) -> str:
        """A password the plan's rules accept (digit and letter first, then padded)."""
        rules = self.auth.password
        text = "42 Correct horse battery staple"
        length = max(rules.min_length, min(len(text), rules.max_length))
        return (text + "x" * rules.min_length)[:length]

    @property
    def sample_users(self) -> tuple[Any, Any]:
        return SAMPLE_USERS[self.auth.user_id_type]

    @property
    def user_id_py(self) -> str:
        return USER_ID_PY[self.auth.user_id_type]

    @property
    def accounts(self) -> Any:
        """local: the accounts' profile fields, endpoints and answers (emit/accounts.py)."""
        from sp_backend.emit.accounts import AccountsView

        return AccountsView.of(self.auth)

    @property
    def secret_setting(self) -> str:
        return self.auth.secret_env.lower()

    @property
    def jwks_url_setting(self) -> str:
        return self.auth.jwks_url_env.lower()

    @property
    def owned(self) -> bool:
        return any(r.owner for r in self.resources)

    @property
    def exposed_headers(self) -> list[str]:
        """Response headers a browser script on another origin must be allowed to read."""
        names = {h for r in self.resources if r.shape for h in r.shape.headers}
        return sorted(names)

    @property
    def page_styles(self) -> list[str]:
        return sorted({r.pagination.style for r in self.resources if r.pagination})

    @property
    def links(self) -> bool:
        return any(r.shape and r.shape.links for r in self.resources)

    @property
    def uses(self) -> set[str]:
        return set().union(*(r.uses for r in self.resources)) if self.resources else set()


def build_resource(
    feature: str,
    name: str,
    resource: Resource,
    plan: BackendPlan,
    auth: AuthConfig | None = None,
    errors: ErrorConventions | None = None,
    responses: ResponseConventions | None = None,
) -> ResourceView:
    """auth, errors, responses: the project's merged settings (default: the plan's own)."""
    auth = auth or plan.auth
    errors = errors or plan.errors
    responses = responses or plan.responses
    where = f"resources.{name}"
    owned = resource.owner is not None
    fields = [
        build_field(name, fname, _from_path(spec), where, owned=owned, wire=resource.wire(fname))
        if fname == resource.parent
        else build_field(name, fname, spec, where, owned=owned, wire=resource.wire(fname))
        for fname, spec in resource.fields.items()
    ]
    owner_py = USER_ID_PY[auth.user_id_type] if resource.owner else None
    sort = None
    if resource.operations.list is not None:
        spec = resource.operations.list.sort
        ranks = {
            f: list(resource.fields[f].values or [])
            for f in spec.fields
            if f in resource.fields and resource.fields[f].type == "enum"
        }
        sort = SortView(
            spec.fields,
            spec.default.lstrip("-"),
            spec.default.startswith("-"),
            spec.param,
            spec.order_param,
            ranks,
            {f: resource.wire(f) for f in spec.fields},
        )
    view = ResourceView(
        name=name,
        plan=resource,
        feature=feature,
        fields=fields,
        owner_py=owner_py,
        id_py=ID_PY[resource.id],
        tenant_py=USER_ID_PY[auth.tenant_id_type] if resource.tenant else None,
        sort=sort,
        errors=errors,
        sample_users=SAMPLE_USERS[auth.user_id_type],
        responses=responses,
        # Only where this backend has the users table: the owned rows then refer to it.
        owner_on_delete=auth.accounts.owner_on_delete
        if resource.owner and auth.mode == "local"
        else None,
    )
    if resource.id_given is not None:
        if resource.keyed_per_owner and errors.not_owner_status == 403:
            raise PlanError(
                f"{feature}: {where}.id_given: ids unique per owner name a row only with its "
                "owner, so another user's row of the same id is not 'yours to be refused' "
                "(403 would tell the caller it exists); answer 404 (errors.not_owner_status) "
                "or make the ids unique: global"
            )
        view.given_id = _given_id_field(name, resource, where)
    view.indexes = _indexes(view)
    return view


# Distinct client-given ids the generated tests give rows (make_row cycles through them).
GIVEN_ID_SAMPLES = 48


def _given_id_field(name: str, resource: Resource, where: str) -> FieldView:
    """The create body's id, given by the client: required, the contract's pattern and length,
    unique (per owner or across the table) and never changed after creation."""
    given = resource.id_given
    assert given is not None
    spec = FieldSpec(
        type="str",
        required=True,
        pattern=given.pattern,
        max_length=given.max_length,
        unique=True,
        immutable=True,
        example=given.example,
    )
    return build_field(name, "id", spec, where, owned=resource.owner is not None, wire="id")


def _from_path(spec: FieldSpec) -> FieldSpec:
    """A nested resource's parent field: set from the path, so no body carries it (a body
    naming it is refused as an unknown key); answers still show it."""
    return spec.model_copy(update={"read_only": True, "required": False})


def _indexes(view: ResourceView) -> list[tuple[str, list[str]]]:
    """Composite indexes for the queries the list endpoint runs: owner + default order (+ id as
    the tie-breaker that keeps pages stable), and owner + each filter."""
    if not view.scope_column or view.sort is None:
        return []
    # A tenant's rows are listed by tenant (and the owner within it, where writes are the
    # owner's): the tenant column leads.
    table, owner = view.table, view.scope_column
    default = view.sort.default_field
    parent = view.plan.parent
    if parent:
        # A nested list reads one parent's rows: owner, parent, then the default order.
        indexes = [(f"ix_{table}_{parent}_{default}"[:63], [owner, parent, default, "id"])]
    else:
        indexes = [(f"ix_{table}_{owner}_{default}", [owner, default, "id"])]
    for f in view.fields:
        # The default-order index already starts with (owner, field) for the default field.
        if (f.spec.index or f in view.filtered_fields) and f.name != default:
            indexes.append((f"ix_{table}_{owner}_{f.name}", [owner, f.name]))
    return indexes


def build_project(
    plans: list[BackendPlan], current: str, order: list[str] | None = None
) -> ProjectView:
    """One backend from the project's plans.

    Auth and error conventions are merged from every plan (see merge_settings), so they do not
    change as features are added. Files that list features (main.py, models/__init__.py, ...)
    list those emitted into this backend: `order` (every feature emitted so far, then the
    current one); without it, every plan. Project-wide settings (title, database) come from the
    first feature emitted, so re-emitting any feature leaves the shared files as they are."""
    if not plans:
        raise PlanError("no plans to emit")
    by_feature = {p.feature: p for p in plans}
    if current not in by_feature:
        raise PlanError(f"no plan for feature {current!r}")
    base = by_feature[current]
    stated: dict[str, str] = {}
    auth = merge_settings(plans, "auth", AuthConfig, stated)
    errors = merge_settings(plans, "errors", ErrorConventions, stated)
    responses = merge_settings(plans, "responses", ResponseConventions, stated)
    emitted = set(order or by_feature) | {current}
    auth_feature = _auth_feature(plans, auth)
    if auth.mode == "local" and auth_feature not in emitted:
        # Nothing issues tokens until the auth feature is emitted; verification is the same.
        auth = auth.model_copy(update={"mode": "shared-secret"})
    resources: list[ResourceView] = []
    seen: dict[str, str] = {}
    # Sorted by feature so project-wide files do not depend on which feature is emitted.
    for plan in sorted(plans, key=lambda p: p.feature):
        for name, resource in plan.resources.items():
            if name in seen:
                raise PlanError(
                    f"resource {name!r} is defined by both feature {seen[name]!r} and "
                    f"feature {plan.feature!r}; keep it in one plan"
                )
            seen[name] = plan.feature
            if auth_feature and (name == "user" or resource.table in ("users", "auth")):
                raise PlanError(
                    f"{cite(plan, f'resources.{name}')}: resources.{name}: resource {name!r} "
                    f"(table {resource.table!r}) clashes with the users table that auth.mode "
                    f"'local' (feature {auth_feature!r}) adds; rename the resource and its "
                    "table, and put profile fields of the accounts in auth.accounts.fields"
                )
            if auth.mode == "none" and (resource.owner or resource.path_has_user_id):
                raise PlanError(
                    f"{cite(plan, f'resources.{name}')}: resources.{name}: the backend has "
                    f"auth.mode 'none' ({stated.get('auth.mode', 'another plan')}), so nothing "
                    f"is owned; state auth.mode 'none' in feature {plan.feature!r} too (its "
                    "resources then have no owner column)"
                )
            if plan.feature in emitted:
                resources.append(
                    build_resource(plan.feature, name, resource, plan, auth, errors, responses)
                )
    link_references(resources, order)
    link_embeds(resources)
    first = next((by_feature[f] for f in order or [] if f in by_feature), base)
    return ProjectView(
        title=first.project.name,
        auth=auth,
        errors=errors,
        database=first.database,
        features=sorted(f for f in by_feature if f in emitted),
        resources=resources,
        current=[r for r in resources if r.feature == current],
        auth_feature=auth_feature if auth.mode == "local" else "",
        current_feature=current,
        stated=stated,
        responses=responses,
    )


Settings = TypeVar("Settings", bound=BaseModel)


def merge_settings(
    plans: list[BackendPlan],
    part: str,
    model: type[Settings],
    stated: dict[str, str] | None = None,
) -> Settings:
    """The one auth (or errors) setting of a backend, from every plan's `part`.

    Only what a plan states counts (pydantic's fields_set after loading; nested settings such
    as auth.password key by key): a key stated by one plan applies to all, so a feature may
    leave auth to the `authentication` plan, and a key two plans state must be equal. A default
    never outvotes a stated value. Modes: `local` and `shared-secret` combine into `local`
    (this backend issues the HS* tokens the other features verify, with the same secret);
    `jwks` combines with no other mode. `stated` receives where each decided key is stated."""
    chosen: dict[str, tuple[Any, str, str]] = {}  # key -> (value, feature, file:line)
    modes: dict[str, tuple[str, str]] = {}  # mode -> (feature, file:line)
    for plan in sorted(plans, key=lambda p: p.feature):
        for key, value in _stated_keys(getattr(plan, part), part):
            where = cite(plan, key)
            if key == "auth.mode":
                modes.setdefault(value, (plan.feature, where))
                continue
            if key in chosen and chosen[key][0] != value:
                first, first_feature, first_where = chosen[key]
                raise PlanError(
                    f"plans {first_feature!r} and {plan.feature!r} disagree on {key} "
                    f"({first_where} states {first!r}, {where} states {value!r}); one backend "
                    f"has one {part} setting: make them equal, or leave {key} out of one plan "
                    "(a key one plan leaves out comes from the others)"
                )
            chosen.setdefault(key, (value, plan.feature, where))
    values: dict[str, Any] = {}
    for key, (value, _, where) in chosen.items():
        *parents, leaf = key.split(".")[1:]
        target = values
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
        if stated is not None:
            stated[key] = where
    if modes:
        if "jwks" in modes and len(modes) > 1:
            named = ", ".join(f"{where}: {mode}" for mode, (_, where) in sorted(modes.items()))
            raise PlanError(
                f"plans disagree on auth.mode ({named}); one backend verifies tokens "
                "one way: 'jwks' cannot be combined with another mode ('local' and "
                "'shared-secret' can: the backend then issues the tokens itself)"
            )
        if "none" in modes and len(modes) > 1:
            named = ", ".join(f"{where}: {mode}" for mode, (_, where) in sorted(modes.items()))
            raise PlanError(
                f"plans disagree on auth.mode ({named}); 'none' leaves every route open, so "
                "it cannot be combined with a token mode: state the same mode in every plan"
            )
        values["mode"] = "local" if "local" in modes else next(iter(modes))
        if stated is not None:
            stated["auth.mode"] = modes[values["mode"]][1]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(e["msg"] for e in exc.errors())
        sources = ", ".join(sorted({where for _, _, where in chosen.values()})) or "defaults"
        raise PlanError(
            f"the plans' {part} settings do not combine ({sources}): {problems}"
        ) from None


def _stated_keys(settings: BaseModel, prefix: str) -> list[tuple[str, Any]]:
    """(dotted key, value) for every key the settings state, nested settings key by key."""
    found: list[tuple[str, Any]] = []
    for key in sorted(settings.model_fields_set - {"source"}):
        value = getattr(settings, key)
        if isinstance(value, BaseModel):
            found += _stated_keys(value, f"{prefix}.{key}")
        else:
            found.append((f"{prefix}.{key}", value))
    return found


def _auth_feature(plans: list[BackendPlan], auth: AuthConfig) -> str:
    """The feature whose migration creates the users table in local mode: a plan that sets
    auth.mode 'local', preferably one without resources (the `authentication` feature)."""
    if auth.mode != "local":
        return ""
    candidates = [p for p in plans if "mode" in p.auth.model_fields_set and p.auth.mode == "local"]
    return min(candidates, key=lambda p: (bool(p.resources), p.feature)).feature
