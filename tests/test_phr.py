"""Prompt History Records: written to the Spec-Kit Plus conventions, then parsed back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sp_backend.cli import main
from sp_backend.records import phr
from sp_backend.records.common import create_new, slugify
from sp_backend.records.template import parse_front_matter, split_front_matter

REPO = Path(__file__).resolve().parents[1]
PROMPT = """/sp.backend-engineer task-crud --with-tests

Keep {{TITLE}} literally, and this:
---
key: value # not front matter
  indented line\twith a tab"""


def write(root: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(
        [
            "phr",
            "--root",
            str(root),
            "--user",
            "dev",
            "--branch",
            "main",
            "--date",
            "2026-11-26",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def read_record(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    assert parts is not None, text
    return yaml.safe_load(parts[0]), parts[1]


def id_text(path: Path) -> str:
    """The `id:` value as written (YAML 1.1 would read `0041` as octal 33)."""
    match = re.search(r"^id: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, path
    return match.group(1)


def sections(body: str) -> dict[str, str]:
    """Body text under each '## ' heading."""
    found = re.split(r"^## (.+)$", body, flags=re.MULTILINE)
    return {found[i].strip(): found[i + 1].strip("\n") for i in range(1, len(found), 2)}


def test_record_reads_back_to_the_letter(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, out, _ = write(
        tmp_path,
        "--title",
        "Emit task-crud backend",
        "--feature",
        "task-crud",
        "--prompt",
        PROMPT,
        "--response",
        "Generated 22 files; tests green",
        "--files",
        "backend/app/main.py,backend/app/models/task.py",
        "--tests",
        "backend/tests: 48 passed, 1 skipped",
        "--model",
        "claude",
        capsys=capsys,
    )
    assert code == 0
    path = tmp_path / "history/prompts/task-crud/0001-emit-task-crud-backend.green.prompt.md"
    assert out.strip() == str(path)
    meta, body = read_record(path)
    assert list(meta) == list(phr.FRONT_MATTER_KEYS)
    assert id_text(path) == "0001"
    assert meta["title"] == "Emit task-crud backend"
    assert meta["stage"] == "green"
    assert str(meta["date"]) == "2026-11-26"
    assert (meta["surface"], meta["model"], meta["feature"]) == ("agent", "claude", "task-crud")
    assert (meta["branch"], meta["user"]) == ("main", "dev")
    # the prompt's first line, arguments and all
    assert meta["command"] == "/sp.backend-engineer task-crud --with-tests"
    assert meta["labels"] == ["backend", "fastapi", "sqlmodel"]
    assert meta["links"] == {"spec": None, "ticket": None, "adr": None, "pr": None}
    assert meta["files"] == ["backend/app/main.py", "backend/app/models/task.py"]
    assert meta["tests"] == ["backend/tests: 48 passed, 1 skipped"]
    parts = sections(body)
    assert list(parts) == ["Prompt", "Response snapshot", "Outcome", "Evaluation notes (flywheel)"]
    assert parts["Prompt"] == PROMPT  # verbatim, placeholders inside it untouched
    assert parts["Response snapshot"] == "Generated 22 files; tests green"
    outcome = parts["Outcome"]
    for item in (
        "Impact:",
        "Tests: backend/tests: 48 passed",
        "Files: 2 file(s)",
        "Next prompts:",
        "Reflection:",
    ):
        assert item in outcome
    assert "{{" not in path.read_text(encoding="utf-8").replace(PROMPT, "")


@pytest.mark.parametrize(
    ("stage", "folder"),
    [
        ("constitution", "constitution"),
        ("general", "general"),
        ("spec", "task-crud"),
        ("plan", "task-crud"),
        ("tasks", "task-crud"),
        ("red", "task-crud"),
        ("refactor", "task-crud"),
        ("explainer", "task-crud"),
        ("misc", "task-crud"),
    ],
)
def test_folder_by_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stage: str, folder: str
):
    code, out, _ = write(
        tmp_path,
        "--title",
        "A record",
        "--stage",
        stage,
        "--feature",
        "task-crud",
        "--prompt",
        "hi",
        capsys=capsys,
    )
    assert code == 0
    assert (
        Path(out.strip())
        == tmp_path / "history/prompts" / folder / f"0001-a-record.{stage}.prompt.md"
    )


def test_unknown_stage_is_an_error_listing_the_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    code, _, err = write(
        tmp_path,
        "--title",
        "x",
        "--stage",
        "implement",
        "--feature",
        "f",
        "--prompt",
        "hi",
        capsys=capsys,
    )
    assert code == 2
    assert "implement" in err
    for stage in phr.STAGES:
        assert stage in err
    assert not (tmp_path / "history").exists()


def test_feature_stage_needs_a_feature(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = write(tmp_path, "--title", "x", "--prompt", "hi", capsys=capsys)
    assert code == 2 and "--feature" in err


def test_odd_folders_next_id_never_collides(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    folder = tmp_path / "history/prompts/task-crud"
    folder.mkdir(parents=True)
    names = [
        "1-first.spec.prompt.md",
        "07-seven.plan.prompt.md",
        "012-twelve.green.prompt.md",
        "0012-twelve-again.red.prompt.md",
        "README.md",
        "notes-2025.md",
        ".DS_Store",
        "999x-not-an-id.md",
        "draft.green.prompt.md",
    ]
    for name in names:
        (folder / name).write_text("foreign\n", encoding="utf-8")
    (folder / "0040-a-folder").mkdir()  # odd, but still takes the number
    code, out, _ = write(
        tmp_path, "--title", "Next one", "--feature", "task-crud", "--prompt", "hi", capsys=capsys
    )
    assert code == 0
    assert Path(out.strip()).name == "0041-next-one.green.prompt.md"
    for name in names:
        assert (folder / name).read_text(encoding="utf-8") == "foreign\n"
    assert id_text(Path(out.strip())) == "0041"


def test_a_taken_name_is_never_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "history/prompts/general"
    folder.mkdir(parents=True)
    taken = folder / "0001-same.general.prompt.md"
    taken.write_text("someone else's record\n", encoding="utf-8")
    real = phr.next_id
    calls = iter([1])  # a stale scan: another writer took 0001 after we looked

    def stale(path: Path) -> int:
        return next(calls, None) or real(path)

    monkeypatch.setattr(phr, "next_id", stale)
    result = phr.write_phr(
        tmp_path, phr.PhrInput(title="Same", prompt="p", stage="general", user="u", branch="b")
    )
    assert taken.read_text(encoding="utf-8") == "someone else's record\n"
    assert result.path.name == "0002-same.general.prompt.md"
    with pytest.raises(FileExistsError):
        create_new(taken, "new")
    assert taken.read_text(encoding="utf-8") == "someone else's record\n"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Emit  Task-CRUD: backend!! (v2)", "emit-task-crud-backend-v2"),
        ("  --Leading and trailing--  ", "leading-and-trailing"),
        ("Ünïcode café", "n-code-caf"),
        ("snake_case_and.dots", "snake-case-and-dots"),
    ],
)
def test_slug_rules(title: str, slug: str):
    assert slugify(title) == slug


def test_a_title_without_letters_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = write(
        tmp_path, "--title", "!!!", "--feature", "f", "--prompt", "hi", capsys=capsys
    )
    assert code == 2 and "--title" in err


@pytest.mark.parametrize("title", ["yes", "0012", "null", 'Fix: "quotes" & #hash', "- dash"])
def test_yaml_hostile_values_read_back(tmp_path: Path, title: str):
    result = phr.write_phr(
        tmp_path,
        phr.PhrInput(
            title=title,
            prompt="p",
            feature="f",
            user="no",
            branch="on",
            model="1.5",
            files=["a: b.py", "#weird.py"],
            tests=["x: 1 passed"],
            labels=["yes", "a,b"],
        ),
    )
    meta = parse_front_matter(result.path.read_text(encoding="utf-8"))
    assert meta is not None
    assert (meta["title"], meta["user"], meta["branch"], meta["model"]) == (
        title,
        "no",
        "on",
        "1.5",
    )
    assert meta["files"] == ["a: b.py", "#weird.py"]
    assert meta["tests"] == ["x: 1 passed"]
    assert meta["labels"] == ["yes", "a,b"]


# A project template in the de facto Spec-Kit Plus shape (written here for the test).
PROJECT_TEMPLATE = """---
id: {{ID}}
title: {{TITLE}}
stage: {{STAGE}}
date: {{DATE_ISO}}
surface: {{SURFACE}}
model: {{MODEL}}
feature: {{FEATURE}}
branch: {{BRANCH}}
user: {{USER}}
command: {{COMMAND}}
labels: [{{LABELS}}]
links:
  spec: {{LINKS_SPEC}}
  ticket: {{LINKS_TICKET}}
  adr: {{LINKS_ADR}}
  pr: {{LINKS_PR}}
