"""notes: create notes, notes_idempotency_keys

Revision ID: 0002_notes
Revises: 0001_authentication

Generated from specs/backend/notes.plan.yaml by `sp-backend emit`, and never written
again: when the plan changes, emit adds the next revision with the difference (README.md,
"Schema changes"). Revisions of your own (data migrations) go beside these and are chained.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.db_types

revision: str = "0002_notes"
down_revision: str | Sequence[str] | None = "0001_authentication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column(
            "color",
            sa.Enum(
                "plain",
                "yellow",
                "green",
                "blue",
                name="note_color",
                native_enum=False,
                create_constraint=True,
                length=6,
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_notes_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_notes_user_id_created_at", "notes", ["user_id", "created_at", "id"])
    op.create_index("ix_notes_user_id_pinned", "notes", ["user_id", "pinned"])
    op.create_index("ix_notes_user_id_color", "notes", ["user_id", "color"])
    op.create_table(
        "notes_idempotency_keys",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key"),
    )
    op.create_index(
        "ix_notes_idempotency_keys_created_at", "notes_idempotency_keys", ["created_at"]
    )


def downgrade() -> None:
    op.drop_table("notes_idempotency_keys")
    op.drop_table("notes")
