"""Schemathesis hooks for the generated backends (loaded through SCHEMATHESIS_HOOKS).

Three rules of a generated backend cannot be written in JSON Schema, so the OpenAPI cannot
promise them and schemathesis' positive cases may break them:

- the clock rules `future` / `past` (not yet stated in the OpenAPI, not even in prose);
- a list cursor is opaque: only cursors the server handed out are valid;
- an `Idempotency-Key` belongs to the first request body sent with it: sent again with another
  body it is refused (422), by design, so each positive case gets a key of its own.

(A decimal's digits, places and range are stated: multipleOf and bounds on the number, a
pattern on the text; see scripts/sp_backend/emit/decimals.py. No hook helps with them.)

In positive cases only, a value breaking one of these is replaced with one that keeps it (a
date a year ahead or back, no cursor); negative cases are untouched. Every other rule stays
under schemathesis' checks. SPB_FUZZ_RULES (JSON) carries the rules:
{"clock": {field: "future"|"past"}, "cursor_params": [name, ...]}.
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
    if isinstance(case.query, dict):
        for name in RULES.get("cursor_params", []):
            case.query.pop(name, None)
