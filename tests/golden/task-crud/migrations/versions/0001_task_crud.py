"""task-crud: create tasks, tasks_idempotency_keys

Revision ID: 0001_task_crud
Revises:

Generated from specs/backend/task-crud.plan.yaml by `sp-backend emit`, and never written
again: when the plan changes, emit adds the next revision with the difference (README.md,
"Schema changes"). Revisions of your own (data migrations) go beside these and are chained.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.db_types

revision: str = "0001_task_crud"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "medium",
                "high",
                name="task_priority",
                native_enum=False,
                create_constraint=True,
                length=6,
            ),
            nullable=False,
        ),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("due_date", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tasks_user_id_created_at", "tasks", ["user_id", "created_at", "id"])
    op.create_index("ix_tasks_user_id_priority", "tasks", ["user_id", "priority"])
    op.create_index("ix_tasks_user_id_completed", "tasks", ["user_id", "completed"])
    op.create_table(
        "tasks_idempotency_keys",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key"),
    )
    op.create_index(
        "ix_tasks_idempotency_keys_created_at", "tasks_idempotency_keys", ["created_at"]
    )


def downgrade() -> None:
    op.drop_table("tasks_idempotency_keys")
    op.drop_table("tasks")
