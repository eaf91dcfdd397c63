"""Schemathesis hooks for the generated backends (loaded through SCHEMATHESIS_HOOKS).

Three rules of a generated backend cannot be written in JSON Schema: the OpenAPI states what
a schema can of each and says the rest in a `description`, but a positive case drawn from the
schema may still break them. These, and only these, are adjusted here, each for its reason:

- The clock rules `future` / `past`: JSON Schema compares a date with constants, never with
  "now", and a constant would be wrong a moment later. The field's description says the rule
  ("Must be later than the moment the request is made."). Adjusted: a date or datetime that
  breaks it is moved a year ahead of (or back from) now.
- A list cursor is opaque: only a `next_cursor` the server answered is valid (it encodes the
  last row's sort key and id). The OpenAPI states its alphabet and length (`pattern`,
  `minLength`, `maxLength`) and says it is opaque in the parameter's description, but no
  schema can list the values a server will hand out. Adjusted: the cursor is left out, which
  asks for the first page.
- An `Idempotency-Key` belongs to the first request body sent with it: sent again with another
  body it is refused as invalid input, by design. The OpenAPI states the key's form (printable
  ASCII, 1 to 255 characters) and says the single use in the header's description; "never
  sent before with another body" depends on earlier requests, which no schema can state, and
  schemathesis draws the same key for different bodies. Adjusted: each well-formed key is
  replaced by a fresh one (stateful phase included).

- A password change must name the caller's current password, which no schema can know.
  The OpenAPI states the keys and the answer to a wrong one. Adjusted: the current and the new
  password become the fuzzer's own (a change to itself), so the call can succeed and the account
  stays usable.

Nothing else is adjusted: references (404 for a parent that is not the caller's, 409 for a
restricted delete) are documented responses, and a decimal's digits, places and range are
stated (multipleOf and bounds on the number, a pattern on the text; see
scripts/sp_backend/emit/decimals.py). Negative cases are never touched, so every other rule
stays under schemathesis' checks. SPB_FUZZ_RULES (JSON) carries the rules from the plans:
{"clock": {field: "future"|"past"}, "cursor_params": [name, ...], "password_change": {"path",
"current_key", "new_key", "password"} (absent when the API has no password change)}.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis

RULES: dict[str, Any] = json.loads(os.environ.get("SPB_FUZZ_RULES", "{}"))
VALID_KEY = re.compile(r"[!-~]{1,255}")  # the generated app/utils/idempotency.py's pattern


def _moment(value: object) -> datetime | date | None:
    if not isinstance(value, str):
        return None
    try:
        if len(value) > 10:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else None
        return date.fromisoformat(value)
    except ValueError:
        return None


def _keeps_clock_rule(value: object, rule: str) -> object:
    moment = _moment(value)
    if moment is None:
        return value
    now = datetime.now(UTC)
    reference: datetime | date = now if isinstance(moment, datetime) else now.date()
    if rule == "future" and moment <= reference:
        shifted = reference + timedelta(days=365)
    elif rule == "past" and moment >= reference:
        shifted = reference - timedelta(days=365)
    else:
        return value
    return shifted.isoformat()


def keep_unstated_rules(body: object) -> object:
    if not isinstance(body, dict):
        return body
    fixed = dict(body)
    for name, rule in RULES.get("clock", {}).items():
        if name in fixed:
            fixed[name] = _keeps_clock_rule(fixed[name], rule)
    return fixed


@schemathesis.hook
def before_call(ctx, case, **kwargs) -> None:
    meta = getattr(case, "meta", None)
    if meta is not None and not meta.generation.mode.is_positive:
        return  # negative cases are left as generated, to be refused
    headers = case.headers if case.headers is not None else {}  # a case-insensitive mapping
    for name, value in list(headers.items()):
        # A well-formed key becomes one never sent before (stateful phase included).
        if name.lower() == "idempotency-key" and VALID_KEY.fullmatch(str(value)):
            headers[name] = uuid.uuid4().hex
    if meta is None:
        return
    case.body = keep_unstated_rules(case.body)
    change = RULES.get("password_change")
    if change and case.path == change["path"] and isinstance(case.body, dict):
        # The current password must be the caller's: the fuzzer's own, changed to itself so
        # the account stays usable for the calls after it.
        case.body = {
            **case.body,
            change["current_key"]: change["password"],
            change["new_key"]: change["password"],
        }
    if isinstance(case.query, dict):
        for name in RULES.get("cursor_params", []):
            case.query.pop(name, None)
