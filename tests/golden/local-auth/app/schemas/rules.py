"""Input-only rules, attached to Create/Update schemas with field_validator, and input types
that accept exactly what the OpenAPI says: JSON numbers for integers (2.0 is one, "2" and true
are not), ISO 8601 text for dates (never a number of seconds)."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator


def json_number(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


def iso_text(value: object) -> object:
    if not isinstance(value, str | date):
        raise ValueError("must be an ISO 8601 string")
    return value


def in_utc(value: datetime) -> datetime:
    """Stored in UTC; a moment with no UTC equivalent (9999-12-31T23:59-14:00 is in year
    10000 there) is invalid input, not an overflow at storage time."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must fall between years 1 and 9999 in UTC") from None


JsonInt = Annotated[int, BeforeValidator(json_number)]
IsoDate = Annotated[date, BeforeValidator(iso_text)]
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(iso_text), AfterValidator(in_utc)]


def not_null(value: object) -> object:
    """PATCH fields that are not nullable: "mode=before", so it sees the body's null (a field
    left out keeps its default None, which is never validated)."""
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


def not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


def in_future(value: datetime | None) -> datetime | None:
    if value is not None and value <= datetime.now(UTC):
        raise ValueError("must be in the future")
    return value


def in_past(value: datetime | None) -> datetime | None:
    if value is not None and value >= datetime.now(UTC):
        raise ValueError("must be in the past")
    return value


def date_in_future(value: date | None) -> date | None:
    if value is not None and value <= datetime.now(UTC).date():
        raise ValueError("must be after today")
    return value


def date_in_past(value: date | None) -> date | None:
    if value is not None and value >= datetime.now(UTC).date():
        raise ValueError("must be before today")
    return value
