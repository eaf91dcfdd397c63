"""Schema evolution: which Alembic revision an emit adds, computed without a database.

Revisions are history. Once a revision file exists in migrations/versions/ it is never written
again; when the plan's tables differ from what the emitted revisions produce, emit adds the next
revision holding exactly the difference.

What the emitted revisions produce is recorded in ``backend/.sp-backend/schema.json`` (the
schema snapshot, committed with the backend): every table the generated revisions create, with
its columns (name, type as the migration writes it, nullability), primary key, indexes, unique
and check constraints and foreign keys, and the generated revisions in order. It is written in
the same atomic write as the revision it describes, so a fresh clone knows the state without a
database. The "after" state is derived from the same plan view the model template reads
(emit/context.py, emit/fields.py); the two are compared as plain data, table by table, and the
difference is rendered as Alembic operations (``op.batch_alter_table`` for changes to existing
tables, so SQLite works too). The generated test test_migrations_match_the_models checks, on
every generated backend, that upgrading an empty database to head gives exactly the models.

Backends emitted before snapshots existed: their creation revisions (``000N_<feature>.py``,
written by this generator) are read back as the baseline: the ``op.create_table`` and
``op.create_index`` calls of their upgrade() are parsed (Python's ast, nothing is imported or
run). So a plan changed since that emit still gets a revision with the change.

Revisions written by hand (a data migration) are kept and chained: the next generated revision's
down_revision is the head of the chain found on disk, whoever wrote it. Their schema changes, if
any, are not known to the snapshot: put schema changes in the plan.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sp_backend.emit.context import ProjectView, ResourceView
from sp_backend.emit.fields import Call, py_literal
from sp_backend.emit.references import parents_first
from sp_backend.emit.writer import Manifest
from sp_backend.errors import PlanError

SNAPSHOT = ".sp-backend/schema.json"
MANIFEST = ".sp-backend/manifest.json"
VERSIONS = "migrations/versions"
SNAPSHOT_VERSION = 1
# alembic_version.version_num is VARCHAR(32).
MAX_REVISION_ID = 32

OWNER_TYPES = {
    "str": "sqlmodel.sql.sqltypes.AutoString(length=255)",
    "UUID": "sa.Uuid()",
    "int": "sa.Integer()",
}
UTC_DATETIME = "app.db_types.UTCDateTime()"

Table = dict[str, Any]  # one table of the snapshot (see table_of)
Column = dict[str, Any]


# --- the schema the plans describe -------------------------------------------------------------


def column(name: str, type_: str, nullable: bool, **extra: Any) -> Column:
    """name, type (the migration's expression, e.g. sa.Uuid()), nullable; `fill`: the value rows
    that exist get when the column is added NOT NULL; `autoincrement` for integer ids."""
    return {"name": name, "type": type_, "nullable": nullable, **extra}


def id_column_type(resource: ResourceView) -> str:
    """The type of a column holding the resource's ids: its own id, or a row id it names."""
    if resource.id_py == "str":
        return f"sqlmodel.sql.sqltypes.AutoString(length={resource.id_length})"
    return "sa.Uuid()" if resource.id_py == "UUID" else "sa.Integer()"


def table_of(resource: ResourceView) -> Table:
    """The table the resource's model declares (app/models/<resource>.py), as plain data."""
    columns = [
        column("id", "sa.Integer()", False, autoincrement=True)
        if resource.id_py == "int"
        else column("id", id_column_type(resource), False)
    ]
    if resource.owner:
        columns.append(column(resource.owner, OWNER_TYPES[resource.owner_py or "str"], False))
    if resource.tenant:
        columns.append(column(resource.tenant, OWNER_TYPES[resource.tenant_py or "str"], False))
    for f in resource.fields:
        expr = f.column_expr
        columns.append(
            column(
                f.name,
                expr.flat() if isinstance(expr, Call) else expr,
                f.nullable,
                fill=None if f.nullable else fill_value(f.spec.type, f.spec.default, f.spec.values),
            )
        )
    if resource.timestamps:
        columns += [
            column("created_at", UTC_DATETIME, False),
            column("updated_at", UTC_DATETIME, False),
        ]
    table, owner = resource.table, resource.owner
    indexes = [{"name": name, "columns": list(cols)} for name, cols in resource.indexes]
    if owner and not resource.indexes:
        indexes.append({"name": f"ix_{table}_{owner}", "columns": [owner]})
    if resource.tenant and not resource.indexes:
        indexes.append({"name": f"ix_{table}_{resource.tenant}", "columns": [resource.tenant]})
    if not owner:
        # A reference's column has its index already (below), index: true or not.
        referring = {ref.column for ref in resource.references}
        indexes += [
            {"name": f"ix_{table}_{f.name}", "columns": [f.name]}
            for f in resource.fields
            if f.spec.index and f.name not in referring
        ]
    unique = [
        {"name": f"uq_{table}_{f.name}", "columns": [resource.scope_column, f.name]}
        if resource.scope_column
        else {"name": f"uq_{table}_{f.name}", "columns": [f.name]}
        for f in resource.unique_fields
    ]
    # References (emit/references.py): a foreign key, and an index of its own, as the model's
    # Field(foreign_key=..., ondelete=..., index=True) declares them.
    indexes += [{"name": ref.index_name, "columns": [ref.column]} for ref in resource.references]
    foreign_keys = []
    if resource.owner_fk:
        # auth.mode local: the row's account (app/models/user.py). Its table exists first: it
        # is the auth feature's, created before this table in one revision (feature_tables)
        # or by an earlier one (a feature emitted before the auth feature has no users table
        # to refer to, so its rows get the key in the revision its next emit adds).
        foreign_keys.append(
            {
                "name": resource.owner_fk_name,
                "columns": [resource.owner],
                "references": {"table": "users", "columns": ["id"]},
                "ondelete": resource.owner_sql_on_delete,
            }
        )
    foreign_keys += [
        {
            "name": ref.fk_name,
            "columns": ref.fk_columns,
            "references": {
                "table": ref.target.table,
                "columns": [c.split(".", 1)[1] for c in ref.fk_remote],
            },
            "ondelete": ref.sql_on_delete,
        }
        for ref in resource.references
    ]
    # Ids the client gives, unique per owner: the key is (id, owner).
    primary_key = ["id", str(resource.owner)] if resource.keyed_per_owner else None
    made = _table(
        resource.feature, columns, primary_key=primary_key, unique=unique, indexes=indexes
    )
    made["foreign_keys"] = foreign_keys
    return made


def idempotency_table_of(resource: ResourceView) -> Table:
    """The resource's idempotency keys (app/models/<resource>_idempotency.py)."""
    table = f"{resource.table}_idempotency_keys"
    columns = []
    if resource.owner:
        columns.append(column("owner", OWNER_TYPES[resource.owner_py or "str"], False))
    columns += [
        column("key", "sqlmodel.sql.sqltypes.AutoString(length=255)", False),
        column("request_hash", "sqlmodel.sql.sqltypes.AutoString(length=64)", False),
        column("row_id", id_column_type(resource), False),
        column("created_at", UTC_DATETIME, False),
    ]
    return _table(
        resource.feature,
        columns,
        primary_key=(["owner"] if resource.owner else []) + ["key"],
        indexes=[{"name": f"ix_{table}_created_at", "columns": ["created_at"]}],
    )


def _table(
    feature: str,
    columns: list[Column],
    *,
    primary_key: list[str] | None = None,
    unique: list[dict[str, Any]] | None = None,
    indexes: list[dict[str, Any]] | None = None,
) -> Table:
    return {
        "feature": feature,
        "columns": columns,
        "primary_key": primary_key or ["id"],
        "unique": unique or [],
        "checks": [],  # {"name", "condition"}: none from the plans yet (enums carry their own)
        "foreign_keys": [],  # {"name", "columns", "references": {"table", "columns"}, "ondelete"}
        "indexes": indexes or [],
    }


def users_table(view: ProjectView) -> Table:
    """The users table of auth.mode local (app/models/user.py)."""
    id_column = {
        "UUID": column("id", "sa.Uuid()", False),
        "int": column("id", "sa.Integer()", False, autoincrement=True),
        "str": column("id", "sqlmodel.sql.sqltypes.AutoString(length=255)", False),
    }[view.user_id_py]
    return _table(
        view.auth_feature,
        [
            id_column,
            column("email", "sqlmodel.sql.sqltypes.AutoString(length=320)", False),
            column("password_hash", "sqlmodel.sql.sqltypes.AutoString(length=255)", False),
            # auth.accounts.fields: the profile fields (emit/accounts.py), as table_of does.
            *(
                column(
                    f.name,
                    f.column_expr.flat() if isinstance(f.column_expr, Call) else f.column_expr,
                    f.nullable,
                    fill=None
                    if f.nullable
                    else fill_value(f.spec.type, f.spec.default, f.spec.values),
                )
                for f in view.accounts.fields
            ),
            # auth.role_column: the account's role (app/roles.py sets it).
            *(
                [column(view.auth.role_column, "sqlmodel.sql.sqltypes.AutoString(length=63)", True)]
                if view.auth.role_column
                else []
            ),
            column("created_at", UTC_DATETIME, False),
        ],
        unique=[{"name": "uq_users_email", "columns": ["email"]}],
    )


def feature_tables(view: ProjectView, feature: str) -> dict[str, Table]:
    """The tables one emitted feature's models declare, in the order its revision creates them."""
    tables: dict[str, Table] = {}
    if view.local and view.auth_feature == feature:
        tables["users"] = users_table(view)
    # Parents first: a foreign key names a table that exists already.
    for r in parents_first(view.resources):
        if r.feature == feature:
            tables[r.table] = table_of(r)
            if r.ops.create:
                tables[f"{r.table}_idempotency_keys"] = idempotency_table_of(r)
    return tables


# Placeholders for a NOT NULL column without a default added to a table that may have rows.
PLACEHOLDERS: dict[str, Any] = {
    "str": "",
    "text": "",
    "int": 0,
    "float": 0,
    "decimal": "0",
    "bool": False,
    # Empty text: no address; a placeholder the migration's note asks to update.
    "email": "",
    "uri": "",
    "list[str]": [],
    "list[int]": [],
    "list[object]": [],
    "json": {},
    # An object has no placeholder: {} would lack its required fields (add it nullable first).
}


def fill_value(kind: str, default: Any, values: list[str] | None) -> dict[str, Any] | None:
    """What rows that exist get when a NOT NULL column is added: the plan's default, else a
    placeholder of the type (None where there is none: dates, datetimes, uuids)."""
    if default is not None:
        return {"value": default, "placeholder": False}
    if kind == "enum" and values:
        return {"value": values[0], "placeholder": True}
    if kind in PLACEHOLDERS:
        return {"value": PLACEHOLDERS[kind], "placeholder": True}
    return None


def server_default(kind_type: str, value: Any) -> str:
    """The server_default= expression that gives existing rows `value`."""
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    if isinstance(value, int | float):
        return f"sa.text({py_literal(repr(value))})"
    if isinstance(value, list | dict) or "JSON" in kind_type:
        return py_literal(json.dumps(value))
    return py_literal(str(value))


# --- operations --------------------------------------------------------------------------------


@dataclass
class Op:
    """One operation of a revision: what it says, its code, and the code that undoes it."""

    table: str
    summary: str  # "add column books.isbn"
    label: str  # short words for the file name: "add_isbn"
    upgrade: list[str]  # statements; inside `with op.batch_alter_table(table)` when batch
    downgrade: list[str]
    batch: bool = True
    notes: list[str] = field(default_factory=list)  # said in the revision and by emit
    destructive: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "operation": self.summary, "notes": self.notes}


