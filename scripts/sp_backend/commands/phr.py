"""`sp-backend phr`: write a Prompt History Record (Spec-Kit Plus conventions)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from sp_backend.output import print_json, print_warning, stdout
from sp_backend.records.common import InputError
from sp_backend.records.emit_report import read_emit_json, read_to_implement
from sp_backend.records.phr import (
    DEFAULT_STAGE,
    STAGES,
    PhrInput,
    git_output,
    resolve_feature,
    write_phr,
)

DESCRIPTION = f"""Write a Prompt History Record to
history/prompts/<folder>/<ID>-<slug>.<stage>.prompt.md.

Folder by stage: constitution -> constitution/, general -> general/, every other stage
-> <feature>/, where the feature folder is chosen as Spec-Kit Plus's create-phr.sh chooses it:
--feature (its specs/<name>/ folder, or specs/NNN-<name>/ when the project numbers features),
else SPECIFY_FEATURE, else the git branch when specs/<branch>/ exists, else the
highest-numbered specs/NNN-*/ folder. Where create-phr.sh would refuse, a warning says so and
the record is written anyway. ID: 4 digits (id: 0001), highest ID in the folder + 1. The
command defaults to the prompt's first line when it is /sp.backend-engineer with its arguments.
Uses the project's .specify/templates/phr-template.prompt.md when it has one, the bundled
template otherwise. Never overwrites a file. Prints the path written (JSON with --json).
Stages: {", ".join(STAGES)}."""

EXAMPLE = """example:
  sp-backend phr --feature task-crud --title "Emit task-crud backend" \\
      --prompt-file prompt.txt --response "Generated the backend; tests green" \\
      --emit-json emit.json --tests "backend/tests: 48 passed" --model claude-sonnet-4-5 \\
      --command "/sp.backend-engineer task-crud --with-tests"
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "phr", help="write a Prompt History Record", description=DESCRIPTION + "\n\n" + EXAMPLE
    )
    what = parser.add_argument_group("record")
    what.add_argument("--title", required=True, help="3-7 words; the file name's slug")
    what.add_argument(
        "--stage", default=DEFAULT_STAGE, help=f"one of the stages above (default: {DEFAULT_STAGE})"
    )
    what.add_argument(
        "--feature",
        help="the feature, e.g. task-crud or 001-task-crud (default: from SPECIFY_FEATURE, "
        "the git branch or the highest-numbered specs/NNN-*/ folder)",
    )
    what.add_argument("--prompt", help="the user's input, verbatim; '-' reads stdin")
    what.add_argument("--prompt-file", type=Path, help="read the user's input from this file")
    what.add_argument("--response", help="summary of the response; '-' reads stdin")
    what.add_argument("--response-file", type=Path, help="read the response summary from a file")
    what.add_argument(
        "--files",
        action="append",
        default=[],
        metavar="PATHS",
        help="files created or changed; comma- or newline-separated, repeatable",
    )
    what.add_argument(
        "--emit-json",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="`sp-backend emit --json` output; adds the files it created or "
        "changed; repeat for each emit run",
    )
    what.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="TEST",
        help="a test run and its result, e.g. 'backend/tests: 48 passed'; repeatable",
    )
    what.add_argument(
        "--labels",
        action="append",
        default=[],
        metavar="LABELS",
        help="comma-separated topics (default: backend,fastapi,sqlmodel)",
    )
    meta = parser.add_argument_group("front matter")
    meta.add_argument("--model", default="unspecified", help="the model that did the work")
    meta.add_argument(
        "--command",
        help="the command line run, with its arguments (default: the prompt's first line "
        "when it is /sp.backend-engineer ..., else /sp.backend-engineer)",
    )
    meta.add_argument("--surface", default="agent", help="agent or cli (default: agent)")
    meta.add_argument("--branch", help="git branch (default: asked from git)")
    meta.add_argument("--user", help="who (default: git config user.name)")
    meta.add_argument("--date", help="YYYY-MM-DD (default: today)")
    for link in ("spec", "ticket", "adr", "pr"):
        meta.add_argument(
            f"--{link}",
            metavar="LINK",
            help=f"links.{link} (default: null"
            + (", or specs/api/FEATURE-endpoints.md if present)" if link == "spec" else ")"),
        )
    outcome = parser.add_argument_group("outcome and evaluation")
    outcome.add_argument("--impact", help="what changed for the user")
    outcome.add_argument("--next-prompts", help="what to ask next")
    outcome.add_argument("--reflection", help="one lesson from this run")
    outcome.add_argument("--failure-modes", help="what went wrong on the way")
    outcome.add_argument("--graders", help="graders run and PASS/FAIL")
    outcome.add_argument("--variant", help="prompt variant id")
    outcome.add_argument("--next-experiment", help="smallest change to try next")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--dry-run", action="store_true", help="show the record, write nothing")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not root.is_dir():
        raise InputError(f"--root {root}: no such directory")
    prompt = _text(args.prompt, args.prompt_file, "--prompt", required=True)
    response = _text(args.response, args.response_file, "--response", required=False)
    if args.prompt == "-" and args.response == "-":
        raise InputError("--prompt - and --response - cannot both read stdin; use --response-file")
    files = _split(args.files, ",\n")
    for report in args.emit_json:
        files += [f for f in read_emit_json(report, root) if f not in files]
    # The last emit run says which custom operations still answer 501: the record keeps them.
    pending = read_to_implement(args.emit_json[-1]) if args.emit_json else []
    next_prompts = args.next_prompts
    if pending:
        left = "Custom operations left unimplemented (501): " + "; ".join(pending)
        next_prompts = f"{next_prompts}\n{left}" if next_prompts else left
    branch = args.branch or git_output(root, "rev-parse", "--abbrev-ref", "HEAD")
    choice = resolve_feature(root, args.stage, args.feature, branch)
    spec = args.spec
    if spec is None and choice.folder:
        spec = _spec_link(root, choice.folder, args.feature)
    data = PhrInput(
        title=args.title.strip(),
        prompt=prompt,
        stage=args.stage,
        feature=choice.folder,
        response=response,
        files=files,
        tests=_split(args.tests, "\n"),
        labels=_split(args.labels, ",\n") or ["backend", "fastapi", "sqlmodel"],
        model=args.model,
        surface=args.surface,
        command=args.command,
        branch=branch,
        user=args.user,
        day=_day(args.date),
        links={"spec": spec, "ticket": args.ticket, "adr": args.adr, "pr": args.pr},
        impact=args.impact,
        next_prompts=next_prompts,
        reflection=args.reflection,
        failure_modes=args.failure_modes,
        graders=args.graders,
        variant=args.variant,
        next_experiment=args.next_experiment,
    )
    result = write_phr(root, data, dry_run=args.dry_run)
    result.warnings[:0] = choice.warnings
    for warning in result.warnings:
        print_warning(warning)
    if args.json:
        doc = {
            "path": str(result.path),
            "id": result.id,
            "stage": data.stage,
            "title": data.title,
            "feature": data.feature,
            "feature_from": choice.how,
            "template": result.template,
            "files": data.files,
            "tests": data.tests,
            "dry_run": args.dry_run,
            "warnings": result.warnings,
        }
        if args.dry_run:
            doc["content"] = result.content
        print_json(doc)
    elif args.dry_run:
        stdout.print(f"would write {result.path}:", markup=False)
        sys.stdout.write(result.content)
    else:
        print(result.path)
    return 0


