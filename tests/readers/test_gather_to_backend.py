"""From Markdown to a working backend with no hand edit: for every corpus folder and every spec
fixture, `gather` then `emit --with-tests`, and the generated tests pass on SQLite and on a
fresh PostgreSQL database. A corpus label marked ``pending`` (tests/corpus_labels/, see
test_corpus.py) is a folder the readers do not read yet: its failures are expected (xfail)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, run_generated_tests, sp_backend

REAL = CORPUS / "real-specs"
LABELS = Path(__file__).resolve().parents[1] / "corpus_labels"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"

CASES: dict[str, tuple[Path, str]] = {
    **{
        f"corpus:{label.stem}": (REAL / label.stem, yaml.safe_load(label.read_text())["feature"])
        for label in sorted(LABELS.glob("*.yaml"))
    },
    **{
        f"fixture:{folder.name}": (
            folder,
            yaml.safe_load((folder / "expected.plan.yaml").read_text())["feature"],
        )
        for folder in sorted(p for p in FIXTURES.iterdir() if (p / "expected.plan.yaml").is_file())
    },
}
PENDING: dict[str, str] = {
    f"corpus:{label.stem}": str(yaml.safe_load(label.read_text())["pending"])
    for label in sorted(LABELS.glob("*.yaml"))
    if yaml.safe_load(label.read_text()).get("pending")
}
FAILED: dict[str, str] = {}  # pending cases whose gather or emit failed, and why


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case's specs copied (the corpus is read-only), gathered and emitted once."""
    out: dict[str, Path] = {}
    for case, (source, feature) in CASES.items():
        if not source.is_dir():
            continue
        root = tmp_path_factory.mktemp(case.replace(":", "-")) / "project"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("expected.plan.yaml"))
        for stale in (root / "specs" / "backend").glob("*.plan.yaml"):
            stale.unlink()
        gathered = sp_backend("gather", feature, "--root", str(root))
        if gathered.returncode != 0 and case in PENDING:
            FAILED[case] = f"gather: {gathered.stderr.strip()[:300]}"
            continue
        assert gathered.returncode == 0, f"{case}: {gathered.stderr}"
        emitted = sp_backend("emit", feature, "--root", str(root), "--with-tests")
        if emitted.returncode != 0 and case in PENDING:
            FAILED[case] = f"emit: {emitted.stderr.strip()[:300]}"
            continue
        assert emitted.returncode == 0, f"{case}: {emitted.stderr}"
        out[case] = root / "backend"
    return out


def _backend(backends: dict[str, Path], case: str) -> Path:
    if case in FAILED:
        pytest.xfail(f"pending ({PENDING[case]}): {FAILED[case]}")
    if case not in backends:
        pytest.skip(f"{case}: {CASES[case][0]} not present (CI has ../shared/corpus)")
    return backends[case]


def _passed(case: str, ok: bool, output: str) -> None:
    if not ok and case in PENDING:
        pytest.xfail(f"pending ({PENDING[case]})")
    assert ok, output


@pytest.mark.parametrize("case", list(CASES))
def test_gathered_backend_passes_on_sqlite(backends: dict[str, Path], case: str) -> None:
    result = run_generated_tests(_backend(backends, case))
    print(f"{case} on SQLite: {result.stdout.strip().splitlines()[-1]}")
    _passed(case, result.returncode == 0, result.stdout[-4000:])


@pytest.mark.parametrize("case", list(CASES))
def test_gathered_backend_passes_on_postgres(
    backends: dict[str, Path], case: str, postgres_database: str
) -> None:
    result = run_generated_tests(_backend(backends, case), postgres_database)
    print(f"{case} on PostgreSQL: {result.stdout.strip().splitlines()[-1]}")
    _passed(case, result.returncode == 0, result.stdout[-4000:])


@pytest.mark.parametrize("case", list(CASES))
def test_check_finds_the_gathered_backend_true_to_its_contract(
    backends: dict[str, Path], case: str
) -> None:
    backend = _backend(backends, case)
    result = sp_backend("check", CASES[case][1], "--root", str(backend.parent))
    _passed(case, result.returncode == 0, result.stdout + result.stderr)
