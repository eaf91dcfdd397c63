"""What a delete answers, read from the contract's literal evidence: the JSON its DELETE
example shows. `{"message": "Reservation cancelled"}` (one text beside any envelope marker) is
a message answer under that key; the deleted row itself (its id and fields, bare or under a
data key) is an object answer; the envelope's marker alone (`{"success": true}`) is a marker
answer; no body, or a 204, is an empty answer. Anything else is said in
an unresolved note, never guessed (plan: operations.delete, answer/message/message_key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sp_backend.plan.envelopes import ANSWER_MARKERS
from sp_backend.readers.facts import Endpoint

# Keys an object answer may sit under (the data envelope's), as the envelope reader has them.
_DATA_KEYS = ("data", "result")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_MESSAGE_MAX = 200  # the plan's Message limit


@dataclass(frozen=True)
class DeleteAnswer:
    """The plan's delete operation keys this answer sets, or a note saying why none."""

    keys: dict[str, Any]
    where: str = ""
    note: str = ""  # non-empty: the example shows something the plan cannot say
    markers: tuple[str, ...] = ()  # envelope markers shown beside the answer, not answered


def _without_markers(body: dict[str, Any]) -> dict[str, Any]:
    """The example without the pair an envelope adds ("success": true, "status": "success")."""
    markers = set(ANSWER_MARKERS.values())
    return {k: v for k, v in body.items() if not (isinstance(v, str | bool) and (k, v) in markers)}


def _is_row(value: Any, fields: set[str]) -> bool:
    return isinstance(value, dict) and ("id" in value or bool(fields & set(value)))


def read_delete_answer(ep: Endpoint, fields: set[str]) -> DeleteAnswer | None:
    """The answer the first JSON example of a DELETE shows; None when it shows none."""
    shown = next(((b, w) for b, w in ep.response_examples if isinstance(b, dict)), None)
    if shown is None:
        return None
    body, where = shown
    rest = _without_markers(body)
    texts = [(k, v) for k, v in rest.items() if isinstance(v, str) and v.strip()]
    if len(rest) == 1 and len(texts) == 1:
        key, text = texts[0]
        text = text.strip()
        if _KEY.match(key) and len(text) <= _MESSAGE_MAX:
            keys = {"answer": "message", "message_key": key, "message": text}
            return DeleteAnswer(keys, where, markers=tuple(k for k in body if k not in rest))
    under = next(iter(rest.values())) if len(rest) == 1 and next(iter(rest)) in _DATA_KEYS else None
    if _is_row(rest, fields) or _is_row(under, fields):
        return DeleteAnswer({"answer": "object"}, where)
    markers = tuple(k for k in body if k not in rest)
    if markers and all(k in _DATA_KEYS and v is None for k, v in rest.items()):
        # {"success": true}, JSend's {"status": "success", "data": null}: the marker alone.
        return DeleteAnswer({"answer": "marker"}, where, markers=markers)
    if not rest:
        return None
    return DeleteAnswer(
        {},
        where,
        f"DELETE {ep.path} answers {', '.join(sorted(rest))}: neither one message nor the "
        "deleted row",
    )


__all__ = ["DeleteAnswer", "read_delete_answer"]
