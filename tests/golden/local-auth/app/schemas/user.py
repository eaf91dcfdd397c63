"""Sign-up, sign-in and account shapes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Email: as every email field is (app/schemas/rules.py), compared and stored lower-case, so
# Alice@Example.com and alice@example.com are one account.
from app.schemas.rules import Email

# At least one ASCII letter and one digit, as a pattern so the OpenAPI states the rule.
NewPassword = Annotated[
    str,
    StringConstraints(
        min_length=10,
        max_length=128,
        pattern=r"[A-Za-z][\s\S]*[0-9]|[0-9][\s\S]*[A-Za-z]",
    ),
]
# A password being checked, not set: any length up to the maximum.
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: NewPassword


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: GivenPassword


class UserPublic(BaseModel):
    id: str
    email: str
    created_at: datetime


class Token(BaseModel):
    """What the OAuth2 password form answers (RFC 6749, section 5.1)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
