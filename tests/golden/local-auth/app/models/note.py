"""The notes table. Validation lives in app/schemas: SQLModel table models skip it."""

from datetime import datetime
from typing import Literal

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow

NoteColor = Literal["plain", "yellow", "green", "blue"]


class Note(SQLModel, table=True):
    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_user_id_created_at", "user_id", "created_at", "id"),
        Index("ix_notes_user_id_pinned", "user_id", "pinned"),
        Index("ix_notes_user_id_color", "user_id", "color"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=255, foreign_key="users.id", ondelete="CASCADE", nullable=False)
    title: str = Field(max_length=120, nullable=False)
    body: str | None = Field(default=None, sa_type=Text)
    pinned: bool = Field(default=False, nullable=False)
    color: NoteColor = Field(
        default="plain",
        sa_type=SAEnum(
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
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"onupdate": utcnow},
        nullable=False,
    )
