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
# One suggestion per decision cluster (Spec-Kit Plus /sp.adr), not one per decision.
CLUSTERS = {"authentication-and-data-isolation", "data-access-architecture", "api-conventions"}
# The decisions inside them, for the example plan (no backend generated yet).
EXPECTED = {
    "jwt-shared-secret-verification",
    "database-connection-pooling",
    "error-response-envelope",
    "user-isolation-404",
    "pagination-strategy",
    "primary-key-strategy",
}
NOTE = re.compile(r"^Note: /sp\.adr ")


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
    """cluster slug -> what, checking every line has the exact wording (a last `Note:` line on
    /sp.adr's prerequisites aside)."""
    found = {}
    lines = out.splitlines()
    if lines and NOTE.match(lines[-1]):
        lines.pop()
    for line in lines:
        match = WORDING.match(line)
        assert match, f"not in the Spec-Kit Plus wording: {line!r}"
        found[match.group(2)] = match.group(1)
    return found


def decisions(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, dict]:
    """decision slug -> its JSON entry (with the cluster it is in)."""
    code, out, _ = run_adr(root, capsys, "--json", *extra)
    assert code == 0
    found = {}
    for cluster in json.loads(out)["suggestions"]:
        for decision in cluster["decisions"]:
            found[decision["slug"]] = {**decision, "cluster": cluster["slug"]}
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
    assert set(found) == CLUSTERS  # three lines, one per cluster, not one per decision
    auth = found["authentication-and-data-isolation"]
    assert auth.startswith("Authentication and data isolation: ")
    assert "BETTER_AUTH_SECRET" in auth and "404" in auth
    data = found["data-access-architecture"]
    assert "pool_pre_ping" in data and "300 s recycle" in data
    assert "page/page_size (default 20, max 100)" in found["api-conventions"]
    # nothing is said about sync or async until there is generated code to say it from
    assert "threadpool" not in out and "async" not in out
    assert tree(project) == before  # never writes an ADR, or anything


