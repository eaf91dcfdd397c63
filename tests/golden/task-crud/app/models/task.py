"""The tasks table. Validation lives in app/schemas: SQLModel table models skip it."""

from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from sqlalchemy import JSON, Index, Text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow

TaskPriority = Literal["low", "medium", "high"]


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_user_id_created_at", "user_id", "created_at", "id"),
        Index("ix_tasks_user_id_priority", "user_id", "priority"),
        Index("ix_tasks_user_id_completed", "user_id", "completed"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    user_id: str = Field(max_length=255, nullable=False)
    title: str = Field(max_length=100, nullable=False)
    description: str | None = Field(default=None, sa_type=Text)
    priority: TaskPriority = Field(
        default="medium",
        sa_type=SAEnum(
            "low",
            "medium",
            "high",
            name="task_priority",
            native_enum=False,
            create_constraint=True,
            length=6,
        ),
        nullable=False,
    )
    completed: bool = Field(default=False, nullable=False)
    due_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tags: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"onupdate": utcnow},
        nullable=False,
    )