files:
{{FILES_YAML}}
tests:
{{TESTS_YAML}}
reviewer: {{REVIEWER}}
---

## Prompt

{{PROMPT_TEXT}}

## Response snapshot

{{RESPONSE_TEXT}}

## Outcome

- Impact: {{OUTCOME_IMPACT}}
- Our project's own line: {{PROJECT_NOTE}}

## Evaluation notes (flywheel)

- Graders: {{GRADER_RESULTS}}
"""


def test_project_template_is_used_and_unknown_placeholders_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    template = tmp_path / ".specify/templates/phr-template.prompt.md"
    template.parent.mkdir(parents=True)
    template.write_text(PROJECT_TEMPLATE, encoding="utf-8")
    code, out, err = write(
        tmp_path,
        "--title",
        "Use project template",
        "--stage",
        "general",
        "--prompt",
        "hello",
        "--labels",
        "api,auth",
        "--json",
        capsys=capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["template"] == "project"
    assert "PROJECT_NOTE" in err and "REVIEWER" in err
    text = Path(doc["path"]).read_text(encoding="utf-8")
    meta = parse_front_matter(text)
    assert meta is not None
    assert meta["labels"] == ["api", "auth"]
    assert meta["files"] == ["none"] and meta["tests"] == ["none"]  # as /sp.phr fills them
    assert meta["feature"] == "none"
    assert meta["reviewer"] is None
    assert "- Our project's own line: n/a" in text
    assert not re.search(r"\{\{\s*\w+\s*\}\}", text)


def test_incomplete_project_template_falls_back_to_bundled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    template = tmp_path / ".specify/templates/phr-template.prompt.md"
    template.parent.mkdir(parents=True)
    template.write_text(PROJECT_TEMPLATE.replace("{{PROMPT_TEXT}}", ""), encoding="utf-8")
    code, out, err = write(
        tmp_path,
        "--title",
        "Fallback",
        "--feature",
        "f",
        "--prompt",
        "the user's words",
        "--json",
        capsys=capsys,
    )
    assert code == 0
    assert json.loads(out)["template"] == "bundled"
    assert "bundled" in err and "prompt" in err
    _, body = read_record(Path(json.loads(out)["path"]))
    assert sections(body)["Prompt"] == "the user's words"


def emit_report(out_dir: str, dry_run: bool = False) -> dict:
    """The shape `sp-backend emit --json` prints (the writer's report, nested)."""
    return {
        "feature": "task-crud",
        "write": {
            "out_dir": out_dir,
            "dry_run": dry_run,
            "files": [
                {"path": "app/main.py", "action": "created"},
                {"path": "app/models/task.py", "action": "updated"},
                {"path": "requirements.txt", "action": "identical"},
                {"path": "app/config.py", "action": "conflict", "beside": "app/config.py.new"},
                {"path": "tests/test_task.py", "action": "forced"},
            ],
        },
    }


@pytest.mark.parametrize("absolute", [True, False])
def test_emit_json_fills_the_file_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], absolute: bool
):
    report = tmp_path / "emit.json"
    out_dir = str(tmp_path / "backend") if absolute else "backend"
    report.write_text(json.dumps(emit_report(out_dir)), encoding="utf-8")
    code, out, _ = write(
        tmp_path,
        "--title",
        "Emit",
        "--feature",
        "task-crud",
        "--prompt",
        "p",
        "--emit-json",
        str(report),
        "--files",
        "specs/backend/x.plan.yaml",
        "--json",
        capsys=capsys,
    )
    assert code == 0
    meta, _ = read_record(Path(json.loads(out)["path"]))
    assert meta["files"] == [
        "specs/backend/x.plan.yaml",
        "backend/app/main.py",
        "backend/app/models/task.py",
        "backend/app/config.py.new",
        "backend/tests/test_task.py",
    ]


