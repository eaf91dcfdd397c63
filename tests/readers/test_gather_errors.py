"""Failures name the file (and line), use exit code 4, and leave no plan behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp_backend.cli import main
from sp_backend.errors import EXIT_SPEC, SpecError
from sp_backend.plan.load import plan_path
from sp_backend.readers.gather import gather


def _project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return tmp_path


def test_no_contract_lists_every_name_tried(tmp_path: Path, capsys) -> None:
    _project(tmp_path, {"specs/database/schema.md": "# Schema\n"})
    assert main(["gather", "ledger", "--root", str(tmp_path)]) == EXIT_SPEC
    err = capsys.readouterr().err
    for name in (
        "specs/api/ledger-endpoints.md",
        "specs/api/ledger.md",
        "specs/api/rest-endpoints.md",
        "specs/contracts/*.md",
        "openapi",
    ):
        assert name in err
    assert not plan_path(tmp_path, "ledger").exists()


def test_contract_without_endpoints(tmp_path: Path) -> None:
    _project(tmp_path, {"specs/api/ledger.md": "# Ledger\n\nNothing here yet.\n"})
    with pytest.raises(SpecError, match=r"specs/api/ledger.md: no endpoints found"):
        gather(tmp_path, "ledger")


def test_unreadable_contract_names_the_file(tmp_path: Path) -> None:
    _project(tmp_path, {"specs/api/ledger.md": b"\xff\xfe## GET /api/entries\x00\xc3"})
    with pytest.raises(SpecError, match=r"specs/api/ledger.md: not UTF-8"):
        gather(tmp_path, "ledger")


def test_unreadable_schema_is_a_warning(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "specs/api/ledger.md": "## GET /api/entries\n\n## POST /api/entries\n"
            "- `memo`: string (required, max 80 chars)\n",
            "specs/database/schema.md": b"\xff\xfe\x00bad",
        },
    )
    result = gather(tmp_path, "ledger")
    assert any("specs/database/schema.md" in w and "UTF-8" in w for w in result.warnings)
    assert "memo" in result.plan.resources["entry"].fields


def test_malformed_table_is_reported_with_its_line(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "specs/api/ledger.md": (
                "## POST /api/entries\n\n| Field | Type | Required |\n|---|---|---|\n"
                "| memo | string | Yes |\n| amount | decimal | Yes | extra |\n\n"
                "## GET /api/entries\n\n| Field | Type |\n| memo | string |\n"
            )
        },
    )
    warnings = gather(tmp_path, "ledger").warnings
    assert any(w.startswith("specs/api/ledger.md:6: malformed table") for w in warnings)
    assert any(w.startswith("specs/api/ledger.md:10: malformed table") for w in warnings)


def test_failed_gather_leaves_no_partial_plan(tmp_path: Path) -> None:
    _project(tmp_path, {"specs/api/ledger.md": "# Ledger\n"})
    assert main(["gather", "ledger", "--root", str(tmp_path)]) == EXIT_SPEC
    backend = tmp_path / "specs" / "backend"
    assert not backend.exists() or not any(backend.iterdir())


def test_bad_feature_name(tmp_path: Path) -> None:
    assert main(["gather", "Bad Name", "--root", str(tmp_path)]) == EXIT_SPEC


def test_openapi_contract(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "specs/openapi.yaml": """openapi: 3.0.3
info: {title: Links, version: "1"}
paths:
  /api/links:
    get:
      parameters:
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: page_size, in: query, schema: {type: integer, default: 30, maximum: 60}}
      responses: {"200": {description: ok}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/LinkCreate"}
      responses: {"201": {description: created}}
  /api/links/{link_id}:
    get: {responses: {"200": {description: ok}, "404": {description: missing}}}
    delete: {responses: {"204": {description: gone}}}
components:
  schemas:
    LinkCreate:
      type: object
      required: [url]
      properties:
        url: {type: string, maxLength: 2000}
        label: {type: string, maxLength: 60}
        starred: {type: boolean, default: false}
"""
        },
    )
    result = gather(tmp_path, "links")
    assert result.sources.rel(result.sources.contract) == "specs/openapi.yaml"
    link = result.plan.resources["link"]
    assert link.fields["url"].required and link.fields["url"].max_length == 2000
    assert link.fields["starred"].default is False
    assert link.operations.list.pagination.default == 30
    assert link.operations.list.pagination.max == 60
    assert link.operations.update is None


def test_malformed_openapi_names_file_and_line(tmp_path: Path) -> None:
    _project(tmp_path, {"specs/openapi.yaml": "openapi: 3.0.0\npaths:\n  /x: [unclosed\n"})
    with pytest.raises(SpecError, match=r"specs/openapi.yaml:\d+: not valid YAML"):
        gather(tmp_path, "links")