def short_type(expr: str) -> str:
    return re.sub(r"\b(sqlmodel\.sql\.sqltypes|sa|app\.db_types)\.", "", expr)


def type_call(expr: str) -> Call | str:
    """A flat type expression as a Call, so long ones (sa.Enum(...)) wrap like ruff format."""
    node = ast.parse(expr, mode="eval").body
    if not isinstance(node, ast.Call) or not (node.args or node.keywords):
        return expr
    args = [ast.get_source_segment(expr, a) or "" for a in [*node.args, *node.keywords]]
    return Call(ast.get_source_segment(expr, node.func) or "", args)


def column_call(col: Column, *extra: str) -> Call:
    args: list[Any] = [py_literal(col["name"]), type_call(col["type"])]
    if col.get("autoincrement"):
        args.append("autoincrement=True")
    args.append(f"nullable={col['nullable']}")
    return Call("sa.Column", [*args, *extra])


def create_table_code(name: str, table: Table) -> list[str]:
    """op.create_table(...) and its indexes, laid out as the first revision always was."""
    parts = [f"        {py_literal(name)},"]
    parts += [f"        {column_call(c).render(8, tail=',')}," for c in table["columns"]]
    parts.append(
        f"        sa.PrimaryKeyConstraint({', '.join(map(py_literal, table['primary_key']))}),"
    )
    for u in table["unique"]:
        call = Call(
            "sa.UniqueConstraint", [*map(py_literal, u["columns"]), f"name={py_literal(u['name'])}"]
        )
        parts.append(f"        {call.render(8, tail=',')},")
    for c in table["checks"]:
        call = Call(
            "sa.CheckConstraint", [py_literal(c["condition"]), f"name={py_literal(c['name'])}"]
        )
        parts.append(f"        {call.render(8, tail=',')},")
    for fk in table["foreign_keys"]:
        parts.append(f"        {_fk_constraint(fk).render(8, tail=',')},")
    lines = ["op.create_table(\n" + "\n".join(parts) + "\n    )"]
    for index in table["indexes"]:
        call = Call(
            "op.create_index",
            [py_literal(index["name"]), py_literal(name), py_literal(index["columns"])],
        )
        lines.append(call.render(4))
    return lines