def _spec_link(root: Path, folder: str, given: str | None) -> str | None:
    """The feature's spec: specs/<folder>/spec.md, else its API contract."""
    names = [n for n in (given, folder, re.sub(r"^\d{3}-", "", folder)) if n]
    candidates = [Path("specs") / folder / "spec.md"] + [
        Path("specs") / "api" / f"{name}-endpoints.md" for name in names
    ]
    return next((c.as_posix() for c in candidates if (root / c).is_file()), None)


def _text(value: str | None, file: Path | None, flag: str, required: bool) -> str:
    if value is not None and file is not None:
        raise InputError(f"give {flag} or {flag}-file, not both")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{flag}-file {file}: cannot read it: {exc}") from None
    elif value == "-":
        text = sys.stdin.read()
    else:
        text = value or ""
    # A trailing newline comes from the shell or the file, not from the user's words.
    text = text.rstrip("\n")
    if required and not text.strip():
        raise InputError(f"{flag} is required: the user's input, verbatim ('-' reads stdin)")
    return text


def _split(values: list[str], separators: str) -> list[str]:
    items: list[str] = []
    for value in values:
        parts = [value]
        for sep in separators:
            parts = [p for part in parts for p in part.split(sep)]
        items += [p.strip() for p in parts if p.strip() and p.strip() not in items]
    return items


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--date {value!r}: expected YYYY-MM-DD") from None
