"""The `Idempotency-Key` request header of creates: a client that retries after a timeout or
a 503 sends the same key, and gets the row its first attempt created (if it was committed)
instead of a duplicate."""

import hashlib
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel

# Printable ASCII without spaces, as a client library generates (a UUID, typically).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description=(
            "Send the same value when retrying a create: the first result is returned. A key "
            "belongs to the first body sent with it: with a different body it is refused as "
            "invalid input, so use a new key for each new create. Keys are kept "
            "IDEMPOTENCY_KEY_HOURS hours (a server setting)."
        ),
    ),
]


def request_hash(data: BaseModel) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()
