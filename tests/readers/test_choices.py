"""Query parameters that are not fields but whose words select a field's values (choices)."""

import pytest

from sp_backend.plan.model import FieldSpec
from sp_backend.readers.build import _choice
from sp_backend.readers.facts import Param

FIELDS = {
    "title": FieldSpec(type="str"),
    "is_done": FieldSpec(type="bool"),
    "archived": FieldSpec(type="bool"),
    "state": FieldSpec(type="enum", values=["draft", "review", "published"]),
}


def param(name: str, description: str, default: str | None = None) -> Param:
    return Param(name, "query", "api.md:7", description=description, default=default)


@pytest.mark.parametrize(
    ("description", "values", "default"),
    [
        (
            '"all" | "open" | "done" (default: "all")',
            {"all": None, "done": True, "open": False},
            "all",
        ),
        (
            'Filter: "all" (default), "open", "done"',
            {"all": None, "done": True, "open": False},
            "all",
        ),
        ("Filter by progress: open, done", {"done": True, "open": False}, None),
        ("any | active | archived", {"any": None, "archived": True, "active": False}, "any"),
    ],
)
def test_two_words_over_a_bool_field(description: str, values: dict, default: str | None) -> None:
    choice = _choice(param("progress", description), FIELDS)
    assert choice is not None
    assert choice.field in ("is_done", "archived")
    assert choice.values == values and choice.default == default
    assert choice.source == "api.md:7"


def test_words_that_are_values_of_an_enum_field() -> None:
    choice = _choice(param("stage", "all, draft, published"), FIELDS)
    assert choice is not None and choice.field == "state"
    assert choice.values == {"all": None, "draft": "draft", "published": "published"}


@pytest.mark.parametrize(
    "description",
    [
        "open, done, blocked",  # three words over a bool: no safe reading
        "red | green",  # names no field, values of no enum
        "free text to match",  # not a list of words
        "all | everything",  # nothing that filters
    ],
)
def test_unreadable_parameters_stay_unresolved(description: str) -> None:
    assert _choice(param("progress", description), FIELDS) is None


def test_a_parameter_name_that_is_no_identifier_is_not_a_choice() -> None:
    assert _choice(param("x-progress", "all | open | done"), FIELDS) is None
