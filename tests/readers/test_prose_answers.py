"""What a contract says in its sentences rather than its blocks: an answer or a body shown in a
code span of a sentence, a query list that ends with its sentence, the default order in words
("newest dive first"), the page size's bound as a range, the id claim's type beside it, and a
status the contract rules out ("404, never 403")."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp_backend.check.literal import statuses_in
from sp_backend.readers.gather import gather

HEAD = """# Dive log API

Every call carries `Authorization: Bearer <token>`; tokens are HS256, secret `DIVE_JWT_SECRET`.
{claim}

## Dives

| Field | Type | Rules |
|---|---|---|
| site | string | required, at most 80 characters |
| depth_m | integer | 1 to 130, required |
| dived_on | date | required |
| logged_on | date | optional |

"""
ITEM = """
`GET /api/dives/{id}` answers 200 with the dive.

`PATCH /api/dives/{id}` changes some fields; answers 200.

`DELETE /api/dives/{id}` answers 204.
"""


def _plan(tmp_path: Path, listing: str, claim: str = "The diver is the `sub` claim.") -> object:
    contract = tmp_path / "specs" / "api" / "dives.md"
    contract.parent.mkdir(parents=True)
    create = "`POST /api/dives` records a dive and answers 201 with it.\n"
    contract.write_text(HEAD.format(claim=claim) + create + "\n" + listing + "\n" + ITEM)
    return gather(tmp_path, "dives")


def _list(result: object):  # noqa: ANN202 - the plan's list operation
    return result.plan.resources["dive"].operations.list  # type: ignore[attr-defined]


def test_an_answer_shown_in_a_sentence_is_the_list_shape(tmp_path: Path) -> None:
    result = _plan(
        tmp_path,
        "`GET /api/dives` lists the diver's dives. Query: `site` (filter), `offset`, `limit` "
        '(default 10). It returns `{"entries": [...], "count": 4}` where `count` is the total.',
    )
    response = _list(result).response
    assert (response.items, response.metadata, response.keys) == (
        "entries",
        "flat",
        {"total": "count"},
    )
    # `count` belongs to the answer's sentence, not to the query list before it.
    assert not [u for u in result.plan.unresolved if "'count'" in u.what]


def test_a_failure_sentence_shows_no_answer_shape(tmp_path: Path) -> None:
    result = _plan(
        tmp_path,
        "`GET /api/dives` lists the diver's dives. On 503 the server returns "
        '`{"entries": [], "count": 0}`.',
    )
    assert _list(result).response.items == "items"  # the default shape: nothing said of it


@pytest.mark.parametrize(
    ("words", "fields", "default"),
    [
        ("newest dive first", ["dived_on", "created_at"], "-dived_on"),
        ("oldest first", ["created_at"], "created_at"),
        ("most recent first", ["created_at"], "-created_at"),
    ],
)
def test_the_order_said_in_words_is_the_default_sort(
    tmp_path: Path, words: str, fields: list[str], default: str
) -> None:
    result = _plan(tmp_path, f"`GET /api/dives` lists the diver's dives, {words}.")
    sort = _list(result).sort
    assert (sort.fields, sort.default) == (fields, default)


def test_an_order_whose_noun_fits_two_dates_is_left_to_the_default(tmp_path: Path) -> None:
    # "dive log" fits both dived_on and logged_on: no guess.
    result = _plan(tmp_path, "`GET /api/dives` lists dives, newest dive log first.")
    assert _list(result).sort.default == "-created_at"


@pytest.mark.parametrize(
    ("note", "most"), [("1–40, default 10", 40), ("default 10, up to 30", 30), ("max: 60", 60)]
)
def test_the_page_size_bound_is_read_from_its_note(tmp_path: Path, note: str, most: int) -> None:
    result = _plan(tmp_path, f"`GET /api/dives` lists dives. Query: `page`, `page_size` ({note}).")
    assert _list(result).pagination.max == most


@pytest.mark.parametrize(
    ("claim", "kind"),
    [
        ("The diver is the `sub` claim (a UUID).", "uuid"),
        ("The diver is the `sub` claim, an integer.", "int"),
        ("The diver is the `sub` claim.", "str"),
    ],
)
def test_the_claims_type_said_beside_it(tmp_path: Path, claim: str, kind: str) -> None:
    result = _plan(tmp_path, "`GET /api/dives` lists dives.", claim=claim)
    assert result.plan.auth.user_id_type == kind


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("Another diver's dive is answered `404`, never `403`.", [404]),
        ("A missing dive answers 404 (not 403).", [404]),
        ("Refused dives answer 409 instead of a 500.", [409]),
        ("Returns 404 when the dive is not the caller's.", [404]),
    ],
)
def test_check_takes_no_ruled_out_status_as_promised(line: str, codes: list[int]) -> None:
    assert [code for code, _ in statuses_in(line)] == codes