def test_emit_json_problems_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = write(
        tmp_path,
        "--title",
        "E",
        "--feature",
        "f",
        "--prompt",
        "p",
        "--emit-json",
        str(bad),
        capsys=capsys,
    )
    assert code == 2 and "bad.json:1" in err
    dry = tmp_path / "dry.json"
    dry.write_text(json.dumps(emit_report("backend", dry_run=True)), encoding="utf-8")
    code, _, err = write(
        tmp_path,
        "--title",
        "E",
        "--feature",
        "f",
        "--prompt",
        "p",
        "--emit-json",
        str(dry),
        capsys=capsys,
    )
    assert code == 2 and "dry-run" in err
    assert not (tmp_path / "history").exists()


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, out, _ = write(
        tmp_path, "--title", "Dry", "--feature", "f", "--prompt", "p", "--dry-run", capsys=capsys
    )
    assert code == 0
    assert "0001-dry.green.prompt.md" in out and "## Prompt" in out
    assert not (tmp_path / "history").exists()


def test_script_reads_the_prompt_from_stdin(tmp_path: Path):
    prompt = "line one\n  line two with `code` and {{ID}}\n"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/write_phr.py"),
            "--root",
            str(tmp_path),
            "--title",
            "From stdin",
            "--feature",
            "task-crud",
            "--prompt",
            "-",
            "--json",
        ],
        input=prompt,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["id"] == 1 and doc["stage"] == "green"
    _, body = read_record(Path(doc["path"]))
    assert sections(body)["Prompt"] == prompt.rstrip("\n")


