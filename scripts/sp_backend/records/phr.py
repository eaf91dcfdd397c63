"""Prompt History Records, to the Spec-Kit Plus conventions.

A record goes to `history/prompts/<constitution|FEATURE|general>/` as
`<ID>-<title-slug>.<stage>.prompt.md`, where ID is four digits, one more than the highest ID in
that folder. Real folders also hold 1-3 digit IDs, duplicated IDs and files that are not records:
all of them are read without complaint, and a record is never written over another file.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sp_backend.errors import WriteError
from sp_backend.paths import ASSETS
from sp_backend.records.common import InputError, create_new, slugify
from sp_backend.records.template import Value, parse_front_matter, render

STAGES = (
    "constitution",
    "spec",
    "plan",
    "tasks",
    "red",
    "green",
    "refactor",
    "explainer",
    "misc",
    "general",
)
FEATURE_STAGES = ("spec", "plan", "tasks", "red", "green", "refactor", "explainer", "misc")
DEFAULT_STAGE = "green"
FRONT_MATTER_KEYS = (
    "id",
    "title",
    "stage",
    "date",
    "surface",
    "model",
    "feature",
    "branch",
    "user",
    "command",
    "labels",
    "links",
    "files",
    "tests",
)
BODY_SECTIONS = ("## Prompt", "## Response snapshot", "## Outcome", "## Evaluation notes")
PROJECT_TEMPLATE = Path(".specify") / "templates" / "phr-template.prompt.md"
BUNDLED_TEMPLATE = ASSETS / "templates" / "phr-template.prompt.md"
_ID_PREFIX = re.compile(r"^(\d+)-")
_FEATURE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Past this the file name nears the 255-byte limit of common filesystems.
MAX_SLUG = 150


@dataclass
class PhrInput:
    title: str
    prompt: str
    stage: str = DEFAULT_STAGE
    feature: str | None = None
    response: str = ""
    files: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    model: str = "unknown"
    surface: str = "agent"
    command: str = "/sp.backend-engineer"
    branch: str | None = None  # None: asked from git
    user: str | None = None  # None: asked from git, then the OS
    day: date | None = None  # None: today
    links: dict[str, str | None] = field(default_factory=dict)  # spec, ticket, adr, pr
    impact: str | None = None
    next_prompts: str | None = None
    reflection: str | None = None
    failure_modes: str | None = None
    graders: str | None = None
    variant: str | None = None
    next_experiment: str | None = None


@dataclass
class PhrResult:
    path: Path
    id: int
    template: str  # "project" or "bundled"
    content: str
    warnings: list[str] = field(default_factory=list)


def check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise InputError(f"--stage {stage!r} is not a PHR stage; use one of: {', '.join(STAGES)}")


def prompts_folder(root: Path, stage: str, feature: str | None) -> Path:
    """Where a record of this stage lives (Spec-Kit Plus routing)."""
    check_stage(stage)
    base = root / "history" / "prompts"
    if stage in ("constitution", "general"):
        return base / stage
    if not feature:
        raise InputError(
            f"stage {stage!r} files the record under history/prompts/<feature>/: "
            "pass --feature NAME (or use --stage general)"
        )
    if not _FEATURE_NAME.match(feature):
        raise InputError(
            f"--feature {feature!r}: expected a folder name like task-crud "
            "(letters, digits, '.', '_', '-'; no slashes)"
        )
    return base / feature


def existing_ids(folder: Path) -> list[int]:
    """IDs of the records in `folder`, whatever their width; other names are ignored."""
    if not folder.is_dir():
        return []
    ids = []
    for entry in folder.iterdir():
        match = _ID_PREFIX.match(entry.name)
        if match:
            ids.append(int(match.group(1)))
    return ids


def next_id(folder: Path) -> int:
    return max(existing_ids(folder), default=0) + 1


def file_name(record_id: int, slug: str, stage: str) -> str:
    return f"{record_id:04d}-{slug}.{stage}.prompt.md"


def title_slug(title: str) -> str:
    slug = slugify(title)
    if not slug:
        raise InputError(f"--title {title!r}: needs at least one letter or digit for the file name")
    if len(slug) > MAX_SLUG:
        raise InputError(
            f"--title is {len(slug)} characters as a slug; keep it under {MAX_SLUG} "
            "(3-7 words is the convention)"
        )
    return slug


def template_text(root: Path) -> tuple[str, str]:
    """(template, origin): the project's own template when it has one, else the bundled one."""
    project = root / PROJECT_TEMPLATE
    if project.is_file():
        try:
            return project.read_text(encoding="utf-8"), "project"
        except (OSError, UnicodeDecodeError):
            pass  # an unreadable project template is reported by write_phr's fallback warning
    return BUNDLED_TEMPLATE.read_text(encoding="utf-8"), "bundled"


