"""What the success envelope adds beside the data (plan `responses`, table in
sp_backend/plan/envelopes.py): the marker ("success": true, or JSend's "status": "success") and
the message of each operation (responses.message_key, resources.<name>.messages.answers).
Computed once here for the schemas, the routers and the generated tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sp_backend.emit.fields import py_literal
from sp_backend.emit.naming import title_words
from sp_backend.plan.envelopes import ANSWER_MARKERS
from sp_backend.plan.model import ResourceMessages, ResponseConventions

# The message an operation answers with when the contract states none (its words, then these).
_DONE = {
    "create": "created",
    "read": "found",
    "update": "updated",
    "replace": "replaced",
    "delete": "deleted",
}


@dataclass
class EnvelopeView:
    responses: ResponseConventions
    messages: ResourceMessages
    words: str  # the resource, in words: "line item"
    plural: str  # the collection, in words: "line items"

    @property
    def wraps(self) -> bool:
        return self.responses.envelope != "none"

    @property
    def marker(self) -> tuple[str, Any] | None:
        """(key, value) the envelope adds beside the data and the list items, if any."""
        return ANSWER_MARKERS.get(self.responses.envelope)

    @property
    def message_key(self) -> str | None:
        return self.responses.message_key

    @property
    def added_keys(self) -> list[str]:
        """The keys beside the data, in the order the answers write them."""
        keys = [self.marker[0]] if self.marker else []
        return keys + ([self.message_key] if self.message_key else [])

    def message(self, operation: str) -> str:
        """The message beside `operation`'s answer: the contract's, else one in its words."""
        stated = self.messages.answers.get(operation)
        if stated:
            return stated
        if operation == "list":
            return f"{self.plural.capitalize()} listed"
        done = _DONE.get(operation)
        if done:
            return f"{self.words.capitalize()} {done}"
        return f"{self.words.capitalize()}: {title_words(operation)} done"

    def added(self, operation: str) -> dict[str, Any]:
        """Key -> value the envelope adds beside `operation`'s data."""
        found: dict[str, Any] = {}
        if self.marker:
            found[self.marker[0]] = self.marker[1]
        if self.message_key:
            found[self.message_key] = self.message(operation)
        return found

    def items_source(self, operation: str) -> str:
        """Those keys as the leading items of a Python dict display: '"success": True, '."""
        return "".join(
            f"{py_literal(k)}: {py_literal(v)}, " for k, v in self.added(operation).items()
        )

    @property
    def decls(self) -> list[str]:
        """The envelope's own attributes in an answer model (the marker first)."""
        found = []
        if self.marker:
            key, value = self.marker
            found.append(_decl(key, f"Literal[{py_literal(value)}]"))
        if self.message_key:
            found.append(_decl(self.message_key, "str"))
        return found

    @property
    def shape_text(self) -> str:
        """The added keys as JSON-like text for docstrings: '"success": true, "message": ...'."""
        parts = []
        if self.marker:
            key, value = self.marker
            parts.append(f'"{key}": {"true" if value is True else chr(34) + str(value) + chr(34)}')
        if self.message_key:
            parts.append(f'"{self.message_key}": ...')
        return ", ".join(parts)


def _decl(key: str, annotation: str) -> str:
    """An attribute under the key: its own name when the key is one, else aliased."""
    if key.isidentifier() and key.islower():
        return f"{key}: {annotation}"
    return f"envelope_{_snake(key)}: {annotation} = Field(alias={py_literal(key)})"


def _snake(key: str) -> str:
    out = "".join("_" + ch.lower() if ch.isupper() else ch for ch in key)
    return "".join(ch if ch.isalnum() else "_" for ch in out).strip("_")


__all__ = ["EnvelopeView"]