def test_the_access_style_is_read_from_the_generated_code(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    routers = project / "backend/app/routers"
    routers.mkdir(parents=True)
    (routers / "tasks.py").write_text(
        "from fastapi import APIRouter\nrouter = APIRouter()\n\n\n"
        "@router.get('')\nasync def list_tasks(): ...\n\n\n"
        "@router.post('')\ndef create_task(): ...\n\n\n"
        "@router.delete('/{id}')\ndef delete_task(): ...\n",
        encoding="utf-8",
    )
    (project / "backend/app/database.py").write_text("import asyncpg\n", encoding="utf-8")
    access = decisions(project, capsys)["database-access-style"]
    assert access["cluster"] == "data-access-architecture"
    assert access["what"] == (
        "Serve GET with async def handlers on an asyncpg pool and POST, DELETE with sync def "
        "handlers, which FastAPI runs in its threadpool"
    )
    assert access["sources"][:2] == [
        "backend/app/routers/tasks.py:6",
        "backend/app/routers/tasks.py:10",
    ]
    # all async now: the claim follows the code
    (routers / "tasks.py").write_text(
        "@router.get('')\nasync def a(): ...\n@router.post('')\nasync def b(): ...\n",
        encoding="utf-8",
    )
    (project / "backend/app/database.py").write_text("engine = None\n", encoding="utf-8")
    access = decisions(project, capsys)["database-access-style"]
    assert access["what"] == "Serve every route (GET, POST) with async def handlers"


def test_the_generated_example_backend_is_described_as_it_is(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    emit = [sys.executable, str(REPO / "scripts/emit_backend.py"), "task-crud"]
    done = subprocess.run(
        [*emit, "--root", str(project)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    routes = (project / "backend/app/routers/tasks.py").read_text(encoding="utf-8")
    access = decisions(project, capsys)["database-access-style"]["what"]
    # GET handlers are async def in the generated code; the suggestion must not say otherwise
    assert ("async def list_tasks" in routes) == ("GET with async def" in access)
    assert "not async" not in access


def test_json_lists_clusters_with_their_decisions(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    code, out, _ = run_adr(project, capsys, "--json")
    assert code == 0
    doc = json.loads(out)
    assert {e["slug"] for e in doc["suggestions"]} == CLUSTERS
    assert NOTE.match(doc["adr_prerequisite"]) and "plan.md" in doc["adr_prerequisite"]
    found = {}
    for entry in doc["suggestions"]:
        assert {"title", "slug", "what", "decisions", "source", "sources"} <= set(entry)
        assert WORDING.match(entry["suggestion"])
        for decision in entry["decisions"]:
            assert "long-term:" in decision["reason"] and "alternatives:" in decision["reason"]
            assert decision["sources"][0].startswith("specs/backend/task-crud.plan.yaml")
            found[decision["slug"]] = decision
    assert set(found) == EXPECTED
    auth = found["jwt-shared-secret-verification"]
    assert auth["sources"][0] == "specs/backend/task-crud.plan.yaml:12 (auth.mode)"


def test_the_sp_adr_prerequisite_is_named_when_missing(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    _, out, _ = run_adr(project, capsys)
    last = out.strip().splitlines()[-1]
    assert NOTE.match(last) and "plan.md" in last and "/sp.plan" in last
    (project / "specs/001-task-crud").mkdir()
    (project / "specs/001-task-crud/plan.md").write_text("# Plan\n", encoding="utf-8")
    _, out, _ = run_adr(project, capsys)
    assert "Note:" not in out  # not a git repository: nothing else /sp.adr would lack
    assert set(slugs(out)) == CLUSTERS


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
        ("0006-errors.md", "# Error response format\n", "error-response-envelope"),
        ("0007-isolation.md", "# Tenant isolation returns 404\n", "user-isolation-404"),
        ("0008-ids.md", "# UUIDs for every table\n", "primary-key-strategy"),
    ],
)
def test_a_matching_adr_silences_its_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, gone: str
):
    (project / "history/adr" / name).write_text(text, encoding="utf-8")
    code, _, err = run_adr(project, capsys, "--explain")
    assert code == 0
    assert f"covered by {project / 'history/adr' / name}: {gone}" in err
    assert set(decisions(project, capsys)) == EXPECTED - {gone}


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
    assert set(decisions(project, capsys)) == EXPECTED


def test_a_cluster_adr_covers_the_whole_cluster(project: Path, capsys: pytest.CaptureFixture[str]):
    (project / "history/adr/0001-api.md").write_text("# API conventions\n", encoding="utf-8")
    _, out, _ = run_adr(project, capsys)
    assert set(slugs(out)) == CLUSTERS - {"api-conventions"}


def test_everything_covered_says_so(project: Path, capsys: pytest.CaptureFixture[str]):
    for i, slug in enumerate(sorted(EXPECTED), start=1):
        (project / "history/adr" / f"{i:04d}-{slug}.md").write_text(f"# {slug}\n", encoding="utf-8")
    code, out, _ = run_adr(project, capsys)
    assert code == 0
    assert out.strip() == (
        "No new architectural decisions to document (6 already covered by history/adr/)."
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
    entries = decisions(project, capsys)
    assert set(entries) == EXPECTED | {"caching-strategy", "background-task-processing"}
    assert "file-storage" not in entries  # the line rules it out; token storage is not files
    assert entries["caching-strategy"]["sources"] == ["specs/architecture.md:4"]
    assert entries["caching-strategy"]["cluster"] == "data-access-architecture"
    assert "Redis" in entries["caching-strategy"]["what"]
    assert "Celery" in entries["background-task-processing"]["what"]
    assert "specs/architecture.md:3" in entries["database-connection-pooling"]["sources"]


ROADMAP = """# Architecture

- Database: Neon Serverless PostgreSQL

| Phase | Scope | Stack |
| --- | --- | --- |
| Phase I | Console app | Python |
| Phase V | Event streaming | Kafka, Dapr |

## Roadmap

- Reminder e-mails through Celery workers
- Attachments in S3

### Phase 4 detail

- Redis cache in front of the lists

## Data access

- Every query filters by the user.
"""


def test_roadmap_and_future_phases_suggest_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    (project / "specs/architecture.md").write_text(ROADMAP, encoding="utf-8")
    entries = decisions(project, capsys)
    assert set(entries) == EXPECTED
    _, out, _ = run_adr(project, capsys)
    for word in ("Kafka", "Celery", "S3", "Redis"):
        assert word not in out


def test_async_notes_sharpen_a_sync_access_style(project: Path, capsys: pytest.CaptureFixture[str]):
    (project / "specs/architecture.md").write_text(
        "# Stack\n\nFastAPI with async SQLAlchemy sessions.\nFiles go to S3 buckets.\n",
        encoding="utf-8",
    )
    routers = project / "backend/app/routers"
    routers.mkdir(parents=True)
    (routers / "t.py").write_text("@router.post('')\ndef c(): ...\n", encoding="utf-8")
    entries = decisions(project, capsys)
    assert "specs/architecture.md:3" in entries["database-access-style"]["what"]
    assert "S3" in entries["file-storage"]["what"]
    assert entries["file-storage"]["cluster"] == "file-storage"


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
    found = decisions(project, capsys)
    assert slug in found and words in found[slug]["what"]


def test_cursor_pagination_names_its_order(project: Path, capsys: pytest.CaptureFixture[str]):
    def cursor(d: dict) -> None:
        listing = d["resources"]["task"]["operations"]["list"]
        listing["pagination"] = {"style": "cursor"}
        listing["sort"].pop("order_param")

    edit_plan(project, cursor)
    assert (
        "keyset cursors in -created_at order"
        in decisions(project, capsys)["pagination-strategy"]["what"]
    )


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
    assert "task-search" not in out
    assert "not significant: task-search" in err and "not cross-cutting" in err
    assert "no generated backend/ yet" in err


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
    assert set(slugs(out)) == CLUSTERS
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
    assert set(slugs(done.stdout)) == CLUSTERS
