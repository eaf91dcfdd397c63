"""Field bullets as contracts write them: the name, then its type and rules in many layouts."""

from __future__ import annotations

import pytest

from sp_backend.readers.fields import field_from_bullet
from sp_backend.readers.markdown import parse_markdown


def bullet(text: str) -> dict[str, object]:
    doc = parse_markdown(f"# Fields\n\n- {text}\n", rel="contract.md")
    (block,) = [b for b in doc.blocks if b.kind == "item"]
    fact = field_from_bullet(doc, block, 0)
    assert fact is not None, text
    return {k: v.value for k, v in fact.attrs.items()}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("`listenedAt` (datetime): when the listener finished it", "datetime"),
        ("`durationSeconds` (integer): how long it runs", "int"),
        ("`title` (string, required): at most 200 characters", "str"),
        ("`price`: decimal, at least 0", "decimal"),
    ],
)
def test_the_type_is_read_wherever_the_bullet_puts_it(text: str, kind: str) -> None:
    assert bullet(text)["type"] == kind


def test_rules_in_the_parenthesis_and_after_it() -> None:
    got = bullet("`title` (string, required): at most 200 characters")
    assert got["required"] is True and got["max_length"] == 200
    assert bullet("`isExplicit` (boolean): defaults to false")["default"] is False
