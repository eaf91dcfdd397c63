"""gather on the real spec folders in ../shared/corpus, scored against labels read by hand
(tests/corpus_labels/). Prints per-folder recall and precision; asserts the issue's thresholds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from sp_backend.readers.facts import endpoint_key
from sp_backend.readers.gather import gather

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "real-specs"
LABELS = REPO / "tests" / "corpus_labels"
FOLDERS = sorted(p.stem for p in LABELS.glob("*.yaml"))

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"corpus not present at {CORPUS} (CI has it)"
)


def _label(folder: str) -> dict:
    return yaml.safe_load((LABELS / f"{folder}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_folder(folder: str) -> None:
    label = _label(folder)
    start = time.perf_counter()
    result = gather(CORPUS / folder, label["feature"])
    elapsed = time.perf_counter() - start
    expected = {endpoint_key(*e.split(" ", 1)) for e in label["endpoints"]}
    found = {e.key for e in result.endpoints}
    hits = expected & found
    recall = len(hits) / len(expected)
    precision = len(hits) / len(found) if found else 0.0
    main = label["main_resource"]
    plan = result.plan
    resource = plan.resources.get(main["name"])
    assert resource is not None, f"{folder}: no {main['name']} resource in the plan"
    field_hits = set(main["fields"]) & set(resource.fields)
    field_recall = len(field_hits) / len(main["fields"])
    print(
        f"\n{folder}: endpoints recall {recall:.0%} precision {precision:.0%} "
        f"({len(hits)}/{len(expected)} expected, {len(found)} found); fields recall "
        f"{field_recall:.0%}; {elapsed * 1000:.0f} ms"
    )
    assert recall >= 0.95, f"missed: {sorted(expected - found)}"
    assert precision >= 0.95, f"extra: {sorted(found - expected)}"
    assert field_recall >= 0.90, f"missed fields: {sorted(set(main['fields']) - field_hits)}"
    assert result.sources.rel(result.sources.contract) == label["contract"]
    assert plan.auth.mode == label["auth"]["mode"]
    assert resource.path_has_user_id == main["owner_in_path"]
    assert resource.id == main["id"]
    if "not_owner_status" in label:
        assert plan.errors.not_owner_status == label["not_owner_status"]
    reported = {
        c.what.split(".", 1)[1] if c.what.startswith(main["name"] + ".") else c.what
        for c in plan.conflicts
    }
    for conflict in label["conflicts"]:
        assert conflict in reported, f"conflict {conflict} not reported: {sorted(reported)}"
    assert elapsed < 1.0
