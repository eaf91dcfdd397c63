"""Every table model, imported so SQLModel.metadata (and Alembic) sees them all."""

from app.models.note import Note
from app.models.note_idempotency import NoteIdempotencyKey
from app.models.user import User

__all__ = ["Note", "NoteIdempotencyKey", "User"]
