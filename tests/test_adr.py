"""ADR suggestions: the decisions the plans really make, in the exact wording, gone once an
ADR covers them; never an ADR written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sp_backend.cli import main
from sp_backend.records.significance import Significance

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "assets/examples/task-crud"
WORDING = re.compile(
    r"^📋 Architectural decision detected: (.+)\. Document reasoning\? "
    r"Run `/sp\.adr ([a-z0-9-]+)`$"
)
EXPECTED = {
    "jwt-shared-secret-verification",
    "database-connection-pooling",
    "sync-database-access",
    "error-response-envelope",
    "user-isolation-404",
    "pagination-strategy",
    "primary-key-strategy",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "specs", tmp_path / "specs")
    (tmp_path / "history/adr").mkdir(parents=True)
    return tmp_path


def run_adr(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["adr", "--root", str(root), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def slugs(out: str) -> dict[str, str]:
    """slug -> what, checking every line has the exact wording."""
    found = {}
    for line in out.splitlines():
        match = WORDING.match(line)
        assert match, f"not in the Spec-Kit Plus wording: {line!r}"
        found[match.group(2)] = match.group(1)
    return found


def edit_plan(root: Path, change) -> None:
    path = root / "specs/backend/task-crud.plan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_example_plan_decisions_in_the_exact_wording(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    before = tree(project)
    code, out, _ = run_adr(project, capsys)
    assert code == 0
    found = slugs(out)
    assert set(found) == EXPECTED
    assert "BETTER_AUTH_SECRET" in found["jwt-shared-secret-verification"]
    assert "pool_pre_ping" in found["database-connection-pooling"]
    assert "300 s recycle" in found["database-connection-pooling"]
    assert "threadpool" in found["sync-database-access"]
    assert "page/page_size (default 20, max 100)" in found["pagination-strategy"]
    assert "404" in found["user-isolation-404"]
    assert tree(project) == before  # never writes an ADR, or anything


def test_json_lists_title_slug_reason_source(project: Path, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run_adr(project, capsys, "--json")
    assert code == 0
    entries = json.loads(out)
    assert {e["slug"] for e in entries} == EXPECTED
    for entry in entries:
        assert {"title", "slug", "reason", "source"} <= set(entry)
        assert "long-term:" in entry["reason"] and "alternatives:" in entry["reason"]
        assert entry["source"].startswith("specs/backend/task-crud.plan.yaml")
        assert WORDING.match(entry["suggestion"])
    auth = next(e for e in entries if e["slug"] == "jwt-shared-secret-verification")
    assert auth["source"] == "specs/backend/task-crud.plan.yaml:12 (auth.mode)"


@pytest.mark.parametrize(
    ("name", "text", "gone"),
    [
        ("0001-database-connection-pooling.md", "# Pooling\n", "database-connection-pooling"),
        ("0002-paging.md", "# ADR-0002: Pagination with page numbers\n", "pagination-strategy"),
        (
            "0003-db.md",
            "---\ntitle: Database setup\n---\nWe keep pool_pre_ping on.\n",
            "database-connection-pooling",
        ),
        (
            "0004-auth.md",
            "# ADR 4 - JWT verification with Better Auth\n",
            "jwt-shared-secret-verification",
        ),
        ("0005-threads.md", "# Synchronous routes in the threadpool\n", "sync-database-access"),
        ("0006-errors.md", "# Error response format\n", "error-response-envelope"),
        ("0007-isolation.md", "# Tenant isolation returns 404\n", "user-isolation-404"),
        ("0008-ids.md", "# UUIDs for every table\n", "primary-key-strategy"),
    ],
)
def test_a_matching_adr_silences_its_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, gone: str
):
    (project / "history/adr" / name).write_text(text, encoding="utf-8")
    code, out, err = run_adr(project, capsys, "--explain")
    assert code == 0
    assert set(slugs(out)) == EXPECTED - {gone}
    assert f"covered by {project / 'history/adr' / name}: {gone}" in err


def test_unrelated_adrs_silence_nothing(project: Path, capsys: pytest.CaptureFixture[str]):
    adr = project / "history/adr"
    (adr / "0001-frontend-framework.md").write_text(
        "# Use Next.js for the frontend\nToken storage in cookies.\n", encoding="utf-8"
    )
    (adr / "0002-identity-provider.md").write_text(
        "# Identity provider strategy\n", encoding="utf-8"
    )
    (adr / "0404-deploy.md").write_text("# Deploy on Fly.io with 4 workers\n", encoding="utf-8")
    (adr / "0005-jobs.md").write_text("# Async e-mail jobs\n", encoding="utf-8")
    _, out, _ = run_adr(project, capsys)
    assert set(slugs(out)) == EXPECTED


def test_everything_covered_says_so(project: Path, capsys: pytest.CaptureFixture[str]):
    for i, slug in enumerate(sorted(EXPECTED), start=1):
        (project / "history/adr" / f"{i:04d}-{slug}.md").write_text(f"# {slug}\n", encoding="utf-8")
    code, out, _ = run_adr(project, capsys)
    assert code == 0
    assert out.strip() == (
        "No new architectural decisions to document (7 already covered by history/adr/)."
    )


ARCHITECTURE = """# Architecture