def _fk_constraint(fk: dict[str, Any]) -> Call:
    target = fk["references"]
    remote = [f"{target['table']}.{c}" for c in target["columns"]]
    args = [py_literal(fk["columns"]), py_literal(remote), f"name={py_literal(fk['name'])}"]
    if fk.get("ondelete"):
        args.append(f"ondelete={py_literal(fk['ondelete'])}")
    return Call("sa.ForeignKeyConstraint", args)


def create_table(name: str, table: Table) -> Op:
    return Op(
        name,
        f"create table {name}",
        f"create_{name}",
        create_table_code(name, table),
        [f"op.drop_table({py_literal(name)})"],
        batch=False,
    )


def drop_table(name: str, table: Table) -> Op:
    columns = ", ".join(c["name"] for c in table["columns"])
    return Op(
        name,
        f"drop table {name}",
        f"drop_{name}",
        [f"op.drop_table({py_literal(name)})"],
        create_table_code(name, table),
        batch=False,
        notes=[f"{name} is dropped with its rows ({columns}); downgrade() creates it empty."],
        destructive=True,
    )


def add_column(table: str, col: Column, *, inverse_of_drop: bool = False) -> Op:
    """A column added to a table that may have rows: nullable, or NOT NULL with a server default
    that gives the existing rows the plan's default (or the type's placeholder)."""
    notes: list[str] = []
    extra: list[str] = []
    where = f"{table}.{col['name']}"
    if not col["nullable"]:
        fill = col.get("fill")
        if fill is None:
            raise PlanError(
                f"{where}: a NOT NULL {short_type(col['type'])} column without a default cannot "
                "be added to a table that may have rows (there is no value to give them). Give "
                "the field a default, or add it with nullable: true first, fill it, then make it "
                "required."
            )
        extra.append(f"server_default={server_default(col['type'], fill['value'])}")
        given = py_literal(fill["value"])
        why = (
            "a placeholder: the plan gives no default; update them"
            if fill["placeholder"]
            else "the plan's default"
        )
        notes.append(f"{where} is NOT NULL: rows that exist get {given} ({why}).")
    drop = f"batch_op.drop_column({py_literal(col['name'])})"
    add = Call("batch_op.add_column", [column_call(col, *extra)]).render(8)
    return Op(
        table,
        f"add column {where} {short_type(col['type'])}",
        f"add_{col['name']}",
        [add],
        [drop],
        notes=notes,
    )


