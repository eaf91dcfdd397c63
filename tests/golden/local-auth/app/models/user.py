"""The users table: accounts that sign in with an email and a password."""

from datetime import datetime
from uuid import uuid4

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


def new_user_id() -> str:
    return str(uuid4())


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)

    id: str = Field(default_factory=new_user_id, primary_key=True, max_length=255)
    # Stored lower-case (the schemas normalise it), so the unique constraint is case-blind.
    email: str = Field(max_length=320, nullable=False)
    # Argon2 (pwdlib): the hash carries its own salt and parameters.
    password_hash: str = Field(max_length=255, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