- Database: Neon Serverless PostgreSQL
- Sessions cached in Redis for 5 minutes
- Reminder e-mails sent by Celery workers
- No file uploads in this phase
- Frontend stores the token in localStorage
"""


def test_architecture_notes(project: Path, capsys: pytest.CaptureFixture[str]):
    (project / "specs/architecture.md").write_text(ARCHITECTURE, encoding="utf-8")
    code, out, _ = run_adr(project, capsys, "--json")
    assert code == 0
    entries = {e["slug"]: e for e in json.loads(out)}
    assert set(entries) == EXPECTED | {"caching-strategy", "background-task-processing"}
    assert "file-storage" not in entries  # the line rules it out; token storage is not files
    assert entries["caching-strategy"]["source"] == "specs/architecture.md:4"
    assert "Redis" in entries["caching-strategy"]["what"]
    assert "Celery" in entries["background-task-processing"]["what"]
    assert "specs/architecture.md:3" in entries["database-connection-pooling"]["sources"]


def test_async_notes_sharpen_the_sync_decision(project: Path, capsys: pytest.CaptureFixture[str]):
    (project / "specs/architecture.md").write_text(
        "# Stack\n\nFastAPI with async SQLAlchemy sessions.\nFiles go to S3 buckets.\n",
        encoding="utf-8",
    )
    _, out, _ = run_adr(project, capsys)
    found = slugs(out)
    assert "specs/architecture.md:3" in found["sync-database-access"]
    assert "S3" in found["file-storage"]


@pytest.mark.parametrize(
    ("change", "slug", "words"),
    [
        (
            lambda d: d["auth"].update(mode="jwks", algorithms=["RS256"]),
            "jwt-jwks-verification",
            "RS256",
        ),
        (
            lambda d: d["auth"].update(mode="local", algorithms=["HS256"]),
            "local-token-issuance",
            "Argon2",
        ),
        (
            lambda d: d["errors"].update(not_owner_status=403),
            "user-isolation-403",
            "reveals that the id exists",
        ),
        (
            lambda d: d["resources"]["task"]["operations"]["list"].update(
                pagination={"style": "offset", "default": 10, "max": 50}
            ),
            "pagination-strategy",
            "limit/offset (default 10, max 50)",
        ),
    ],
)
def test_what_the_plan_decides_is_what_is_suggested(
    project: Path, capsys: pytest.CaptureFixture[str], change, slug: str, words: str
):
    edit_plan(project, change)
    _, out, _ = run_adr(project, capsys)
    found = slugs(out)
    assert slug in found and words in found[slug]


def test_cursor_pagination_names_its_order(project: Path, capsys: pytest.CaptureFixture[str]):
    def cursor(d: dict) -> None:
        listing = d["resources"]["task"]["operations"]["list"]
        listing["pagination"] = {"style": "cursor"}
        listing["sort"].pop("order_param")

    edit_plan(project, cursor)
    _, out, _ = run_adr(project, capsys)
    assert "keyset cursors in -created_at order" in slugs(out)["pagination-strategy"]


@pytest.mark.parametrize(
    ("significance", "failing"),
    [
        (Significance("", ("b",), ("x", "y")), "long-term"),
        (Significance("hard to undo", (), ("x", "y")), "alternative"),
        (Significance("hard to undo", ("b",), ("x",)), "cross-cutting"),
    ],
)
def test_each_part_of_the_significance_test_can_fail(significance: Significance, failing: str):
    assert not significance.passes()
    assert any(failing in f for f in significance.failures())
    assert Significance("hard to undo", ("b",), ("x", "y")).passes()


def test_local_decisions_fail_the_test_and_are_explained(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    _, out, err = run_adr(project, capsys, "--explain")
    assert "task-search" not in slugs(out)
    assert "not significant: task-search" in err and "not cross-cutting" in err


def test_no_plans_and_no_notes_is_a_plan_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = run_adr(tmp_path, capsys)
    assert code == 3 and "specs/backend" in err


def test_an_invalid_plan_is_skipped_with_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    (project / "specs/backend/broken.plan.yaml").write_text(
        "feature: broken\nresources: 3\n", encoding="utf-8"
    )
    code, out, err = run_adr(project, capsys)
    assert code == 0
    assert "broken.plan.yaml" in err
    assert set(slugs(out)) == EXPECTED
    code, _, err = run_adr(project, capsys, "broken")
    assert code == 3 and "broken.plan.yaml" in err


def test_script_runs_standalone(project: Path):
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts/suggest_adr.py"), "task-crud", "--root", str(project)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert set(slugs(done.stdout)) == EXPECTED
