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
