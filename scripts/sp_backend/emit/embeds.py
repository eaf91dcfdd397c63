"""Related data in answers (plan: embed): a summary of the row a reference names
(`"board": {"id": ..., "name": ...}`) and a count of the rows referring to this one
(`"cards_count": 3`).

Both are correlated scalar subqueries beside the row's columns, so a page of rows is one
statement however many rows it holds. The related rows are filtered as the caller's own reads
would be: a summary of a row the caller may not read is null, and only rows the caller may read
are counted (the owner filter, bound as `owner`, applies to them too).

`link_embeds` runs after `link_references`, when every resource view of the backend is built:
an embedded resource may belong to another plan of the same backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sp_backend.emit.fields import public_decl
from sp_backend.emit.naming import title_words
from sp_backend.errors import PlanError
from sp_backend.plan.model import (
    count_field_problem,
    resource_class,
    summary_field_problem,
)

if TYPE_CHECKING:
    from sp_backend.emit.context import ResourceView
    from sp_backend.emit.fields import FieldView
    from sp_backend.emit.references import ReferenceView


@dataclass
class SummaryView:
    """`source` answers embed the `ref.target` row its reference names, under `key`."""

    source: ResourceView
    key: str
    ref: ReferenceView
    fields: list[FieldView]  # the target's, in the plan's order

    @property
    def target(self) -> ResourceView:
        return self.ref.target

    @property
    def wire(self) -> str:
        return self.source.plan.embed_wire(self.key)

    @property
    def cls(self) -> str:
        """The summary's schema class, e.g. CardBoardSummary."""
        return f"{self.source.cls}{resource_class(self.key)}Summary"

    @property
    def columns(self) -> list[str]:
        """What the summary shows: the id, then its fields."""
        return ["id", *(f.name for f in self.fields)]

    @property
    def columns_literal(self) -> str:
        """The columns as a Python tuple (the schema's SUMMARIES)."""
        return "(" + ", ".join(f'"{c}"' for c in self.columns) + ")"

    @property
    def constant(self) -> str:
        """The service module's conditions that pick the summarised row."""
        return f"{self.key.upper()}_SHOWN"

    def label(self, column: str) -> str:
        """The label of one of its values in the row (`_` first: no field name starts so)."""
        return f"_{self.key}__{column}"

    @property
    def owner_filtered(self) -> bool:
        """The target's reads carry the owner filter: so does its summary."""
        return self.target.reads_owned

    @property
    def public_decl(self) -> str:
        return public_decl(self.key, f"{self.cls} | None", self.wire)

    @property
    def decls(self) -> list[str]:
        """The summary class's fields: the id and the target's own declarations."""
        return [f"id: {self.target.id_py}", *(f.public_decl for f in self.fields)]

    @property
    def doc(self) -> str:
        return f"The {self.target.words} a {self.source.words} refers to, as its answers embed it."


@dataclass
class CountView:
    """`source` answers carry, under `key`, how many `ref.source` rows refer to the row."""

    source: ResourceView
    key: str
    ref: ReferenceView  # the child's reference to `source`

    @property
    def child(self) -> ResourceView:
        return self.ref.source

    @property
    def wire(self) -> str:
        return self.source.plan.embed_wire(self.key)

    @property
    def label(self) -> str:
        return self.key

    @property
    def owner_filtered(self) -> bool:
        return self.child.reads_owned

    @property
    def public_decl(self) -> str:
        return public_decl(self.key, "int", self.wire)

    @property
    def children_words(self) -> str:
        return title_words(self.child.table)


def link_embeds(resources: list[ResourceView]) -> None:
    """Resolve each resource's embed against the backend's resources; refuse what the
    generated code could not show as the caller's own reads would."""
    by_name = {r.name: r for r in resources}
    for source in resources:
        embed = source.plan.embed
        if not embed.keys:
            continue
        where = f"{source.feature}: resources.{source.name}.embed"
        if any(op.response != "none" for op in source.plan.operations.custom.values()):
            raise PlanError(
                f"{where}: the answers of custom operations are built by app/extensions/ code, "
                "which would not carry the embedded values; leave embed out or the custom "
                "operations out of the plan"
            )
        for key, summary in embed.summaries.items():
            ref = next(r for r in source.references if r.column == summary.reference)
            problem = summary_field_problem(ref.target.plan, summary.fields)
            if problem:
                raise PlanError(f"{where}.summaries.{key}.fields: {problem}")
            shown = {f.name: f for f in ref.target.fields}
            view = SummaryView(source, key, ref, [shown[name] for name in summary.fields])
            _visible(source, ref.target, f"{where}.summaries.{key}")
            source.summaries.append(view)
        for key, count in embed.counts.items():
            at = f"{where}.counts.{key}"
            child = by_name.get(count.resource)
            if child is None:
                known = ", ".join(sorted(by_name))
                raise PlanError(
                    f"{at}.resource: {count.resource!r} is not a resource of this backend "
                    f"(emitted: {known}); emit the feature that defines it first"
                )
            problem = count_field_problem(source.name, child.name, child.plan, count.field)
            if problem:
                raise PlanError(f"{at}: {problem}")
            column = count.field or next(
                ref.column for ref in child.references if ref.target is source
            )
            ref = next(r for r in child.references if r.column == column)
            _visible(source, child, at)
            source.counts.append(CountView(source, key, ref))


def _visible(source: ResourceView, other: ResourceView, where: str) -> None:
    """The embedded rows are filtered by the caller's id, bound as `owner`: every statement
    that reads `source` rows must bind it, and roles reaching every row are not carried."""
    if other.every_row or (source.every_row and other.reads_owned):
        raise PlanError(
            f"{where}: access.every_row roles reach rows beyond the caller's; embedding "
            f"{other.name!r} there is not supported yet (its rows would be filtered by the "
            "caller's id only); leave the embed out"
        )
    if other.reads_owned and not source.reads_owned:
        raise PlanError(
            f"{where}: {other.name!r} rows are read by their owners only, but "
            f"{source.name!r} rows are read by others too ({source.read_rule}); their answers "
            "could not show which related rows the caller may see; leave the embed out"
        )