def test_bundled_template_has_every_convention_key():
    text = phr.BUNDLED_TEMPLATE.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    assert parts is not None
    keys = [line.split(":")[0] for line in parts[0].splitlines() if re.match(r"^[a-z]+:", line)]
    assert keys == list(phr.FRONT_MATTER_KEYS)


def test_every_emit_run_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """A fix-and-re-emit loop: the second run sees the first run's files as identical, so the
    record must join both runs' lists."""
    first, second = tmp_path / "emit-1.json", tmp_path / "emit-2.json"
    first.write_text(
        json.dumps(
            {
                "out_dir": "backend",
                "dry_run": False,
                "files": [
                    {"path": "app/main.py", "action": "created"},
                    {"path": "app/models/task.py", "action": "created"},
                ],
            }
        ),
        encoding="utf-8",
    )
    second.write_text(
        json.dumps(
            {
                "out_dir": "backend",
                "dry_run": False,
                "files": [
                    {"path": "app/main.py", "action": "identical"},
                    {"path": "app/models/task.py", "action": "updated"},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = write(
        tmp_path,
        "--title",
        "Loop",
        "--feature",
        "f",
        "--prompt",
        "p",
        "--emit-json",
        str(first),
        "--emit-json",
        str(second),
        "--json",
        capsys=capsys,
    )
    assert code == 0
    assert json.loads(out)["files"] == ["backend/app/main.py", "backend/app/models/task.py"]


# --- Against Spec-Kit Plus's own create-phr.sh and template (fixtures derived from them) ---

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "phr"
CASES = yaml.safe_load((FIXTURES / "create_phr_cases.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_folder_choice_matches_create_phr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case
):
    monkeypatch.delenv("SPECIFY_FEATURE", raising=False)
    if case.get("env"):
        monkeypatch.setenv("SPECIFY_FEATURE", case["env"])
    for folder in case["specs"] or []:
        (tmp_path / "specs" / folder).mkdir(parents=True)
    extra = ["--feature", case["feature"]] if case.get("feature") else []
    code = main(
        [
            "phr",
            "--root",
            str(tmp_path),
            "--branch",
            case["branch"],
            "--user",
            "dev",
            "--title",
            "A record",
            "--prompt",
            "p",
            "--json",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    ours, real = case["ours"], case["real"]
    if ours.get("error"):
        assert code == 2 and "--feature" in err
        assert not (tmp_path / "history").exists()
        return
    assert code == 0, err
    doc = json.loads(out)
    assert Path(doc["path"]).parent == tmp_path / "history/prompts" / ours["folder"]
    assert doc["feature"] == ours["folder"]
    if "folder" in real:
        assert ours["folder"] == real["folder"]  # the fixture itself: same folder where real works
    assert bool(doc["warnings"]) == ours["warns"], doc["warnings"]
    if ours["warns"]:
        assert real.get("refuses")
        assert "create-phr.sh" in err and "refuse" in err


def test_record_matches_the_spec_kit_plus_fixture(tmp_path: Path, capsys, monkeypatch):
    """Same inputs, same bytes as the real template filled by /sp.phr's rules."""
    monkeypatch.delenv("SPECIFY_FEATURE", raising=False)
    (tmp_path / "specs/001-task-crud").mkdir(parents=True)
    (tmp_path / "specs/001-task-crud/spec.md").write_text("# Task CRUD\n", encoding="utf-8")
    (tmp_path / "specs/api").mkdir()
    (tmp_path / "specs/api/task-crud-endpoints.md").write_text("# API\n", encoding="utf-8")
    earlier = tmp_path / "history/prompts/001-task-crud/0001-specify-task-crud.spec.prompt.md"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("---\nid: 0001\n---\n", encoding="utf-8")
    code, out, err = write(
        tmp_path,
        "--branch",  # later than write()'s --branch main, so this one counts
        "001-task-crud",
        "--title",
        "Implement task-crud backend",
        "--feature",
        "task-crud",
        "--model",
        "claude-test",
        "--labels",
        "backend,fastapi",
        "--files",
        "specs/backend/task-crud.plan.yaml,backend/app/main.py",
        "--tests",
        "backend 80 passed in 3.10s",
        "--impact",
        "task CRUD served from backend/",
        "--response",
        "Generated the task-crud backend; tests green.",
        "--prompt",
        "/sp.backend-engineer task-crud --with-tests",
        capsys=capsys,
    )
    assert code == 0, err
    expected = FIXTURES / "0002-implement-task-crud-backend.green.prompt.md"
    path = Path(out.strip())
    assert path == tmp_path / "history/prompts/001-task-crud" / expected.name
    assert path.read_text(encoding="utf-8") == expected.read_text(encoding="utf-8")
    assert err == ""  # no warning: the folder is the one create-phr.sh detects from the branch


def test_only_four_digit_ids_set_the_next_like_create_phr_in_a_tidy_folder(tmp_path: Path):
    folder = tmp_path / "history/prompts/general"
    folder.mkdir(parents=True)
    for name in ("0001-a.general.prompt.md", "0003-b.general.prompt.md"):
        (folder / name).write_text("x\n", encoding="utf-8")
    result = phr.write_phr(
        tmp_path, phr.PhrInput(title="C", prompt="p", stage="general", user="u", branch="b")
    )
    assert result.path.name == "0004-c.general.prompt.md"
    assert "\nid: 0004\n" in result.content


def test_the_feature_comes_from_the_git_branch(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SPECIFY_FEATURE", raising=False)
    env = {
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@x",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@x",
        "HOME": str(tmp_path),
        "PATH": os.environ["PATH"],
    }
    for args in (["init", "-q", "-b", "002-tags"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    (tmp_path / "specs/001-task-crud").mkdir(parents=True)
    (tmp_path / "specs/002-tags").mkdir(parents=True)
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/write_phr.py"),
            "--title",
            "Tags API",
            "--prompt",
            "/sp.backend-engineer tags",
            "--json",
        ],
        cwd=tmp_path,
        env={**env, "SPECIFY_FEATURE": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["path"].endswith("history/prompts/002-tags/0001-tags-api.green.prompt.md")
    assert doc["feature_from"] == "git branch"
    meta, _ = read_record(tmp_path / doc["path"])
    assert (meta["feature"], meta["branch"], meta["command"]) == (
        "002-tags",
        "002-tags",
        "/sp.backend-engineer tags",
    )


def test_a_given_command_line_is_recorded_whole(tmp_path: Path, capsys):
    code, out, _ = write(
        tmp_path,
        "--title",
        "T",
        "--stage",
        "general",
        "--prompt",
        "please build it",
        "--command",
        "/sp.backend-engineer task-crud --with-tests",
        "--json",
        capsys=capsys,
    )
    assert code == 0
    meta, _ = read_record(Path(json.loads(out)["path"]))
    assert meta["command"] == "/sp.backend-engineer task-crud --with-tests"
    code, out, _ = write(
        tmp_path,
        "--title",
        "U",
        "--stage",
        "general",
        "--prompt",
        "please build it",
        "--json",
        capsys=capsys,
    )
    meta, _ = read_record(Path(json.loads(out)["path"]))
    assert meta["command"] == "/sp.backend-engineer"  # nothing to take the arguments from
