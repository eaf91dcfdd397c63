"""How a successful answer carries its object, read from the contract's literal evidence: the
JSON examples of the single-object answers (create, read, update, actions). `{"success": true,
"data": {...}}` is the success envelope, `{"status": "success", "data": {...}}` JSend's (status),
`{"data": {...}}` the data envelope, the object's own fields no envelope (the table:
sp_backend/plan/envelopes.py). The examples vote; a split vote is noted for review. A message
beside the data (`"message": "Booking created"`) is the message key, and each example's text is
its operation's message (lists included)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sp_backend.readers.facts import Endpoint

# Keys that may ride beside the object in an envelope without being the object's.
_BESIDE = {"message", "msg", "meta", "timestamp", "request_id", "requestid"}
# Keys that hold a message beside the data, when their value is text.
_MESSAGE_KEYS = ("message", "msg")


@dataclass
class EnvelopeReading:
    conventions: dict[str, Any] | None  # plan `responses`, or None: nothing says so
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, source, resolution)
    # (method, path) -> the message its example shows beside the data (with message_key set)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)


def _kind(body: Any) -> tuple[str, str] | None:
    """(envelope, data key) an example shows, or None when it shows no object."""
    if not isinstance(body, dict) or not body:
        return None
    objects = [k for k, v in body.items() if isinstance(v, dict)]
    rest = {k.lower() for k in body if k not in objects}
    if body.get("success") is True and len(objects) == 1 and rest - {"success"} <= _BESIDE:
        return "success", objects[0]
    if body.get("success") is True and not objects:
        return None  # {"success": true, "message": "Deleted"}: no object shown
    jsend = body.get("status") == "success"
    if jsend and len(objects) == 1 and rest - {"status"} <= _BESIDE:
        return "status", objects[0]
    if jsend and not objects:
        return None  # {"status": "success", "data": null}: no object shown
    if len(objects) == 1 and objects[0].lower() in ("data", "result") and rest <= _BESIDE:
        return "data", objects[0]
    return "none", "data"


def _message(body: Any) -> tuple[str, str] | None:
    """(key, text) of the message an enveloped answer shows beside its data or items."""
    if not isinstance(body, dict):
        return None
    for key in _MESSAGE_KEYS:
        if isinstance(body.get(key), str) and body[key].strip():
            return key, body[key].strip()
    return None


def read_envelope(endpoints: list[Endpoint]) -> EnvelopeReading:
    """Vote over the single-object answers of the given (the plan's CRUD) endpoints."""
    votes: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], str] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}  # (method, path) -> (key, text)
    for ep in endpoints:
        if ep.method == "DELETE":
            continue
        is_list = ep.method == "GET" and not ep.path.rstrip("/").endswith("}")
        for body, where in ep.response_examples[:1]:
            kind = None if is_list or isinstance(body, list) else _kind(body)
            if kind is not None:
                votes[kind] += 1
                first.setdefault(kind, where)
            message = _message(body) if kind is None or kind[0] != "none" else None
            if message is not None:
                shown[(ep.method, ep.path)] = message
    if not votes:
        return EnvelopeReading(None)
    (winner, count), *others = votes.most_common()
    reading = EnvelopeReading(None)
    if winner[0] != "none":
        reading.conventions = {
            "envelope": winner[0],
            "data_key": winner[1],
            "source": first[winner],
        }
        keys = Counter(key for key, _ in shown.values() if key != winner[1])
        if keys:
            key = keys.most_common(1)[0][0]
            reading.conventions["message_key"] = key
            reading.messages = {where: text for where, (k, text) in shown.items() if k == key}
    for kind, n in others:
        reading.notes.append(
            (
                f"{n} answer(s) show the {kind[0]} envelope, {count} the {winner[0]} one",
                first[kind],
                f"every answer uses the {winner[0]} envelope",
            )
        )
    return reading


__all__ = ["EnvelopeReading", "read_envelope"]
