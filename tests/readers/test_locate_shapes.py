"""Where a feature's files are: README-style contracts, numbered Spec-Kit folders named for the
feature, and model sections whose fields sit under a 'Fields' sub-heading with bold names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp_backend.errors import SpecError
from sp_backend.readers.gather import gather
from sp_backend.readers.locate import locate

_ROUTES = "## API\n\n```\nGET /api/kilns\n```\n\n```\nPOST /api/kilns\n```\n"
_SCHEMA = (
    "# Data model\n\n## Kiln Entity\n\n### Fields\n- **label**: String (Not Null, max 40 chars)\n"
    "- **max_temp**: Integer (Default: 1280)\n- **gas**: Boolean (Default: False)\n"
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_project_readme_listing_routes_is_the_contract(tmp_path: Path) -> None:
    root = _write(tmp_path, {"README.md": "# Pottery studio\n\n" + _ROUTES, "specs/x.txt": ""})
    assert locate(root, "kilns").contract == root / "README.md"


def test_readme_without_routes_is_no_contract(tmp_path: Path) -> None:
    root = _write(tmp_path, {"README.md": "# Pottery studio\n\nGET the clay ready.\n"})
    with pytest.raises(SpecError, match=r"README\.md \(with route lines\)"):
        locate(root, "kilns")


def test_numbered_speckit_folder_named_for_the_feature_gives_its_data_model(
    tmp_path: Path,
) -> None:
    root = _write(
        tmp_path,
        {
            "specs/api/kilns.md": "# Kilns\n\n"
            + _ROUTES.replace("```\n", "").replace("\n\n", "\n"),
            "specs/002-shared-kilns/data-model.md": _SCHEMA,
            "specs/005-kilns/data-model.md": _SCHEMA.replace("1280", "1300"),
            "specs/003-glazes/data-model.md": "# nothing",
        },
    )
    sources = locate(root, "kilns")
    assert sources.speckit_candidates == ["specs/005-kilns", "specs/002-shared-kilns"]
    assert [sources.rel(p) for p in sources.schemas] == ["specs/005-kilns/data-model.md"]
    result = gather(root, "kilns")
    assert any("several Spec-Kit folders fit" in w for w in result.warnings)
    kiln = result.plan.resources["kiln"]
    assert kiln.fields["max_temp"].default == 1300  # the closest folder's model
    assert kiln.fields["gas"].default is False
    assert kiln.fields["label"].max_length == 40


_CHAT_OPENAPI = """openapi: 3.0.3
info: {title: chat, version: "1"}
paths:
  /api/chat/threads:
    get:
      responses: {"200": {description: ok}}
"""


def test_another_features_openapi_does_not_add_to_the_contract(tmp_path: Path) -> None:
    contract = (
        "# Kilns\n\n## GET /api/kilns\n\nList kilns.\n\n## POST /api/kilns\n\n"
        "Request body:\n\n| Field | Type | Required |\n|---|---|---|\n| label | string | yes |\n\n"
        "## GET /api/kilns/{id}\n\nOne kiln.\n"
    )
    root = _write(
        tmp_path,
        {"specs/api/kilns.md": contract, "specs/004-chat/contracts/chat.yaml": _CHAT_OPENAPI},
    )
    result = gather(root, "kilns")
    assert {e.path for e in result.endpoints} == {"/api/kilns", "/api/kilns/{id}"}
    assert any("taken for another feature's API" in w for w in result.warnings)
    # the same file naming the contract's own collection is a companion: it is read
    (root / "specs/004-chat/contracts/chat.yaml").write_text(
        _CHAT_OPENAPI.replace("/api/chat/threads", "/api/kilns/{id}/firings"), encoding="utf-8"
    )
    paths = {e.path for e in gather(root, "kilns").endpoints}
    assert "/api/kilns/{id}/firings" in paths
