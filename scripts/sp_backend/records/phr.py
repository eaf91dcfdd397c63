"""Prompt History Records, to the Spec-Kit Plus conventions.

A record goes to `history/prompts/<constitution|FEATURE|general>/` as
`<ID>-<title-slug>.<stage>.prompt.md`, where ID is four digits, one more than the highest ID in
that folder. Real folders also hold 1-3 digit IDs, duplicated IDs and files that are not records:
all of them are read without complaint, and a record is never written over another file.

The feature folder is chosen as Spec-Kit Plus's `create-phr.sh` chooses it: the `specs/<name>/`
folder of the feature (`001-task-crud`, the name `/sp.specify` gave the branch and the folder),
found from the feature given, `SPECIFY_FEATURE`, the git branch, or the highest-numbered
`specs/NNN-*/` folder. Where that script would refuse, the record is still written and a warning
says what it would have refused.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sp_backend.errors import WriteError
from sp_backend.paths import ASSETS
from sp_backend.records.common import InputError, create_new, slugify
from sp_backend.records.template import EMPTY_ITEM, Raw, Value, parse_front_matter, render

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
# A Spec-Kit Plus feature folder or branch: three digits, a dash, a name.
_NUMBERED = re.compile(r"^(\d{3})-(.+)$")
# Branches create-phr.sh never takes for a feature.
_TRUNKS = ("main", "master")
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
    model: str = "unspecified"
    surface: str = "agent"
    command: str | None = None  # None: the prompt's first line when it is a slash command
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
    """Where a record of this stage lives (Spec-Kit Plus routing), `feature` already resolved."""
    check_stage(stage)
    base = root / "history" / "prompts"
    if stage in ("constitution", "general"):
        return base / stage
    if not feature:
        raise InputError(
            f"stage {stage!r} files the record under history/prompts/<feature>/: "
            "pass --feature NAME (or use --stage general)"
        )
    check_feature_name(feature)
    return base / feature


def check_feature_name(feature: str) -> None:
    if not _FEATURE_NAME.match(feature):
        raise InputError(
            f"--feature {feature!r}: expected a folder name like task-crud or 001-task-crud "
            "(letters, digits, '.', '_', '-'; no slashes)"
        )


@dataclass
class FeatureChoice:
    folder: str | None  # history/prompts/<folder>/; None for constitution and general
    how: str  # how it was found, for --json and messages
    warnings: list[str] = field(default_factory=list)


def resolve_feature(
    root: Path, stage: str, feature: str | None, branch: str | None
) -> FeatureChoice:
    """The feature folder a record of `stage` goes to, chosen as create-phr.sh chooses it.

    In order: the feature given (its `specs/<name>/` folder, or the one `specs/NNN-<name>/`
    folder when the project numbers its features), `SPECIFY_FEATURE`, the git branch when
    `specs/<branch>/` exists, the highest-numbered `specs/NNN-*/` folder. Past what
    create-phr.sh accepts: a `NNN-name` branch without its folder, then the project's only
    backend plan; each with a warning saying that the Spec-Kit Plus script would refuse.
    """
    check_stage(stage)
    if stage in ("constitution", "general"):
        return FeatureChoice(None, stage)
    specs = root / "specs"
    warnings: list[str] = []
    if not specs.is_dir():
        warnings.append(
            f"{specs}: no such folder; Spec-Kit Plus's create-phr.sh refuses feature stages "
            "without specs/ (it asks for /sp.specify first); the record is written anyway"
        )
    if feature:
        check_feature_name(feature)
        return _given(specs, feature, "--feature", warnings)
    env = os.environ.get("SPECIFY_FEATURE", "").strip()
    if env:
        check_feature_name(env)
        return _given(specs, env, "SPECIFY_FEATURE", warnings)
    if branch and branch not in _TRUNKS and _FEATURE_NAME.match(branch):
        if (specs / branch).is_dir():
            return FeatureChoice(branch, "git branch", warnings)
    latest = _numbered(specs)
    if latest:
        return FeatureChoice(max(latest)[1], "highest-numbered specs/NNN-*/ folder", warnings)
    refused = (
        "Spec-Kit Plus's create-phr.sh would refuse (no feature given and no numbered "
        "specs/NNN-*/ folder)"
    )
    if branch and _NUMBERED.match(branch) and _FEATURE_NAME.match(branch):
        return FeatureChoice(branch, "git branch", [*warnings, f"{refused}; used the branch"])
    plans = sorted((root / "specs" / "backend").glob("*.plan.yaml"))
    if len(plans) == 1:
        name = plans[0].name.removesuffix(".plan.yaml")
        return FeatureChoice(
            name, "the only backend plan", [*warnings, f"{refused}; used {plans[0].name}'s"]
        )
    raise InputError(
        f"stage {stage!r} files the record under history/prompts/<feature>/ and no feature "
        "was found (tried --feature, SPECIFY_FEATURE, the git branch, specs/NNN-*/ folders, "
        "specs/backend/*.plan.yaml): pass --feature NAME (or use --stage general)"
    )


def _given(specs: Path, name: str, source: str, warnings: list[str]) -> FeatureChoice:
    if (specs / name).is_dir():
        return FeatureChoice(name, source, warnings)
    # The skill's feature names the contract (task-crud); /sp.specify numbers the folder.
    matches = sorted(
        (number, folder)
        for number, folder in _numbered(specs)
        if _NUMBERED.match(folder).group(2) == name  # type: ignore[union-attr]
    )
    if matches:
        return FeatureChoice(matches[-1][1], f"{source} (specs/{matches[-1][1]}/)", warnings)
    if specs.is_dir():
        warnings.append(
            f"{source} {name}: no specs/{name}/ folder; Spec-Kit Plus's create-phr.sh would "
            f"refuse this feature; the record goes to history/prompts/{name}/ anyway"
        )
    return FeatureChoice(name, source, warnings)


def _numbered(specs: Path) -> list[tuple[int, str]]:
    """(number, name) of every specs/NNN-*/ folder."""
    if not specs.is_dir():
        return []
    found = []
    for entry in specs.iterdir():
        match = _NUMBERED.match(entry.name)
        if match and entry.is_dir():
            found.append((int(match.group(1)), entry.name))
    return found


def default_command(prompt: str) -> str:
    """The command line a record names when none is given: the prompt's first line when it is
    this skill's slash command (with its arguments), else the bare command."""
    first = prompt.strip().splitlines()[0].strip() if prompt.strip() else ""
    if re.match(r"^/sp\.backend-engineer(\s|$)", first):
        return first
    return "/sp.backend-engineer"


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
        "ID": Raw(format_id(record_id)),
        "TITLE": data.title,
        "STAGE": data.stage,
        "DATE_ISO": data.day or date.today(),
        "SURFACE": data.surface,
        "MODEL": data.model,
        "FEATURE": data.feature or "none",
        "BRANCH": data.branch or git_output(root, "rev-parse", "--abbrev-ref", "HEAD") or "none",
        "USER": data.user or git_output(root, "config", "user.name") or "unknown",
        "COMMAND": data.command or default_command(data.prompt),
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
        "TESTS_SUMMARY": "; ".join(tests) if tests else "none",
        "FILES_SUMMARY": f"{len(files)} file(s): {', '.join(files)}" if files else "none",
        "NEXT_PROMPTS": data.next_prompts or "none",
        "REFLECTION_NOTE": data.reflection or "none",
        "FAILURE_MODES": data.failure_modes or "none observed",
        "GRADER_RESULTS": data.graders or "none",
        "PROMPT_VARIANT_ID": data.variant or "none",
        "NEXT_EXPERIMENT": data.next_experiment or "none",
    }


def format_id(record_id: int) -> str:
    """Four digits, zero-padded, as create-phr.sh prints it (`0001`)."""
    return f"{record_id:04d}"


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
        "title": data.title,
        "stage": data.stage,
        "files": data.files or [EMPTY_ITEM],
        "tests": data.tests or [EMPTY_ITEM],
        "labels": data.labels,
    }
    # `id: 0010` is what Spec-Kit Plus writes; YAML 1.1 reads it as octal, so check the text.
    front = text.split("\n---", 1)[0]
    if "id" in meta and not re.search(
        rf"^id:[ \t]*[\"']?0*{record_id}[\"']?[ \t]*$", front, re.MULTILINE
    ):
        issues.append(f"front matter 'id' does not read back as {format_id(record_id)}")
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
    """Render and write one record; never replaces an existing file. `data.feature` is the
    folder under history/prompts/ (see `resolve_feature`)."""
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


def git_output(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out and out != "HEAD" else None
