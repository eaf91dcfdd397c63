"""What deleting a parent does to the rows nested under it, read from the words of the parent's
own DELETE (its description or its answers'): "removed with its cots" cascades, "refused while
it still has cots" restricts, and silence is restrict with a note for review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sp_backend.readers.gather import gather

CONTRACT = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "specs"
    / "storm-shelters-openapi"
    / "specs"
    / "api"
    / "openapi.json"
)


@pytest.mark.parametrize(
    ("said", "rule", "noted"),
    [
        ("Removed with its cots", "cascade", False),
        ("Deletes the shelter and all of its cots", "cascade", False),
        ("Removed; cascades to the cots", "cascade", False),
        ("Refused while it still has cots", "restrict", False),
        ("Removed", "restrict", True),
        ("Removed with its photos", "restrict", True),  # another collection's words
    ],
)
def test_the_parents_delete_says_what_happens_to_its_children(
    tmp_path: Path, said: str, rule: str, noted: bool
) -> None:
    document = json.loads(CONTRACT.read_text())
    item = document["paths"]["/shelters/{shelterId}"]
    item["delete"]["responses"]["204"]["description"] = said
    target = tmp_path / "specs" / "api" / "openapi.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(document))
    plan = gather(tmp_path, "shelters").plan
    reference = plan.resources["cot"].fields["shelter_id"].references
    assert reference is not None and reference.on_delete == rule
    note = [u for u in plan.unresolved if "what deleting a shelter does" in u.what]
    assert bool(note) is noted