def drop_column(table: str, col: Column) -> Op:
    added = add_column(table, col)
    return Op(
        table,
        f"drop column {table}.{col['name']}",
        f"drop_{col['name']}",
        added.downgrade,
        added.upgrade,
        notes=[
            f"{table}.{col['name']} is dropped with its values; downgrade() adds it back"
            + (" (" + added.notes[0] + ")" if added.notes else ", empty.")
        ],
        destructive=True,
    )


def alter_column(table: str, before: Column, after: Column) -> Op:
    where = f"{table}.{after['name']}"

    def call(src: Column, dst: Column) -> str:
        args: list[Any] = [py_literal(dst["name"])]
        if src["type"] != dst["type"]:
            args += [
                Call("existing_type=" + _prefix(src["type"]), _args(src["type"])),
                Call("type_=" + _prefix(dst["type"]), _args(dst["type"])),
            ]
        else:
            args.append(Call("existing_type=" + _prefix(src["type"]), _args(src["type"])))
        if src["nullable"] != dst["nullable"]:
            args += [f"existing_nullable={src['nullable']}", f"nullable={dst['nullable']}"]
        else:
            args.append(f"existing_nullable={src['nullable']}")
        return Call("batch_op.alter_column", args).render(8)

    changes = []
    notes = []
    if before["type"] != after["type"]:
        changes.append(f"{short_type(before['type'])} -> {short_type(after['type'])}")
    if before["type"] != after["type"] and not _widens(before["type"], after["type"]):
        notes.append(
            f"{where}: the type changes from {short_type(before['type'])} to "
            f"{short_type(after['type'])}; values that do not fit make the upgrade fail."
        )
    if before["nullable"] != after["nullable"]:
        changes.append("NOT NULL" if not after["nullable"] else "nullable")
    return Op(
        table,
        f"alter column {where}: " + ", ".join(changes),
        f"alter_{after['name']}",
        [call(before, after)],
        [call(after, before)],
        notes=notes,
    )


def _widens(before: str, after: str) -> bool:
    """The same string type with a greater length: every value that exists fits."""
    pattern = r"(.*AutoString\()length=(\d+)\)"
    was, now = re.fullmatch(pattern, before), re.fullmatch(pattern, after)
    return bool(was and now and was[1] == now[1] and int(now[2]) >= int(was[2]))


def fill_nulls(table: str, col: Column) -> Op | None:
    """Before a column becomes NOT NULL: rows holding null get the plan's default."""
    fill = col.get("fill")
    if fill is None or fill["placeholder"]:
        return None
    name, value = col["name"], py_literal(fill["value"])
    target = f"sa.table({py_literal(table)}, sa.column({py_literal(name)}))"
    update = (
        f"op.execute(\n        {target}\n        .update()\n"
        f"        .where(sa.column({py_literal(name)}).is_(None))\n"
        f"        .values({name}={value})\n    )"
    )
    return Op(
        table,
        f"set {table}.{name} to {value} where it is null",
        f"fill_{name}",
        [update],
        [],
        batch=False,
        notes=[
            f"{table}.{name} becomes NOT NULL: rows holding null get {value} (the "
            "plan's default) first."
        ],
    )


