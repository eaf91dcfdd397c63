"""Input-only rules, attached to Create/Update schemas with field_validator, and input types
that accept exactly what the OpenAPI says: JSON numbers for integers (2.0 is one, "2" and true
are not), ISO 8601 text for dates (never a number of seconds), plain digits for decimals sent
as text."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# Query strings carry text: a decimal bound is plain digits as the OpenAPI states it.
PLAIN_DECIMAL = r"^-?[0-9]{1,18}(?:\.[0-9]{1,12})?$"


def plain_decimal(value: object) -> object:
    if not isinstance(value, str) or not re.fullmatch(PLAIN_DECIMAL, value):
        raise ValueError("must be a decimal number such as 12.50")
    return value


def json_number(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


# ISO 8601 as the OpenAPI's date and date-time formats write it. Pydantic alone would also read
# a number of seconds, from a JSON number or from a query string such as ?due=0. A missing
# offset is left to AwareDatetime, whose error names it.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?"
)


def iso_date_text(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or ISO_DATE.fullmatch(value) is None:
        raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")
    return value


def iso_datetime_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or ISO_DATETIME.fullmatch(value) is None:
        raise ValueError("must be an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ)")
    return value


def in_utc(value: datetime) -> datetime:
    """Stored in UTC; a moment with no UTC equivalent (9999-12-31T23:59-14:00 is in year
    10000 there) is invalid input, not an overflow at storage time."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must fall between years 1 and 9999 in UTC") from None


class DecimalText:
    """A decimal sent as a JSON string must be plain digits (an optional minus, no leading
    zeros, the field's places at most) whose value the field accepts: JSON Schema has no range
    for strings, so the pattern spells the range out, and the OpenAPI's string branch states it.
    Annotated[Decimal, DecimalText(...)]; a JSON number is left to the field's own bounds."""

    def __init__(self, *alternatives: str) -> None:
        self.pattern = "^(?:" + "|".join(alternatives) + ")$"
        self._text = re.compile(self.pattern)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        stated = handler(schema)
        for branch in stated.get("anyOf", []):
            if branch.get("type") == "string":
                branch["pattern"] = self.pattern
        return stated

    def _check(self, value: object) -> object:
        # fullmatch: Python's $ also matches before a final newline, JSON Schema's does not.
        if isinstance(value, str) and self._text.fullmatch(value) is None:
            raise ValueError("must be a decimal in plain digits within the field's range")
        return value


JsonInt = Annotated[int, BeforeValidator(json_number)]
IsoDate = Annotated[date, BeforeValidator(iso_date_text)]
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(iso_datetime_text), AfterValidator(in_utc)]
# List filter bounds, as query strings write them (see PLAIN_DECIMAL).
QueryDecimal = Annotated[
    Decimal,
    BeforeValidator(plain_decimal),
    WithJsonSchema({"type": "string", "pattern": PLAIN_DECIMAL}),
]

# An address is proven by use, so no more than its form is checked, and only what every
# client's "format: email" check also accepts: ASCII dot-atoms @ a host name. A pattern, so the
# OpenAPI states it; the lengths of the two parts beside it. Compared and stored lower-case,
# as accounts are: Ada@Example.com and ada@example.com are one.
EMAIL_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
# A host name's label: letters, digits and inner hyphens, at most 63, and never "--" as its 3rd
# and 4th characters (reserved for IDNA, whose checks refuse most such labels).
HOST_LABEL = (
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,2}[A-Za-z0-9])?"
    r"|[A-Za-z0-9][A-Za-z0-9-](?:[A-Za-z0-9][A-Za-z0-9-]|-[A-Za-z0-9])"
    r"[A-Za-z0-9-]{0,58}[A-Za-z0-9])"
)
EMAIL_PATTERN = rf"^{EMAIL_ATOM}(?:\.{EMAIL_ATOM})*@{HOST_LABEL}(?:\.{HOST_LABEL})+$"


def email_parts_fit(value: str) -> str:
    local, _, domain = value.rpartition("@")
    if len(local) > 64 or len(domain) > 253:
        raise ValueError("an email's name is at most 64 characters and its domain at most 253")
    return value


Email = Annotated[
    str,
    StringConstraints(to_lower=True, max_length=320, pattern=EMAIL_PATTERN),
    AfterValidator(email_parts_fit),
    Field(json_schema_extra={"format": "email"}),
]
# An http or https URL with a host, in the ASCII characters of RFC 3986 (others are sent
# percent-encoded), stored as sent (not normalised: what was given is shown).
URI_CHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
URI_PATTERN = (
    rf"^https?://{HOST_LABEL}(?:\.{HOST_LABEL})*"
    r"(?::[0-9]{1,5})?"
    rf"(?:/{URI_CHAR}*)*(?:\?(?:{URI_CHAR}|[/?])*)?(?:#(?:{URI_CHAR}|[/?])*)?$"
)
HttpUri = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=URI_PATTERN),
    Field(json_schema_extra={"format": "uri"}),
]


def true_or_false(value: object) -> object:
    """A flag in a query string is the word true or false; pydantic alone would also read
    yes, on, 1 and their opposites, which the OpenAPI's boolean does not promise."""
    if isinstance(value, bool):
        return value
    if value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value == "true"


# Derived list filters (?overdue=true): the words true and false only.
QueryFlag = Annotated[bool, BeforeValidator(true_or_false)]


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
