"""A base path stated once in a Markdown contract: each phrasing's examples are read, the
endpoints it lists are served under it (never doubled), and two different bases are a conflict
said for review. A boat-hire desk's contract, written as a terse ops runbook."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sp_backend.readers.base_path import PHRASES, stated_bases
from sp_backend.readers.gather import gather


@pytest.mark.parametrize("example", [example for examples, _ in PHRASES for example in examples])
def test_every_phrasing_example_is_read(example: str) -> None:
    (base,) = stated_bases([example], "contract.md")
    assert base.path.startswith("/") and not base.path.endswith("/"), base
    assert base.source == "contract.md:1"


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("Base URL: `https://api.example.com/v2/`", "/v2"),
        ("**Base path:** /v1.", "/v1"),
        ("Base URL: https://hire.example.org", ""),
    ],
)
def test_the_path_part_is_the_base(line: str, path: str) -> None:
    assert [b.path for b in stated_bases([line], "c.md")] == [path]


@pytest.mark.parametrize(
    "line",
    [
        "All endpoints are under `/api/{user_id}/tasks...`.",  # a pattern, not a base
        "All routes under /tasks/* require authentication",
        "The boats table has a base price column.",
        "Endpoints are listed below.",
    ],
)
def test_lines_that_state_no_base_are_not_read(line: str) -> None:
    assert stated_bases([line], "c.md") == []


RUNBOOK = """
    # Boat hire desk - API runbook

    {base}

    ## GET /boats
    Response 200:
    ```json
    {{"items": [{{"id": 1, "hull_code": "RB-7", "seats": 4}}]}}
    ```

    ## POST /boats
    Body:
    ```json
    {{"hull_code": "RB-7", "seats": 4}}
    ```
    Response 201: the boat.

    ## GET /boats/{{id}}
    ## PATCH {already}/boats/{{id}}
    ## DELETE /boats/{{id}}
"""


def _root(tmp_path: Path, base: str, already: str = "") -> Path:
    root = tmp_path / "project"
    (root / "specs" / "api").mkdir(parents=True)
    text = textwrap.dedent(RUNBOOK.format(base=base, already=already))
    (root / "specs" / "api" / "boats.md").write_text(text)
    return root


def test_endpoints_are_served_under_the_stated_base(tmp_path: Path) -> None:
    root = _root(tmp_path, "Base URL: `https://hire.example.org/desk/v2`", already="/desk/v2")
    result = gather(root, "boats")
    boat = result.plan.resources["boat"]
    assert boat.path == "/desk/v2/boats"
    paths = {e.path for e in result.endpoints}
    assert "/desk/v2/desk/v2/boats/{id}" not in paths  # a path that has the base is kept
    assert "/desk/v2/boats/{id}" in paths
    (said,) = [u for u in result.plan.unresolved if "base path" in u.what]
    assert said.source == "specs/api/boats.md:4"


def test_two_different_bases_are_a_conflict(tmp_path: Path) -> None:
    two = "All endpoints are under `/desk/v2`.\n\n    Base path: /v3"
    plan = gather(_root(tmp_path, two), "boats").plan
    assert plan.resources["boat"].path == "/desk/v2/boats"
    (conflict,) = [c for c in plan.conflicts if c.what == "base path of every endpoint"]
    assert (conflict.chosen, conflict.overruled) == ("/desk/v2", "/v3")
    assert conflict.winner == "specs/api/boats.md:4" and conflict.loser == "specs/api/boats.md:6"
    assert any("two base paths" in u.what for u in plan.unresolved)


def test_no_base_leaves_the_paths_alone(tmp_path: Path) -> None:
    plan = gather(_root(tmp_path, "Hull codes are unique."), "boats").plan
    assert plan.resources["boat"].path == "/boats"