def _prefix(expr: str) -> str:
    call = type_call(expr)
    return call.prefix if isinstance(call, Call) else expr


def _args(expr: str) -> list[Any]:
    call = type_call(expr)
    return call.args if isinstance(call, Call) else []


def create_index(table: str, index: dict[str, Any]) -> Op:
    call = Call("batch_op.create_index", [py_literal(index["name"]), py_literal(index["columns"])])
    return Op(
        table,
        f"create index {index['name']} on {table} ({', '.join(index['columns'])})",
        f"index_{index['columns'][-1]}",
        [call.render(8)],
        [f"batch_op.drop_index({py_literal(index['name'])})"],
    )


def drop_index(table: str, index: dict[str, Any]) -> Op:
    created = create_index(table, index)
    return Op(
        table,
        f"drop index {index['name']} on {table}",
        f"drop_index_{index['columns'][-1]}",
        created.downgrade,
        created.upgrade,
    )


def create_unique(table: str, unique: dict[str, Any]) -> Op:
    call = Call(
        "batch_op.create_unique_constraint",
        [py_literal(unique["name"]), py_literal(unique["columns"])],
    )
    return Op(
        table,
        f"create unique constraint {unique['name']} on {table} ({', '.join(unique['columns'])})",
        f"unique_{unique['columns'][-1]}",
        [call.render(8)],
        [f'batch_op.drop_constraint({py_literal(unique["name"])}, type_="unique")'],
        notes=[
            f"rows that exist must already be unique on {table} ({', '.join(unique['columns'])}), "
            "or the upgrade fails."
        ],
    )


def drop_unique(table: str, unique: dict[str, Any]) -> Op:
    created = create_unique(table, unique)
    return Op(
        table,
        f"drop unique constraint {unique['name']} on {table}",
        f"drop_unique_{unique['columns'][-1]}",
        created.downgrade,
        created.upgrade,
    )


def create_check(table: str, check: dict[str, Any]) -> Op:
    call = Call(
        "batch_op.create_check_constraint",
        [py_literal(check["name"]), py_literal(check["condition"])],
    )
    return Op(
        table,
        f"create check constraint {check['name']} on {table} ({check['condition']})",
        f"check_{check['name']}",
        [call.render(8)],
        [f'batch_op.drop_constraint({py_literal(check["name"])}, type_="check")'],
    )


def drop_check(table: str, check: dict[str, Any]) -> Op:
    created = create_check(table, check)
    return Op(
        table,
        f"drop check constraint {check['name']} on {table}",
        f"drop_check_{check['name']}",
        created.downgrade,
        created.upgrade,
    )


def create_foreign_key(table: str, fk: dict[str, Any]) -> Op:
    target = fk["references"]
    args = [
        py_literal(fk["name"]),
        py_literal(target["table"]),
        py_literal(fk["columns"]),
        py_literal(target["columns"]),
    ]
    if fk.get("ondelete"):
        args.append(f"ondelete={py_literal(fk['ondelete'])}")
    return Op(
        table,
        f"create foreign key {fk['name']}: {table} ({', '.join(fk['columns'])}) -> "
        f"{target['table']} ({', '.join(target['columns'])})",
        f"fk_{fk['columns'][-1]}",
        [Call("batch_op.create_foreign_key", args).render(8)],
        [f'batch_op.drop_constraint({py_literal(fk["name"])}, type_="foreignkey")'],
        notes=[
            f"every {table}.{', '.join(fk['columns'])} that exists must name a row of "
            f"{target['table']}, or the upgrade fails."
        ],
    )


def drop_foreign_key(table: str, fk: dict[str, Any]) -> Op:
    created = create_foreign_key(table, fk)
    return Op(
        table,
        f"drop foreign key {fk['name']} on {table}",
        f"drop_fk_{fk['columns'][-1]}",
        created.downgrade,
        created.upgrade,
    )


# --- the difference between two snapshots ------------------------------------------------------


def diff_tables(before: dict[str, Table], after: dict[str, Table]) -> list[Op]:
    """The operations that take the tables `before` to `after`, in a fixed order: new tables,
    then each kept table's changes (constraints and indexes that go first, column changes,
    then the constraints and indexes that come), then dropped tables."""
    ops = [create_table(name, t) for name, t in after.items() if name not in before]
    for name, new in after.items():
        if name in before:
            ops += _diff_table(name, before[name], new)
    ops += [drop_table(name, t) for name, t in reversed(before.items()) if name not in after]
    return ops


def _by_name(items: list[dict[str, Any]], key: str = "name") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "name"} == {
        k: v for k, v in b.items() if k != "name"
    }


