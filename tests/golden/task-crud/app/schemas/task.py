"""Task request and response schemas.

Input rules (e.g. "must be in the future") live on the Create/Update schemas only: the response
schema never re-runs them, so a stored row stays readable after they stop holding.
"""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.models.task import TaskPriority
from app.schemas.rules import IsoDatetime, in_future, not_null


class TaskCreate(BaseModel):
    """Body of POST /api/tasks. Unknown keys (an owner id among them) are refused."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=100, pattern=r"[^ \t\n\r\f\v]")
    description: str | None = Field(None, max_length=500)
    priority: TaskPriority = "medium"
    completed: StrictBool = False
    due_date: IsoDatetime | None = Field(
        None, description="Must be later than the moment the request is made."
    )
    tags: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        default_factory=list, max_length=10
    )

    _due_date_in_future = field_validator("due_date")(in_future)


class TaskUpdate(BaseModel):
    """Body of PATCH /api/tasks/{id}: fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: (
        Annotated[str, Field(min_length=1, max_length=100, pattern=r"[^ \t\n\r\f\v]")]
        | SkipJsonSchema[None]
    ) = None
    description: str | None = Field(None, max_length=500)
    priority: TaskPriority | SkipJsonSchema[None] = None
    completed: StrictBool | SkipJsonSchema[None] = None
    due_date: IsoDatetime | None = Field(
        None, description="Must be later than the moment the request is made."
    )
    tags: (
        Annotated[list[Annotated[str, StringConstraints(max_length=20)]], Field(max_length=10)]
        | SkipJsonSchema[None]
    ) = None

    # Left out is "unchanged"; null is refused (the default None is never validated).
    _not_null = field_validator("title", "priority", "completed", "tags", mode="before")(not_null)

    _due_date_in_future = field_validator("due_date")(in_future)


class TaskPublic(BaseModel):
    """A task as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    user_id: str
    title: str
    description: str | None
    priority: TaskPriority
    completed: bool
    due_date: datetime | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


TaskSort = Literal["created_at", "updated_at", "due_date", "priority", "title"]


class TaskListParams(BaseModel):
    """Query parameters of GET /api/tasks.

    Only these fields can be filtered or sorted on; an unknown sort value is refused.
    """

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)
    priority: TaskPriority | None = Field(None)
    completed: bool | None = Field(None)
    search: str | None = Field(None, min_length=1, max_length=200)
    sort: TaskSort = Field("created_at", alias="sort_by")
    order: Literal["asc", "desc"] = Field("desc")


class TaskPageMeta(BaseModel):
    """The page's metadata, under "pagination"."""

    total: int
    page: int
    page_size: int
    total_pages: int
    has_next: bool
    has_previous: bool


class TaskPage(BaseModel):
    """GET /api/tasks answers, as the contract shows:

    {"items": [...], "pagination": {"total", "page", "page_size", "total_pages", "has_next",
    "has_previous"}}
    """

    items: list[TaskPublic]
    meta: TaskPageMeta = Field(alias="pagination")
