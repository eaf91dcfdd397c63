"""From Markdown to a working backend with no hand edit: for every corpus folder and every spec
fixture, `gather` then `emit --with-tests`, and the generated tests pass on SQLite and on a
fresh PostgreSQL database. A corpus label marked ``pending`` (tests/corpus_labels/, see
test_corpus.py) is a folder the readers do not read yet: its failures are expected (xfail)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

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


def _suite_passes(backend: Path, case: str, database_url: str | None = None) -> None:
    """Green, but for the red tests of custom operations the agent still has to implement:
    those may fail, and only because the operation answers 501 (emit lists them)."""
    report = backend.parent / f"junit-{'postgres' if database_url else 'sqlite'}.xml"
    result = run_generated_tests(backend, database_url, extra=(f"--junitxml={report}",))
    print(f"{case}: {result.stdout.strip().splitlines()[-1]}")
    failures = _failures(report) if report.is_file() else [("(no report)", result.stdout)]
    others = [
        f"{name}: {text[:300]}"
        for name, text in failures
        if not (name.startswith("tests.test_") and "_operations" in name and "501" in text)
    ]
    _passed(case, result.returncode in (0, 1) and not others, "\n".join(others) or result.stdout)


def _failures(report: Path) -> list[tuple[str, str]]:
    found = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for problem in [*case.iter("failure"), *case.iter("error")]:
            text = (problem.get("message") or "") + "\n" + (problem.text or "")
            found.append((f"{case.get('classname')}.{case.get('name')}", text))
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_gathered_backend_passes_on_sqlite(backends: dict[str, Path], case: str) -> None:
    _suite_passes(_backend(backends, case), case)


@pytest.mark.parametrize("case", list(CASES))
def test_gathered_backend_passes_on_postgres(
    backends: dict[str, Path], case: str, postgres_database: str
) -> None:
    _suite_passes(_backend(backends, case), case, postgres_database)


# Real departures of each backend from its contract, reviewed (see the file's header).
DEPARTURES_FILE = Path(__file__).resolve().parent / "check_departures.yaml"
DEPARTURES: dict[str, list[dict[str, str]]] = yaml.safe_load(DEPARTURES_FILE.read_text()) or {}


def test_check_departures_are_reviewed() -> None:
    """Every listed departure names a case, its kind and contract line, and says why in a line."""
    for case, items in DEPARTURES.items():
        assert case in CASES, f"{DEPARTURES_FILE.name}: {case} is not a case"
        for item in items:
            assert set(item) <= {"kind", "location", "endpoint", "why"}, item
            assert item.get("kind") and re.fullmatch(r"[\w/.\-]+\.\w+:\d+", item["location"]), item
            why = str(item.get("why") or "")
            assert why.strip() and "\n" not in why, f"{case}: {item}: a one-line reason"
        keys = [(i["kind"], i["location"]) for i in items]
        assert len(keys) == len(set(keys)), f"{case}: a departure listed twice"


@pytest.mark.parametrize("case", list(CASES))
def test_check_finds_the_gathered_backend_true_to_its_contract(
    backends: dict[str, Path], case: str
) -> None:
    """check's findings are exactly the case's reviewed departures: a new finding fails (a
    regression, or a misreading to fix in check), and so does a listed one no longer found
    (the backend learnt it: delete it from check_departures.yaml)."""
    backend = _backend(backends, case)
    result = sp_backend("check", CASES[case][1], "--root", str(backend.parent), "--json")
    # 0 clean, 1 departures; anything else (4: no contract, no app) after a gather is a bug
    _passed(case, result.returncode in (0, 1), f"exit {result.returncode}: {result.stderr}")
    found: dict[tuple[str, str], list[str]] = {}
    for m in json.loads(result.stdout)["mismatches"]:
        found.setdefault((m["kind"], m["source"]), []).append(f"{m['endpoint']}: {m['message']}")
    listed = {(d["kind"], d["location"]) for d in DEPARTURES.get(case, [])}
    new = [
        f"  {k} {src}: {said}"
        for (k, src), v in sorted(found.items())
        if (k, src) not in listed
        for said in v
    ]
    gone = [f"  {k} {src}" for k, src in sorted(listed - set(found))]
    _passed(
        case,
        not new and not gone,
        f"{case}: findings differ from {DEPARTURES_FILE.name}\n"
        + (
            "not listed (a real departure: add it with why; a misreading: fix check):\n"
            + "\n".join(new)
            + "\n"
            if new
            else ""
        )
        + ("listed, no longer found (delete them):\n" + "\n".join(gone) if gone else ""),
    )
    assert result.returncode == (1 if listed else 0), result.stdout[-2000:]