def _diff_table(name: str, old: Table, new: Table) -> list[Op]:
    kinds = [
        ("foreign_keys", create_foreign_key, drop_foreign_key),
        ("checks", create_check, drop_check),
        ("unique", create_unique, drop_unique),
        ("indexes", create_index, drop_index),
    ]
    going: list[Op] = []
    coming: list[Op] = []
    for key, create, drop in kinds:
        was, now = _by_name(old[key]), _by_name(new[key])
        going += [
            drop(name, item) for n, item in was.items() if n not in now or not _same(item, now[n])
        ]
        coming += [
            create(name, item) for n, item in now.items() if n not in was or not _same(item, was[n])
        ]
    was_cols, now_cols = _by_name(old["columns"]), _by_name(new["columns"])
    columns: list[Op] = []
    for col in new["columns"]:
        prior = was_cols.get(col["name"])
        if prior is None:
            columns.append(add_column(name, col))
        elif (prior["type"], prior["nullable"]) != (col["type"], col["nullable"]):
            if prior["nullable"] and not col["nullable"] and (fill := fill_nulls(name, col)):
                columns.append(fill)
            columns.append(alter_column(name, prior, col))
    columns += [drop_column(name, col) for col in old["columns"] if col["name"] not in now_cols]
    if old["primary_key"] != new["primary_key"]:
        raise PlanError(
            f"{name}: the primary key changes from {old['primary_key']} to {new['primary_key']}; "
            "emit does not migrate a primary key"
        )
    return [*reversed(going), *columns, *coming]


# --- revisions on disk -------------------------------------------------------------------------


@dataclass
class Revision:
    id: str
    down: tuple[str, ...]
    path: Path


def read_chain(versions: Path) -> dict[str, Revision]:
    """Every revision file in migrations/versions/, generated or hand-written."""
    chain: dict[str, Revision] = {}
    if not versions.is_dir():
        return chain
    for path in sorted(versions.glob("*.py")):
        values = _module_constants(path, ("revision", "down_revision"))
        if not isinstance(values.get("revision"), str):
            raise PlanError(
                f'{path}: no `revision = "..."` found; every file in {versions} must '
                "be an Alembic revision"
            )
        down = values.get("down_revision")
        downs = (down,) if isinstance(down, str) else tuple(down or ())
        chain[values["revision"]] = Revision(values["revision"], downs, path)
    return chain


def _module_constants(path: Path, names: tuple[str, ...]) -> dict[str, Any]:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise PlanError(
            f"{path}:{exc.lineno}: not valid Python ({exc.msg}); cannot read the revision chain"
        ) from None
    found: dict[str, Any] = {}
    for node in tree.body:
        target = (
            node.target
            if isinstance(node, ast.AnnAssign)
            else (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            )
        )
        if isinstance(target, ast.Name) and target.id in names and node.value is not None:
            try:
                found[target.id] = ast.literal_eval(node.value)
            except ValueError:
                raise PlanError(f"{path}:{node.lineno}: {target.id} must be a literal") from None
    return found


def head_of(chain: dict[str, Revision]) -> str | None:
    pointed = {d for r in chain.values() for d in r.down}
    heads = sorted(r for r in chain if r not in pointed)
    if len(heads) > 1:
        files = ", ".join(chain[h].path.name for h in heads)
        raise PlanError(
            f"{chain[heads[0]].path.parent}: the revisions have {len(heads)} heads "
            f"({files}); one backend has one chain. Join them with a merge revision "
            "(alembic merge heads), then emit again"
        )
    return heads[0] if heads else None


def next_number(chain: dict[str, Revision]) -> int:
    numbers = [int(m.group(1)) for r in chain.values() if (m := re.match(r"(\d{4})_", r.path.name))]
    return max(numbers, default=0) + 1


# --- reading the creation revisions of backends emitted before the snapshot --------------------


