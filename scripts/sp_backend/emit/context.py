"""The view of one or more plans that the templates read: names, declarations and test samples
computed here so the templates stay close to the code they produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sp_backend.emit.fields import FieldView, build_field
from sp_backend.emit.naming import class_name, title_words
from sp_backend.errors import PlanError
from sp_backend.plan.model import AuthConfig, BackendPlan, ErrorConventions, Resource

USER_ID_PY = {"str": "str", "uuid": "UUID", "int": "int"}
SAMPLE_USERS = {
    "str": ("user-alice-0001", "user-bob-0002"),
    "uuid": ("3f2b8c1e-6d4a-4b7f-9c2e-1a5d7e9f0b3c", "8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d"),
    "int": (1001, 1002),
}


@dataclass
class SortView:
    fields: list[str]
    default_field: str
    default_descending: bool
    param: str
    order_param: str | None
    enum_ranks: dict[str, list[str]]  # enum sort fields: rank order of their values

    @property
    def choices(self) -> list[str]:
        """Values the sort parameter accepts."""
        if self.order_param:
            return list(self.fields)
        return [v for f in self.fields for v in (f, f"-{f}")]

    @property
    def default_value(self) -> str:
        if self.order_param:
            return self.default_field
        return f"-{self.default_field}" if self.default_descending else self.default_field


@dataclass
class ResourceView:
    name: str
    plan: Resource
    feature: str
    fields: list[FieldView]
    owner_py: str | None
    id_py: str
    sort: SortView | None
    errors: ErrorConventions
    sample_users: tuple[Any, Any]
    indexes: list[tuple[str, list[str]]] = field(default_factory=list)

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
    def actions(self) -> list[tuple[str, Any]]:
        return sorted(self.plan.operations.actions.items())

    @property
    def timestamps(self) -> bool:
        return self.plan.timestamps

    @property
    def writable_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.writable]

    @property
    def enum_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.enum_alias]

    @property
    def unique_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.spec.unique]

    @property
    def filters(self) -> list[FieldView]:
        wanted = self.list_op.filters if self.list_op else []
        return [f for f in self.fields if f.name in wanted]

    @property
    def search_fields(self) -> list[str]:
        return list(self.list_op.search) if self.list_op else []

    @property
    def field_map(self) -> dict[str, FieldView]:
        return {f.name: f for f in self.fields}

    @property
    def uses(self) -> set[str]:
        return {f.type for f in self.fields}

    def create_payload(self, second: bool = False) -> dict[str, Any]:
        """A valid create body: every writable field, so tests see values round-trip."""
        return {f.name: (f.other_valid_value if second else f.valid_value)
                for f in self.writable_fields}

    @property
    def varying_fields(self) -> list[str]:
        """Text fields the tests can suffix with a number to make rows distinct."""
        names = []
        for f in self.writable_fields:
            if f.is_text and not f.spec.pattern and isinstance(f.valid_value, str):
                room = (f.spec.max_length or 10_000) - len(f.valid_value)
                if room >= 4:
                    names.append(f.name)
        return names

    @property
    def fixed_unique_fields(self) -> list[str]:
        varying = set(self.varying_fields)
        return [f.name for f in self.writable_fields
                if f.spec.unique and f.name not in varying and not f.required]

    def required_payload(self) -> dict[str, Any]:
        return {f.name: f.valid_value for f in self.writable_fields if f.required}

    def create_status(self) -> int:
        return (self.ops.create.status if self.ops.create and self.ops.create.status else 201)

    def delete_status(self) -> int:
        return (self.ops.delete.status if self.ops.delete and self.ops.delete.status else 204)

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

    @property
    def user_id_py(self) -> str:
        return USER_ID_PY[self.auth.user_id_type]

    @property
    def secret_setting(self) -> str:
        return self.auth.secret_env.lower()

    @property
    def owned(self) -> bool:
        return any(r.owner for r in self.resources)

    @property
    def uses(self) -> set[str]:
        return set().union(*(r.uses for r in self.resources)) if self.resources else set()


def build_resource(feature: str, name: str, resource: Resource, plan: BackendPlan) -> ResourceView:
    where = f"resources.{name}"
    owned = resource.owner is not None
    fields = [build_field(name, fname, spec, where, owned=owned)
              for fname, spec in resource.fields.items()]
    owner_py = USER_ID_PY[plan.auth.user_id_type] if resource.owner else None
    sort = None
    if resource.operations.list is not None:
        spec = resource.operations.list.sort
        ranks = {f: list(resource.fields[f].values or []) for f in spec.fields
                 if f in resource.fields and resource.fields[f].type == "enum"}
        sort = SortView(spec.fields, spec.default.lstrip("-"), spec.default.startswith("-"),
                        spec.param, spec.order_param, ranks)
    view = ResourceView(
        name=name, plan=resource, feature=feature, fields=fields, owner_py=owner_py,
        id_py="UUID" if resource.id == "uuid" else "int", sort=sort, errors=plan.errors,
        sample_users=SAMPLE_USERS[plan.auth.user_id_type],
    )
    view.indexes = _indexes(view)
    return view


def _indexes(view: ResourceView) -> list[tuple[str, list[str]]]:
    """Composite indexes for the queries the list endpoint runs: owner + default order (+ id as
    the tie-breaker that keeps pages stable), and owner + each filter."""
    if not view.owner or view.sort is None:
        return []
    table, owner = view.table, view.owner
    default = view.sort.default_field
    indexes = [(f"ix_{table}_{owner}_{default}", [owner, default, "id"])]
    for f in view.fields:
        if f.spec.index or f in view.filters:
            indexes.append((f"ix_{table}_{owner}_{f.name}", [owner, f.name]))
    return indexes


def build_project(plans: list[BackendPlan], current: str,
                  order: list[str] | None = None) -> ProjectView:
    """One backend from every plan in the project; they must agree on auth and errors.

    Project-wide settings (title, database) come from the first feature emitted into the
    backend, so re-emitting any feature leaves the shared files as they are."""
    if not plans:
        raise PlanError("no plans to emit")
    by_feature = {p.feature: p for p in plans}
    if current not in by_feature:
        raise PlanError(f"no plan for feature {current!r}")
    base = by_feature[current]
    resources: list[ResourceView] = []
    seen: dict[str, str] = {}
    # Sorted by feature so project-wide files do not depend on which feature is emitted.
    for plan in sorted(plans, key=lambda p: p.feature):
        _check_agreement(base, plan)
        for name, resource in plan.resources.items():
            if name in seen:
                raise PlanError(f"resource {name!r} is defined by both feature {seen[name]!r} and "
                                f"feature {plan.feature!r}; keep it in one plan")
            seen[name] = plan.feature
            resources.append(build_resource(plan.feature, name, resource, plan))
    first = next((by_feature[f] for f in order or [] if f in by_feature), base)
    return ProjectView(
        title=first.project.name, auth=base.auth, errors=base.errors, database=first.database,
        features=sorted(by_feature), resources=resources,
        current=[r for r in resources if r.feature == current],
    )


def _check_agreement(base: BackendPlan, other: BackendPlan) -> None:
    for part in ("auth", "errors"):
        mine, theirs = getattr(base, part), getattr(other, part)
        a = mine.model_dump(exclude={"source"})
        b = theirs.model_dump(exclude={"source"})
        if a != b:
            diff = sorted(k for k in a if a[k] != b.get(k))
            raise PlanError(f"plans {base.feature!r} and {other.feature!r} disagree on {part} "
                            f"({', '.join(diff)}); one backend has one {part} setting")
