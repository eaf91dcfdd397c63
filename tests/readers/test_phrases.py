"""The phrase table (readers/phrases.py): every example an entry carries is a test, every near
miss it names must not read as that entry, and sentences that combine several phrasings read as
all of them together."""

from __future__ import annotations

import pytest

from sp_backend.readers.phrases import PHRASES, enum_values, param_default, read, says_required
from sp_backend.readers.types import parse_constraints

EXAMPLES = [(p.name, text, facts) for p in PHRASES for text, facts in p.examples]
NEAR_MISSES = [(p, text) for p in PHRASES for text in p.not_in]


def test_every_entry_has_examples() -> None:
    assert len({p.name for p in PHRASES}) == len(PHRASES), "two entries share a name"
    for phrase in PHRASES:
        assert len(phrase.examples) >= 1, phrase.name
    assert len(EXAMPLES) >= 90


@pytest.mark.parametrize(
    ("name", "text", "facts"), EXAMPLES, ids=[f"{n}: {t}" for n, t, _ in EXAMPLES]
)
def test_example_reads_as_its_facts(name: str, text: str, facts: dict) -> None:
    found = read(text)
    for key, value in facts.items():
        assert key in found, f"{name!r}: {text!r} gave {found}"
        assert found[key] == value, f"{name!r}: {text!r} gave {found}"


@pytest.mark.parametrize(
    ("phrase", "text"), NEAR_MISSES, ids=[f"{p.name}: {t}" for p, t in NEAR_MISSES]
)
def test_near_miss_is_not_that_phrase(phrase, text: str) -> None:
    found = read(text)
    first = phrase.examples[0][1]
    assert any(found.get(k) != v for k, v in first.items()), f"{text!r} read as {phrase.name}"


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "Required. Between 2 and 60 characters, must be unique within a festival",
            {"required": True, "min_length": 2, "max_length": 60, "unique": True},
        ),
        ("optional; defaults to 'standard'", {"required": False, "default": "standard"}),
        ("positive integer, at most 500", {"gt": 0, "le": 500}),
        ("integer between 1 and 5 (default 3)", {"ge": 1, "le": 5, "default": 3}),
        ("non-negative decimal, read-only", {"ge": 0, "read_only": True}),
        ("up to 8 tags, each up to 20 chars", {"max_items": 8, "item_max_length": 20}),
        (
            "string, one of `acoustic`, `electric` or `dj`",
            {"values": ["acoustic", "electric", "dj"]},
        ),
        ("VARCHAR(40) NOT NULL UNIQUE", {"required": True, "unique": True}),
    ],
)
def test_sentences_combine_phrases(text: str, facts: dict) -> None:
    found = parse_constraints(text)
    assert {k: found.get(k) for k in facts} == facts


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("1-200 characters", ("ge", "le")),  # a length, not a value bound
        ("at least 8 characters", ("ge",)),
        ("max 10 tags", ("max_length", "le")),
        ("the created time", ("default", "required", "read_only")),
        ("default now()", ("default",)),
        ("string | null", ("values",)),
        ("non-negative", ("gt",)),
        ("greater than or equal to 3", ("gt",)),
        ("no less than 10", ("lt",)),
    ],
)
def test_what_the_words_do_not_say_is_not_read(text: str, absent: tuple[str, ...]) -> None:
    found = read(text)
    assert not set(absent) & set(found), found


def test_a_bare_number_is_a_length_and_a_bound_the_type_chooses() -> None:
    assert read("max 50") == {"le": 50.0, "max_length": 50}
    assert read("max 2.5") == {"le": 2.5}  # never a length


def test_required_cells_and_parameter_defaults() -> None:
    assert [says_required(c) for c in ("Yes", "✓", "required", "No", "optional", "", "-")] == [
        True,
        True,
        True,
        False,
        False,
        None,
        None,
    ]
    assert param_default("page size (default: 20)") == "20"
    assert param_default("defaults to 10 rows") == "10"
    assert param_default("how many rows") is None


def test_choice_lists_in_their_spellings() -> None:
    assert enum_values("either morning or evening") == ["morning", "evening"]
    assert enum_values("one of: a, b or c") == ["a", "b", "c"]
    assert enum_values("string or null") is None


def test_the_stated_type_keeps_the_reading_it_can_hold() -> None:
    from sp_backend.readers.fields import fields_from_table
    from sp_backend.readers.markdown import parse_markdown

    doc = parse_markdown(
        "| Field | Type | Notes |\n|---|---|---|\n| seats | integer | max 50 |\n"
        "| code | string | max 50 |\n",
        rel="t.md",
    )
    table = next(b for b in doc.blocks if b.kind == "table")
    seats, code = fields_from_table(doc, table, 0)
    assert seats.get("le") == 50 and seats.get("max_length") is None
    assert code.get("max_length") == 50 and code.get("le") is None
