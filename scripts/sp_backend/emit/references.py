"""References between resources (a field whose `references` names another resource): the
foreign key of the model and migration, the check that a written reference names one of the
caller's rows, and what deleting a referenced row does (restrict: 409; cascade; set null).

`link_references` runs once per project view, after every resource view is built: a reference
may name a resource of another plan of the same backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sp_backend.emit.fields import _model_decl, build_field
from sp_backend.emit.naming import title_words
from sp_backend.errors import PlanError

if TYPE_CHECKING:
    from sp_backend.emit.context import ResourceView
    from sp_backend.emit.fields import FieldView

# The SQL ON DELETE action of each plan rule.
ON_DELETE_SQL = {"restrict": "RESTRICT", "cascade": "CASCADE", "set_null": "SET NULL"}


@dataclass
class ReferenceView:
    """`source.field` holds the id of a `target` row."""

    source: ResourceView
    field: FieldView
    target: ResourceView
    on_delete: str
    status: int

    @property
    def column(self) -> str:
        return self.field.name

    @property
    def wire(self) -> str:
        """The reference's JSON key in bodies and answers."""
        return self.field.wire

    @property
    def param(self) -> str:
        """The bound parameter that carries the referenced id in the reference check."""
        return f"ref_{self.field.name}"

    @property
    def nests(self) -> bool:
        """The source's routes are nested under the target's rows (the source's plan parent)."""
        return self.source.plan.parent == self.column

    @property
    def bind(self) -> str:
        """Nested: the bound parameter carrying the id the path names."""
        return f"parent_{self.column}"

    @property
    def path_alias(self) -> str:
        """Nested: the Annotated type of the path parameter that names the parent row."""
        return "Parent" + "".join(part.capitalize() for part in self.column.split("_"))

    @property
    def sql_on_delete(self) -> str:
        return ON_DELETE_SQL[self.on_delete]

    @property
    def fk_name(self) -> str:
        return f"fk_{self.source.table}_{self.column}_{self.target.table}"[:63]

    @property
    def composite(self) -> bool:
        """The target's ids are given by clients, unique per owner: the foreign key is
        (this column, the owner) -> (id, the target's owner), so it names the caller's row."""
        return bool(self.target.keyed_per_owner)

    @property
    def fk_columns(self) -> list[str]:
        return [self.column, str(self.source.owner)] if self.composite else [self.column]

    @property
    def fk_remote(self) -> list[str]:
        target = self.target
        if self.composite:
            return [f"{target.table}.id", f"{target.table}.{target.owner}"]
        return [f"{target.table}.id"]

    @property
    def index_name(self) -> str:
        return f"ix_{self.source.table}_{self.column}"

    @property
    def nullable(self) -> bool:
        return self.field.nullable

    @property
    def target_words(self) -> str:
        return title_words(self.target.name)

    @property
    def missing_message(self) -> str:
        """What a create or update naming a missing or someone else's row is told."""
        return f"{self.target_words.capitalize()} not found"

    @property
    def conflict_message(self) -> str:
        """What deleting a target row that rows still refer to (restrict) is told."""
        children = title_words(self.source.table)
        return f"This {self.target_words} still has {children}: delete or move them first"

    @property
    def owned_target(self) -> bool:
        return self.target.owner is not None

    @property
    def refusal(self) -> str:
        """The OpenAPI's words for a write this reference refuses (answered with its status)."""
        whose = " of this user" if self.owned_target else ""
        return f"{self.wire} names no {self.target_words}{whose}"


def refusal_answers(source: ResourceView, said: dict[int, str]) -> list[tuple[int, list[str]]]:
    """(status, the parts of its description) for the OpenAPI of a create or update of
    `source`: what a reference naming a row that is not there (or not the caller's) is
    answered, after what `said` already describes under that status on the operation."""
    texts: dict[int, list[str]] = {}
    for ref in source.references:
        texts.setdefault(ref.status, [said[ref.status]] if said.get(ref.status) else [])
        texts[ref.status].append(ref.refusal)
    return sorted(texts.items())


def still_referred(target: ResourceView) -> str:
    """The OpenAPI's words for a delete refused (409) while rows refer to it (restrict)."""
    return "; or ".join(ref.conflict_message for ref in target.restricting)