def placeholder_values(data: PhrInput, record_id: int, root: Path) -> dict[str, Value]:
    links = {k: data.links.get(k) for k in ("spec", "ticket", "adr", "pr")}
    files, tests = data.files, data.tests
    return {
        "ID": record_id,
        "TITLE": data.title,
        "STAGE": data.stage,
        "DATE_ISO": data.day or date.today(),
        "SURFACE": data.surface,
        "MODEL": data.model,
        "FEATURE": data.feature or "none",
        "BRANCH": data.branch or _git(root, "rev-parse", "--abbrev-ref", "HEAD") or "none",
        "USER": data.user or _git(root, "config", "user.name") or _os_user(),
        "COMMAND": data.command,
        "LABELS": list(data.labels),
        "LINKS_SPEC": links["spec"],
        "LINKS_TICKET": links["ticket"],
        "LINKS_ADR": links["adr"],
        "LINKS_PR": links["pr"],
        "FILES_YAML": list(files),
        "TESTS_YAML": list(tests),
        "PROMPT_TEXT": data.prompt,
        "RESPONSE_TEXT": data.response or "none",
        "OUTCOME_IMPACT": data.impact or _impact(files, tests),
        "TESTS_SUMMARY": "; ".join(tests) if tests else "none run",
        "FILES_SUMMARY": f"{len(files)} file(s): {', '.join(files)}" if files else "none",
        "NEXT_PROMPTS": data.next_prompts or "none",
        "REFLECTION_NOTE": data.reflection or "none",
        "FAILURE_MODES": data.failure_modes or "none observed",
        "GRADER_RESULTS": data.graders or "none",
        "PROMPT_VARIANT_ID": data.variant or "none",
        "NEXT_EXPERIMENT": data.next_experiment or "none",
    }


def _impact(files: list[str], tests: list[str]) -> str:
    return f"{len(files)} file(s) created or changed; {len(tests)} test run(s) recorded"


def problems(text: str, data: PhrInput, record_id: int) -> list[str]:
    """What a rendered record lacks against the conventions (empty when it is complete)."""
    meta = parse_front_matter(text)
    if meta is None:
        return ["the front matter is not valid YAML"]
    found = [k for k in FRONT_MATTER_KEYS if k in meta]
    issues = [f"front matter key {k!r} missing" for k in FRONT_MATTER_KEYS if k not in meta]
    if found != [k for k in meta if k in FRONT_MATTER_KEYS]:
        issues.append(f"front matter keys out of order (expected {', '.join(FRONT_MATTER_KEYS)})")
    expected = {
        "id": record_id,
        "title": data.title,
        "stage": data.stage,
        "files": data.files,
        "tests": data.tests,
        "labels": data.labels,
    }
    issues += [
        f"front matter {k!r} does not read back as {v!r}"
        for k, v in expected.items()
        if k in meta and meta[k] != v
    ]
    for heading in BODY_SECTIONS:
        if not re.search(rf"^{re.escape(heading)}\b", text, re.MULTILINE):
            issues.append(f"body section {heading!r} missing")
    if data.prompt not in text:
        issues.append("the prompt is not in the body verbatim (no {{PROMPT_TEXT}}?)")
    return issues


def render_record(root: Path, data: PhrInput, record_id: int) -> tuple[str, str, list[str]]:
    """(text, template origin, warnings). A project template that cannot produce a complete
    record is set aside for the bundled one, with a warning saying what it lacked."""
    values = placeholder_values(data, record_id, root)
    template, origin = template_text(root)
    warnings: list[str] = []
    rendered = render(template, values)
    if origin == "project":
        issues = (
            ["it has no --- front matter"]
            if rendered is None
            else problems(rendered.text, data, record_id)
        )
        if issues:
            warnings.append(
                f"{root / PROJECT_TEMPLATE}: cannot make a complete record "
                f"({'; '.join(issues)}); used the bundled template instead"
            )
            template, origin = BUNDLED_TEMPLATE.read_text(encoding="utf-8"), "bundled"
            rendered = render(template, values)
    if rendered is None or problems(rendered.text, data, record_id):
        raise WriteError(
            f"{BUNDLED_TEMPLATE}: the bundled PHR template is damaged; reinstall the skill"
        )
    if rendered.unknown:
        warnings.append(
            f"template placeholders with no value, left as null/n/a: {', '.join(rendered.unknown)}"
        )
    return rendered.text, origin, warnings


def write_phr(root: Path, data: PhrInput, dry_run: bool = False) -> PhrResult:
    """Render and write one record; never replaces an existing file."""
    folder = prompts_folder(root, data.stage, data.feature)
    slug = title_slug(data.title)
    if not data.prompt.strip():
        raise InputError("--prompt is empty: a PHR records the user's input verbatim")
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"{folder}: exists but is not a folder; records go inside it")
    # Another writer may take the same ID between our scan and our write: take the next one.
    for _attempt in range(100):
        record_id = next_id(folder)
        text, origin, warnings = render_record(root, data, record_id)
        path = folder / file_name(record_id, slug, data.stage)
        if dry_run:
            return PhrResult(path, record_id, origin, text, warnings)
        try:
            create_new(path, text)
        except FileExistsError:
            continue
        except OSError as exc:
            raise WriteError(f"{path}: cannot write the record: {exc}") from None
        return PhrResult(path, record_id, origin, text, warnings)
    raise WriteError(f"{folder}: could not claim a free record ID after 100 attempts")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out and out != "HEAD" else None


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
