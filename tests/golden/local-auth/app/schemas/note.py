"""Note request and response schemas.

Input rules (e.g. "must be in the future") live on the Create/Update schemas only: the response
schema never re-runs them, so a stored row stays readable after they stop holding.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.models.note import NoteColor
from app.schemas.rules import not_null


class NoteCreate(BaseModel):
    """Body of POST /api/{user_id}/notes. Unknown keys (an owner id among them) are refused."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=120, pattern=r"[^ \t\n\r\f\v]")
    body: str | None = Field(None, max_length=5000)
    pinned: StrictBool = False
    color: NoteColor = "plain"


class NoteUpdate(BaseModel):
    """Body of PATCH /api/{user_id}/notes/{id}: fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: (
        Annotated[str, Field(min_length=1, max_length=120, pattern=r"[^ \t\n\r\f\v]")]
        | SkipJsonSchema[None]
    ) = None
    body: str | None = Field(None, max_length=5000)
    pinned: StrictBool | SkipJsonSchema[None] = None
    color: NoteColor | SkipJsonSchema[None] = None

    # Left out is "unchanged"; null is refused (the default None is never validated).
    _not_null = field_validator("title", "pinned", "color", mode="before")(not_null)


class NotePublic(BaseModel):
    """A note as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: str
    title: str
    body: str | None
    pinned: bool
    color: NoteColor
    created_at: datetime
    updated_at: datetime


NoteSort = Literal["created_at", "-created_at", "title", "-title"]


class NoteListParams(BaseModel):
    """Query parameters of GET /api/{user_id}/notes.

    Only these fields can be filtered or sorted on; an unknown sort value is refused.
    """

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=50)
    pinned: bool | None = Field(None)
    color: NoteColor | None = Field(None)
    search: str | None = Field(None, min_length=1, max_length=200)
    sort: NoteSort = Field("-created_at")


class NotePageMeta(BaseModel):
    """The page's metadata, under "pagination"."""

    total: int
    page: int
    page_size: int
    total_pages: int
    has_next: bool
    has_previous: bool


class NotePage(BaseModel):
    """GET /api/{user_id}/notes answers, as the contract shows:

    {"items": [...], "pagination": {"total", "page", "page_size", "total_pages", "has_next",
    "has_previous"}}
    """

    items: list[NotePublic]
    meta: NotePageMeta = Field(alias="pagination")