def link_references(resources: list[ResourceView], order: list[str] | None = None) -> None:
    """Attach each reference to its source and target views, and give the source's model its
    foreign key. Refuses what the generated code could not keep safe or create."""
    by_name = {r.name: r for r in resources}
    position = {f: i for i, f in enumerate(order or [])}
    for source in resources:
        for position_in_source, f in enumerate(list(source.fields)):
            ref = f.spec.references
            if ref is None:
                continue
            where = f"{source.feature}: resources.{source.name}.fields.{f.name}.references"
            target = by_name.get(ref.resource)
            if target is None:
                known = ", ".join(sorted(by_name)) or "none"
                raise PlanError(
                    f"{where}: resource {ref.resource!r} is not a resource of this backend "
                    f"(emitted: {known}); emit the feature that defines it first"
                )
            if target is source:
                raise PlanError(
                    f"{where}: a resource referring to itself is not supported yet; keep the "
                    "parent id as a plain field"
                )
            wanted = target.plan.id
            if f.spec.type != wanted:
                raise PlanError(
                    f"{where}: {target.name!r} ids are {wanted}, the field is {f.spec.type}; "
                    f"make the field type {wanted}"
                )
            if wanted == "str":
                f = _holding_text_ids(source, f, target, where)
                source.fields[position_in_source] = f
            if target.owner and not source.owner:
                # Without an owner there is no caller to check the referenced row against.
                raise PlanError(
                    f"{where}: {target.name!r} rows belong to their users, but "
                    f"{source.name!r} has no owner column; give it one (owner: user_id)"
                )
            if position and position.get(target.feature, 0) > position.get(source.feature, 0):
                raise PlanError(
                    f"{where}: feature {target.feature!r} (which defines {target.name!r}) was "
                    f"emitted after {source.feature!r}: its table would not exist when "
                    f"{source.feature!r}'s revision runs; keep both resources in one plan"
                )
            view = ReferenceView(source, f, target, ref.on_delete, ref.status)
            if view.nests and source.plan.operations.custom:
                # Their routes load rows by id and owner only (app/routers/*_operations.py).
                raise PlanError(
                    f"{source.feature}: resources.{source.name}.operations.custom: custom "
                    "operations of a nested resource are not scoped by the path's parents yet; "
                    "leave them out of the plan and write them in app/extensions/"
                )
            if view.nests and source.owner and source.errors.not_owner_status == 403:
                raise PlanError(
                    f"{source.feature}: resources.{source.name}.parent: nested routes answer a row "
                    "outside the path's parent 404; errors.not_owner_status 403 is not supported "
                    "with them yet"
                )
            if view.composite and view.on_delete == "set_null":
                # SET NULL would empty the owner column of the composite key too.
                raise PlanError(
                    f"{where}.on_delete: {target.name!r} ids are given by clients, unique per "
                    "owner, so the key holds the owner as well; set_null cannot clear it "
                    "(use restrict or cascade)"
                )
            source.references.append(view)
            target.referenced_by.append(view)
            f.model_decl = _model_decl(
                f.name,
                f.spec,
                f.py_type,
                f.resource,
                single_index=not source.owner,
                # A composite key is declared on the table (app/models: __table_args__).
                foreign_key=None if view.composite else (f"{target.table}.id", view.sql_on_delete),
                indexed=view.composite,
            )
    _refuse_cycles(resources)


def _holding_text_ids(
    source: ResourceView, f: FieldView, target: ResourceView, where: str
) -> FieldView:
    """A field holding text ids (id: str) is bounded as they are: the target's pattern and
    length, so a malformed id is a validation error and the column fits every id."""
    stated = {"pattern": f.spec.pattern, "max_length": f.spec.max_length}
    wanted = {"pattern": target.id_pattern, "max_length": target.id_length}
    for key, value in stated.items():
        if value is not None and value != wanted[key]:
            raise PlanError(
                f"{where}: {key} {value!r} is not that of {target.name!r} ids "
                f"({wanted[key]!r}); leave it out, the field takes the ids' own"
            )
    spec = f.spec.model_copy(update=wanted)
    return build_field(
        source.name, f.name, spec, f"resources.{source.name}", owned=bool(source.owner), wire=f.wire
    )


def _refuse_cycles(resources: list[ResourceView]) -> None:
    """Tables are created parents first: references must not go round in a circle."""
    state: dict[str, int] = {}

    def visit(r: ResourceView, path: list[str]) -> None:
        if state.get(r.name) == 2:
            return
        if state.get(r.name) == 1:
            raise PlanError(
                "references go round in a circle (" + " -> ".join([*path, r.name]) + "); "
                "one of them must be a plain field"
            )
        state[r.name] = 1
        for ref in r.references:
            visit(ref.target, [*path, r.name])
        state[r.name] = 2

    for r in resources:
        visit(r, [])


def parents_first(resources: list[Any]) -> list[Any]:
    """The resources ordered so that each comes after those it refers to (stable otherwise)."""
    placed: list[Any] = []
    names = {r.name for r in resources}

    def place(r: Any) -> None:
        if r in placed:
            return
        for ref in r.references:
            if ref.target.name in names and ref.target is not r:
                place(ref.target)
        placed.append(r)

    for r in resources:
        place(r)
    return placed
