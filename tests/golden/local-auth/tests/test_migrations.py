"""The revision chain keeps every row: a database at any earlier revision, with rows in it,
upgrades to head with those rows intact; downgrading one step and upgrading again works.

Runs on this run's database (SQLite, or PostgreSQL with TEST_DATABASE_URL), which it takes
down to nothing and back to head; the other tests find it at head, empty, as before.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from app.database import engine
from tests.conftest import alembic_config

Rows = dict[str, list[dict[str, Any]]]  # table -> the rows seeded in it


def revisions() -> list[str]:
    """Every revision from the first to head (generated and hand-written alike)."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


@pytest.fixture
def at_head() -> Iterator[None]:
    """Whatever a test does to the schema, the database is at head, empty, afterwards."""
    engine.dispose()
    yield
    engine.dispose()
    command.upgrade(alembic_config(), "head")
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def sample(column: sa.Column[Any], n: int) -> object:
    """A value the column accepts, distinct per n where the column is text or a number."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return n % 2 == 0
    if isinstance(kind, sa.Integer):
        return 1000 + n
    if isinstance(kind, sa.Numeric | sa.Float):
        return Decimal(f"{n}.50") if isinstance(kind, sa.Numeric) else n + 0.5
    if isinstance(kind, sa.DateTime) or "DateTime" in type(kind).__name__:
        return datetime(2001, 2, 3, 4, 5, n % 60, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2001, 2, 3)
    if isinstance(kind, sa.Uuid):
        return uuid.uuid4()
    if isinstance(kind, sa.JSON):
        return [f"item {n}"]
    length = getattr(kind, "length", None) or 40
    return f"r{n} {column.name}"[:length]


def seed(n: int) -> Rows:
    """One row in every table the database has now, its columns from what the database has
    (the models' types where they still declare the column, for enums and UTC datetimes)."""
    seeded: Rows = {}
    with engine.begin() as connection:
        found = sa.MetaData()
        found.reflect(connection)
        for table in found.sorted_tables:
            if table.name == "alembic_version":
                continue
            modelled = SQLModel.metadata.tables.get(table.name)
            # The columns the database has, typed as the models type them where they still
            # declare them (no Python-side defaults: only these columns are written).
            columns = []
            for column in table.columns:
                model_column = modelled.columns.get(column.name) if modelled is not None else None
                kind = model_column.type if model_column is not None else column.type
                columns.append(sa.Column(column.name, kind, primary_key=column.primary_key))
            target = sa.Table(table.name, sa.MetaData(), *columns)
            # An integer id of its own is numbered by the database (not a key of several columns).
            numbered = len(target.primary_key.columns) == 1
            row = {
                c.name: sample(c, n)
                for c in target.columns
                if not (numbered and c.primary_key and isinstance(c.type, sa.Integer))
            }
            # A foreign key names the row seeded in the table it refers to (seeded first).
            for fk in table.foreign_keys:
                parent = seeded.get(fk.column.table.name)
                if parent:
                    row[fk.parent.name] = parent[0][fk.column.name]
            key = list(target.primary_key.columns)
            inserted = connection.execute(target.insert().values(row).returning(*key)).one()
            seeded[table.name] = [{**row, **inserted._asdict()}]
    return seeded


def assert_kept(seeded: Rows, columns: dict[str, set[str]] | None = None) -> None:
    """Every seeded row is there, with the values of the columns the models still have (of
    those, only `columns` where given: the ones a downgrade left in place)."""
    with engine.connect() as connection:
        for name, rows in seeded.items():
            table = SQLModel.metadata.tables.get(name)
            if table is None or (columns is not None and name not in columns):
                continue  # a table the plan has since dropped, or one a downgrade dropped
            for row in rows:
                by_key = [column == row[column.name] for column in table.primary_key.columns]
                found = connection.execute(sa.select(table).where(*by_key)).one()
                for column, value in row.items():
                    compared = column in table.columns and isinstance(value, str | int | bool)
                    if compared and (columns is None or column in columns[name]):
                        assert getattr(found, column) == value, (name, column)


@pytest.mark.parametrize("start", revisions())
def test_upgrading_from_each_revision_keeps_the_rows(start: str, at_head: None) -> None:
    config = alembic_config()
    command.downgrade(config, "base")
    command.upgrade(config, start)
    seeded = seed(1)
    command.upgrade(config, "head")
    assert_kept(seeded)


def test_downgrade_one_step_then_upgrade_again(at_head: None) -> None:
    config = alembic_config()
    seeded = seed(2)
    command.downgrade(config, "-1")
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = inspector.get_table_names()
        left = {t: {c["name"] for c in inspector.get_columns(t)} for t in tables}
    command.upgrade(config, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert not compare_metadata(context, SQLModel.metadata)
    # What the downgrade removed comes back empty; everything else keeps its values.
    assert_kept(seeded, left)
