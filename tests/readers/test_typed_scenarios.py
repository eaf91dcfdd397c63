"""Contracts written as scenarios over a TypeScript model: a named interface or type alias as the
model, brackets inside its comments, a declaration behind a bold title and a dash, an answer in
arrow notation with its shape in types, query parameters shown in an example URL, the token's
`sub`, the variable holding the JWKS URL, and a numbered Spec-Kit folder holding the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp_backend.readers.gather import gather
from sp_backend.readers.tsbody import ts_skeleton

MODEL = """```ts
export type Kiln = {
  id: string;          // uuid
  name: string;        // 1..30 chars
  maxTempC: number;    // > 600, at most 1400 (a kiln's rating)
  fuel: "gas" | "wood" | "electric";
  firedOn?: string;    // ISO date
}
```
"""


def _project(tmp_path: Path, body: str, folder: str = "specs/api/kilns.md") -> Path:
    contract = tmp_path / folder
    contract.parent.mkdir(parents=True)
    contract.write_text(
        "# Kilns\n\nTokens come from Auth0, checked with the key set at `KILN_JWKS_URL`; the "
        "potter is the token's `sub`.\n\n## Kiln\n\n" + MODEL + "\n" + body
    )
    return tmp_path


SCENARIOS = """
**Add** — `POST /api/kilns` with a Kiln → `201` and the kiln.

**Browse** — `GET /api/kilns?fuel=gas&page=1&perPage=5` → `200`
`{ "items": Kiln[], "total": number, "perPage": number }`.

**One** — `GET /api/kilns/:id` → `200`, or `404`.

**Retire** — `DELETE /api/kilns/:id` → `204`.
"""


def test_a_scenario_contract_over_a_typescript_model(tmp_path: Path) -> None:
    plan = gather(_project(tmp_path, SCENARIOS), "kilns").plan
    kiln = plan.resources["kiln"]
    fields = kiln.fields
    assert set(fields) == {"name", "max_temp_c", "fuel", "fired_on"}
    # "> 600" in a comment is a bound, not the end of the object type.
    assert (fields["max_temp_c"].gt, fields["max_temp_c"].le) == (600, 1400)
    assert fields["fuel"].values == ["gas", "wood", "electric"]
    assert fields["fired_on"].type == "date"
    assert not fields["fired_on"].required and fields["name"].required
    listing = kiln.operations.list
    assert listing.filters == ["fuel"]  # from the example URL
    assert listing.pagination.size_param == "perPage"
    assert (listing.response.metadata, listing.response.keys) == (
        "flat",
        {"total": "total", "page_size": "perPage"},
    )
    assert (plan.auth.mode, plan.auth.user_id_claim, plan.auth.jwks_url_env) == (
        "jwks",
        "sub",
        "KILN_JWKS_URL",
    )
    assert set(kiln.operations.model_dump(exclude_none=True)) >= {
        "create",
        "list",
        "read",
        "delete",
    }


def test_a_numbered_spec_kit_folder_holds_the_features_contract(tmp_path: Path) -> None:
    root = _project(tmp_path, SCENARIOS, "specs/004-kiln-log/contracts/kilns-api.md")
    result = gather(root, "kiln-log")
    assert (
        result.sources.rel(result.sources.contract) == "specs/004-kiln-log/contracts/kilns-api.md"
    )


@pytest.mark.parametrize(
    ("typed", "shape"),
    [
        ('{ "items": Kiln[], "total": number }', {"items": [], "total": 0}),
        ("{ rows: Array<Kiln>; more: boolean }", {"rows": [], "more": False}),
        ('{ "data": Kiln[], "meta": { next: string | null } }', {"data": [], "meta": {"next": ""}}),
        ('{"items": [ ...kilns... ], "total": 1}', {"items": [], "total": 1}),
        ("not a type", None),
    ],
)
def test_a_typed_shape_is_read_as_its_json_skeleton(typed: str, shape: object) -> None:
    assert ts_skeleton(typed) == shape
