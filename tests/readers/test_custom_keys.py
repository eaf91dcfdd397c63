"""A custom operation's body, answer and query keys as the contract spells them: camelCase
keys become snake_case plan names under the resource's convention (json_name only where a key
differs from it), so the generated route takes and gives the contract's keys."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sp_backend.readers.custom import plan_name
from sp_backend.readers.gather import gather

KILNS = """
    # Pottery studio kilns

    ## GET /api/kilns
    Response (200):
    ```json
    {"items": [{"id": 1, "kilnName": "Big Bertha", "maxTempC": 1300,
                "createdAt": "2030-01-01T00:00:00Z"}]}
    ```

    ## POST /api/kilns
    Request body:
    ```json
    {"kilnName": "Big Bertha", "maxTempC": 1300}
    ```
    Response (201): the kiln.

    ## POST /api/kilns/{id}/firings
    Request body:
    ```json
    {"targetTempC": 1220, "coneNumber": 6, "SKU": "GLZ-1"}
    ```
    Response (201):
    ```json
    {"firingId": 12, "startedAt": "2030-01-02T08:00:00Z", "kilnName": "Big Bertha"}
    ```

    ## GET /api/kilns/schedule
    | Parameter | In | Type |
    |---|---|---|
    | fromDate | query | string |

    Response (200):
    ```json
    {"firingCount": 3, "nextFiringAt": "2030-01-03T08:00:00Z"}
    ```
"""


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "kilns.md").write_text(textwrap.dedent(KILNS))
    return root


def test_plan_names_of_keys() -> None:
    assert plan_name("fromDate") == "from_date"
    assert plan_name("HALL") == "hall"
    assert plan_name("cone-number") == "cone_number"
    assert plan_name("plain") == "plain"
    assert plan_name("9lives") is None


def test_camel_case_custom_keys_are_planned_under_the_convention(tmp_path: Path) -> None:
    kiln = gather(_root(tmp_path), "kilns").plan.resources["kiln"]
    assert kiln.json_names == "camelCase"
    custom = kiln.operations.custom
    firing = next(op for op in custom.values() if op.method == "POST")
    request = firing.request or {}
    assert set(request) == {"target_temp_c", "cone_number", "sku"}
    # Only SKU differs from what camelCase makes of its name.
    assert {n: s.json_name for n, s in request.items()} == {
        "target_temp_c": None,
        "cone_number": None,
        "sku": "SKU",
    }
    assert [kiln.op_wire(n, s) for n, s in request.items()] == ["targetTempC", "coneNumber", "SKU"]
    schedule = next(op for op in custom.values() if op.method == "GET")
    assert list(schedule.query) == ["from_date"]
    assert isinstance(schedule.response, dict)
    assert set(schedule.response) == {"firing_count", "next_firing_at"}
