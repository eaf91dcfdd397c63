"""Idempotency keys of notes: a create retried with the same `Idempotency-Key` header
answers the row the first attempt created instead of creating another.

One row per key and owner, written in the same transaction as the
row it names, so a key exists exactly when its row was committed. Keys expire after
IDEMPOTENCY_KEY_HOURS (app/config.py).
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class NoteIdempotencyKey(SQLModel, table=True):
    __tablename__ = "notes_idempotency_keys"

    owner: str = Field(primary_key=True, max_length=255)
    key: str = Field(primary_key=True, max_length=255)
    # SHA-256 of the request body: the same key with another body is refused, not replayed.
    request_hash: str = Field(max_length=64)
    row_id: int
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
