"""No document, template, script or generated file uses a deprecated or broken API.

The rule, one for every file:
- in code (templates, scripts, generated backends, and every ```python block of a document)
  the names below never appear;
- in Markdown prose they may appear only inside a section whose heading says "Pitfalls" (the
  section and its subsections), where a reference explains why they are wrong. Anywhere else in
  a document they would read as advice.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, PLAN_FIXTURES, REPO, make_project, sp_backend

FORBIDDEN = {
    "datetime.utcnow": r"\bdatetime\.utcnow\b",  # naive, deprecated since Python 3.12
    "@validator": r"@validator\b",  # Pydantic v1
    "class Config": r"\bclass Config\b",  # Pydantic v1 (model_config = ConfigDict)
    "orm_mode": r"\borm_mode\b",  # Pydantic v1 (from_attributes)
    "jose": r"\bfrom jose\b|\bimport jose\b",  # python-jose, poorly maintained (PyJWT)
    "passlib": r"\bpasslib\b",  # unmaintained (pwdlib)
    "HTTPAuthCredentials": r"\bHTTPAuthCredentials\b",  # never existed: ImportError
}
PATTERN = re.compile("|".join(f"(?:{p})" for p in FORBIDDEN.values()))
ALLOWED_SECTION = re.compile(r"pitfalls", re.IGNORECASE)


def markdown_violations(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every forbidden name outside a Pitfalls section's prose."""
    found = []
    pitfalls_level: int | None = None
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if fence is None and (m := re.match(r"^(`{3,})\s*(\w*)", stripped)):
            fence = m.group(2) or "text"
            fence_ticks = m.group(1)
        elif fence is not None and stripped == fence_ticks:
            fence = None
        elif fence is None and (h := re.match(r"^(#{1,6})\s+(.*)$", line)):
            level = len(h.group(1))
            if pitfalls_level is not None and level <= pitfalls_level:
                pitfalls_level = None
            if pitfalls_level is None and ALLOWED_SECTION.search(h.group(2)):
                pitfalls_level = level
        if not PATTERN.search(line):
            continue
        in_prose = fence is None or fence not in ("python", "py")
        if pitfalls_level is None or not in_prose:
            found.append((number, stripped))
    return found


def code_violations(text: str) -> list[tuple[int, str]]:
    return [
        (n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if PATTERN.search(line)
    ]


def violations(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    check = markdown_violations if path.suffix == ".md" else code_violations
    return [f"{path}:{n}: {line}" for n, line in check(text)]


def project_files() -> list[Path]:
    """Tracked files and new ones not ignored, except the project's own tests (which name the
    forbidden APIs to look for them)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    paths = [REPO / line for line in listed.splitlines() if not line.startswith("tests/")]
    return sorted(p for p in paths if p.is_file())


# --- the rule itself --------------------------------------------------------------------------


def test_the_rule_allows_pitfall_prose_only() -> None:
    lines = [
        "# Guide",
        "Use datetime.utcnow here.",  # 2: advice: refused
        "## Pitfalls",
        "- `datetime.utcnow()` is naive: don't.",  # 4: allowed
        "### Old validators",
        "`@validator` is Pydantic v1.",  # 6: allowed (subsection)
        "```python",
        "from jose import jwt",  # 8: code: refused even here
        "```",
        "```text",
        "from jose import jwt",  # 11: shown as text in Pitfalls: allowed
        "```",
        "## Next",
        "passlib is fine",  # 14: out of Pitfalls again: refused
    ]
    doc = "\n".join(lines)
    assert [n for n, _ in markdown_violations(doc)] == [2, 8, 14]
    assert [n for n, _ in code_violations("ok = 1\nclass Config:\n    orm_mode = True\n")] == [2, 3]
    assert (
        code_violations(
            "from fastapi.security import HTTPAuthorizationCredentials\n"
            "from pydantic import field_validator, ConfigDict\n"
            "created_at = Field(default_factory=utcnow)\n"
        )
        == []
    )


# --- documents, templates, scripts ------------------------------------------------------------


def test_documents_use_the_names_only_to_warn() -> None:
    docs = [p for p in project_files() if p.suffix == ".md"]
    assert REPO / "references" / "auth-patterns.md" in docs
    assert [v for p in docs for v in violations(p)] == []


def test_templates_and_scripts_never_use_them() -> None:
    code = [p for p in project_files() if p.suffix != ".md"]
    assert any(p.suffix == ".j2" for p in code) and any(p.suffix == ".py" for p in code)
    assert [v for p in code for v in violations(p)] == []


# --- generated code ---------------------------------------------------------------------------


def shipped_plans() -> list[Path]:
    return sorted(EXAMPLES.glob("*/specs/backend/*.plan.yaml")) + sorted(
        PLAN_FIXTURES.glob("*.plan.yaml")
    )


@pytest.mark.parametrize("plan", shipped_plans(), ids=lambda p: p.name)
def test_generated_backends_never_use_them(plan: Path, tmp_path: Path) -> None:
    siblings = sorted(plan.parent.glob("*.plan.yaml")) if plan.is_relative_to(EXAMPLES) else [plan]
    root = make_project(tmp_path, *siblings)
    feature = plan.name.removesuffix(".plan.yaml")
    result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    generated = [p for p in (root / "backend").rglob("*") if p.is_file()]
    assert any(p.suffix == ".py" for p in generated)
    assert [v for p in generated for v in violations(p)] == []