def read_creation_revision(path: Path, feature: str) -> dict[str, Table]:
    """The tables a creation revision written by this generator creates (its op.create_table and
    op.create_index calls), read with ast: nothing is imported or run."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        raise PlanError(f"{path}: no upgrade() function")
    tables: dict[str, Table] = {}
    for stmt in upgrade.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        what = ast.get_source_segment(source, call.func)
        try:
            if what == "op.create_table":
                name = ast.literal_eval(call.args[0])
                tables[name] = _parsed_table(source, feature, call.args[1:])
            elif what == "op.create_index":
                name, table, cols = (ast.literal_eval(a) for a in call.args[:3])
                tables[table]["indexes"].append({"name": name, "columns": list(cols)})
        except (ValueError, KeyError, IndexError) as exc:
            raise PlanError(
                f"{path}:{stmt.lineno}: cannot read {what}(...) ({exc}); expected the "
                "generator's own op.create_table/op.create_index calls"
            ) from None
    return tables


def _flat(source: str, node: ast.AST) -> str:
    """An expression on one line, as Call.flat() writes it."""
    if isinstance(node, ast.Call):
        parts = [_flat(source, a) for a in node.args]
        parts += [f"{k.arg}={_flat(source, k.value)}" for k in node.keywords]
        return f"{ast.get_source_segment(source, node.func)}({', '.join(parts)})"
    if isinstance(node, ast.Constant):
        return py_literal(node.value)
    return " ".join((ast.get_source_segment(source, node) or "").split())


def _parsed_table(source: str, feature: str, items: list[ast.expr]) -> Table:
    table = _table(feature, [])
    table["primary_key"] = []
    for item in items:
        if not isinstance(item, ast.Call):
            raise ValueError("not a call")
        what = ast.get_source_segment(source, item.func)
        keywords = {k.arg: k.value for k in item.keywords}
        literals = [ast.literal_eval(a) for a in item.args] if what != "sa.Column" else []
        if what == "sa.Column":
            col = column(
                ast.literal_eval(item.args[0]),
                _flat(source, item.args[1]),
                ast.literal_eval(keywords["nullable"]),
            )
            if "autoincrement" in keywords:
                col["autoincrement"] = ast.literal_eval(keywords["autoincrement"])
            table["columns"].append(col)
        elif what == "sa.PrimaryKeyConstraint":
            table["primary_key"] = literals
        elif what == "sa.UniqueConstraint":
            table["unique"].append(
                {"name": ast.literal_eval(keywords["name"]), "columns": literals}
            )
        else:
            raise ValueError(f"unexpected {what}")
    return table


# --- the migration an emit adds ----------------------------------------------------------------


@dataclass
class Migrations:
    """What emit writes for the schema: new revision files and the snapshot after them."""

    revisions: list[dict[str, Any]]  # template contexts for migrations/versions/__feature__.py.j2
    snapshot: str  # .sp-backend/schema.json
    operations: list[Op]
    baseline: str  # "snapshot", "revisions" (read back from pre-snapshot files) or "new"

    def to_json(self) -> dict[str, Any]:
        return {
            "revisions": [
                {
                    "file": f"{VERSIONS}/{r['file_stem']}.py",
                    "revision": r["revision"],
                    "down_revision": r["down_revision"],
                }
                for r in self.revisions
            ],
            "operations": [op.to_json() for op in self.operations],
            "baseline": self.baseline,
        }


def load_snapshot(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / SNAPSHOT
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("tables"), dict) or not isinstance(data.get("revisions"), list):
            raise ValueError('expected {"tables": {...}, "revisions": [...]}')
        return data
    except (OSError, ValueError, AttributeError) as exc:
        raise PlanError(
            f"{path}: the schema snapshot is unreadable ({exc}); restore it from version "
            "control (it records what the emitted revisions create)"
        ) from None


def plan_migrations(
    view: ProjectView,
    emitted: list[str],
    out_dir: Path,
    *,
    allow_destructive: bool = False,
) -> Migrations:
    """The revision (if any) this emit adds for view.current_feature, and the snapshot after it.
    `emitted`: the features emitted into this backend before this emit."""
    feature = view.current_feature
    versions = out_dir / VERSIONS
    chain = read_chain(versions)
    snapshot = load_snapshot(out_dir)
    baseline = "snapshot"
    if snapshot is None and SNAPSHOT in Manifest.load(out_dir / MANIFEST).files:
        raise PlanError(
            f"{out_dir / SNAPSHOT}: the schema snapshot was written by an earlier emit and is "
            "gone; restore it from version control (without it emit cannot tell what the revisions "
            "after the first ones create)"
        )
    if snapshot is None:
        snapshot, baseline = _baseline_from_revisions(chain, emitted, versions), "revisions"
        if not snapshot["revisions"]:
            baseline = "new"
    for recorded in snapshot["revisions"]:
        if recorded["revision"] not in chain:
            raise PlanError(
                f"{out_dir / SNAPSHOT}: revision {recorded['revision']} "
                f"({VERSIONS}/{recorded['file']}) is recorded but the file is gone; "
                "restore it from version control: revisions are history"
            )
    tables: dict[str, Table] = snapshot["tables"]
    before = {n: t for n, t in tables.items() if t["feature"] == feature}
    after = feature_tables(view, feature)
    clash = [n for n in after if n in tables and tables[n]["feature"] != feature]
    if clash:
        raise PlanError(
            f"table {clash[0]} is created by feature {tables[clash[0]]['feature']!r}'s "
            f"revisions; feature {feature!r} cannot create it too"
        )
    first = not any(r["feature"] == feature for r in snapshot["revisions"])
    ops = diff_tables(before, after)
    destructive = [op for op in ops if op.destructive]
    if destructive and not allow_destructive:
        lost = "; ".join(op.notes[0] for op in destructive)
        raise PlanError(
            f"{out_dir}: the plan for {feature!r} no longer has "
            + ", ".join(op.summary.split(" ", 2)[2] for op in destructive)
            + f": {lost} emit refuses to lose data and nothing was written. If that is meant, emit "
            "again with --allow-destructive (a rename is a drop and an add: keep the old field "
            "until a data migration has copied it)."
        )
    revisions = []
    if ops or first:
        head = head_of(chain)
        number = next_number(chain)
        slug = feature.replace("-", "_")
        stem = f"{number:04d}_{slug}" if first else f"{number:04d}_{slug}_{_what(ops)}"
        revision_id = stem[:MAX_REVISION_ID].rstrip("_")
        revisions.append(_revision_context(feature, stem, revision_id, head, ops, first, after))
        snapshot = {
            **snapshot,
            "revisions": [
                *snapshot["revisions"],
                {"revision": revision_id, "file": f"{stem}.py", "feature": feature},
            ],
            "tables": {**{n: t for n, t in tables.items() if t["feature"] != feature}, **after},
        }
    return Migrations(revisions, render_snapshot(snapshot), ops, baseline)


def _baseline_from_revisions(
    chain: dict[str, Revision], emitted: list[str], versions: Path
) -> dict[str, Any]:
    """The snapshot of a backend emitted before snapshots existed: one creation revision per
    feature (000N_<feature>, N its place in the order features were first emitted)."""
    tables: dict[str, Table] = {}
    revisions = []
    for index, feature in enumerate(emitted):
        revision_id = f"{index + 1:04d}_{feature.replace('-', '_')}"
        if revision_id not in chain:
            raise PlanError(
                f"{versions}: feature {feature!r} was emitted, but its revision "
                f"{revision_id}.py is missing; restore it from version control"
            )
        path = chain[revision_id].path
        tables.update(read_creation_revision(path, feature))
        revisions.append({"revision": revision_id, "file": path.name, "feature": feature})
    return {"version": SNAPSHOT_VERSION, "revisions": revisions, "tables": tables}


def render_snapshot(snapshot: dict[str, Any]) -> str:
    data = {
        "version": SNAPSHOT_VERSION,
        "about": "What the generated revisions in migrations/versions/ create, as of the last one "
        "(read by sp-backend emit to compute the next revision; commit it, never edit it).",
        "revisions": snapshot["revisions"],
        "tables": snapshot["tables"],
    }
    return json.dumps(data, indent=2) + "\n"


def _what(ops: list[Op]) -> str:
    labels = list(dict.fromkeys(op.label for op in ops))
    joined = "_".join(labels)
    return joined if len(joined) <= 40 else f"{labels[0]}_and_more"


def _revision_context(
    feature: str,
    stem: str,
    revision_id: str,
    head: str | None,
    ops: list[Op],
    first: bool,
    after: dict[str, Table],
) -> dict[str, Any]:
    if first:
        title = f"{feature}: create {', '.join(after)}" if after else f"{feature}: no tables"
    elif len(ops) == 1:
        title = f"{feature}: {ops[0].summary}"
    else:
        title = f"{feature}: {len(ops)} schema changes"
    if len(title) > 96:
        title = f"{feature}: {len(ops)} schema change{'s' if len(ops) != 1 else ''}"
    changes = (
        []
        if first or len(ops) == 1
        else [
            textwrap.fill(op.summary, 100, initial_indent="- ", subsequent_indent="  ")
            for op in ops
        ]
    )
    upgrade = render_body([(op, op.upgrade) for op in ops])
    downgrade = render_body([(op, op.downgrade) for op in reversed(ops)], notes=False)
    return {
        "feature": feature,
        "title": title,
        "uses_sa": bool(re.search(r"\bsa\.", upgrade + downgrade)),
        "changes": changes,
        "revision": revision_id,
        "down_revision": head,
        "file_stem": stem,
        "upgrade": upgrade,
        "downgrade": downgrade,
    }


def render_body(steps: list[tuple[Op, list[str]]], *, notes: bool = True) -> str:
    """The statements of upgrade() or downgrade(): changes to one existing table grouped in one
    `with op.batch_alter_table(...)` block (SQLite recreates the table where it must)."""
    out: list[str] = []
    group: str | None = None
    for op, code in steps:
        if not op.batch or op.table != group:
            group = None
        if op.batch and group is None:
            if out:
                out.append("")
            out.append(f"    with op.batch_alter_table({py_literal(op.table)}) as batch_op:")
            group = op.table
        indent = "        " if op.batch else "    "
        if notes:
            for note in op.notes:
                out.append(
                    textwrap.fill(
                        note, 100, initial_indent=indent + "# ", subsequent_indent=indent + "# "
                    )
                )
        out += [indent + line for line in code]
    return "\n".join(out) if out else "    pass"
