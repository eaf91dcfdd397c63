"""Boolean list parameters read as derived filters (readers/derived.py): several phrasings of
a condition, the ones that cannot be read (and why), the condition entries of the phrase table,
and the tool-shed fixture (an OpenAPI contract written as JSON), whose plan gets its flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_compare import decisions

from sp_backend.plan.load import load_plan
from sp_backend.plan.model import FieldSpec
from sp_backend.readers.derived import is_flag, read_derived
from sp_backend.readers.facts import Param
from sp_backend.readers.gather import gather
from sp_backend.readers.phrases import CONDITIONS, read_condition

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "toolshed-json"


SHED = {
    "label": FieldSpec(type="str", required=True),
    "due_at": FieldSpec(type="datetime"),
    "returned_at": FieldSpec(type="datetime"),
    "copies_on_shelf": FieldSpec(type="int", required=True),
    "next_service_on": FieldSpec(type="date"),
    "retired": FieldSpec(type="bool", default=False),
    "condition": FieldSpec(type="enum", values=["good", "worn", "broken"]),
    "weight_kg": FieldSpec(type="decimal"),
}


def flag(name: str, description: str, kind: str | None = "boolean") -> Param:
    return Param(name, "query", "specs/api/shed.md:9", kind, None, description)


@pytest.mark.parametrize(
    ("name", "description", "clauses"),
    [
        (
            "overdue",
            "Only loans past their due date that are not returned",
            [("due_at", "lt", "now"), ("returned_at", "is_null", None)],
        ),
        ("in_stock", "items with copies on shelf above zero", [("copies_on_shelf", "gt", 0)]),
        ("is_late", "`is_late` — due_at earlier than the current time", [("due_at", "lt", "now")]),
        (
            "service_due",
            "true: tools whose next service date is on or before today",
            [("next_service_on", "le", "today")],
        ),
        (
            "usable",
            "not retired, and condition is not 'broken'",
            [("retired", "eq", False), ("condition", "ne", "broken")],
        ),
        ("heavy", "weightKg more than 20", [("weight_kg", "gt", "20")]),
        ("back", "when true, only loans already returned", [("returned_at", "not_null", None)]),
        (
            "lent_long",
            "loans handed out before 2031-01-01T00:00:00Z",
            None,  # handed out: no field says so
        ),
    ],
)
def test_conditions_are_read_from_several_phrasings(
    name: str, description: str, clauses: list[tuple] | None
) -> None:
    reading = read_derived(flag(name, description), SHED)
    if clauses is None:
        assert reading.derived is None and reading.problem, reading
        return
    assert reading.derived is not None, reading.problem
    assert [(c.field, c.op, c.value) for c in reading.derived.all_of] == clauses
    assert reading.derived.source == "specs/api/shed.md:9"
    assert reading.derived.description  # the contract's words travel to the OpenAPI


@pytest.mark.parametrize(
    ("description", "problem"),
    [
        ("Loans the keeper pinned", "states no condition on a field"),
        ("not returned by the due date", "could be about due_at or returned_at"),
        ("label below 3", "'label' is str; op 'lt' does not apply"),
        ("copies on shelf earlier than now", "an int field, with the current time"),
    ],
)
def test_conditions_that_cannot_be_read_say_why(description: str, problem: str) -> None:
    reading = read_derived(flag("odd", description), SHED)
    assert reading.derived is None
    assert reading.problem is not None and problem in reading.problem, reading.problem


def test_a_flag_is_told_by_its_type_or_its_words() -> None:
    assert is_flag(flag("x", "", "boolean")) and is_flag(flag("x", "", "bool"))
    assert is_flag(flag("x", "`x` (boolean) - loans not returned", None))
    assert is_flag(flag("x", "true/false: loans not returned", None))
    assert not is_flag(flag("x", "a borrower's name", "string"))


def test_every_condition_phrase_reads_its_examples() -> None:
    assert len({p.name for p in CONDITIONS}) == len(CONDITIONS)
    for phrase in CONDITIONS:
        assert phrase.examples, phrase.name
        for text, facts in phrase.examples:
            assert read_condition(text) == facts, (phrase.name, text)
    assert read_condition("the borrower's name") == {}


# ---- the fixture, end to end ---------------------------------------------------------------


def test_the_fixture_gives_its_expected_plan() -> None:
    expected = load_plan(FIXTURE / "expected.plan.yaml")
    result = gather(FIXTURE, "toolshed")
    assert decisions(result.plan) == decisions(expected)
    assert [u.what for u in result.plan.unresolved] == [u.what for u in expected.unresolved]
    loans = result.plan.resources["loan"].operations.list
    tools = result.plan.resources["tool"].operations.list
    assert loans is not None and tools is not None
    assert set(loans.derived) == {"overdue"} and set(tools.derived) == {"in_stock", "service_due"}
    # The flag whose words name no field is not served, and the plan says what it needs.
    (starred,) = [u for u in result.plan.unresolved if "'starred'" in u.what]
    assert starred.source and starred.source.startswith("specs/api/openapi.json:")
    assert "operations.list.derived.starred" in str(starred.resolution)
    assert "starred" not in loans.filter_params
