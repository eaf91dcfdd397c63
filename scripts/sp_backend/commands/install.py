"""`sp-backend install`: put the skill where Claude Code finds it."""

from __future__ import annotations

import argparse
from pathlib import Path

from sp_backend.errors import EXIT_DEPENDENCY
from sp_backend.install import SKILL_DIR_NAME, install, target_dir
from sp_backend.output import print_json, print_warning, stdout

DESCRIPTION = f"""Install the skill for Claude Code: copy SKILL.md, references/, scripts/ and
assets/ (nothing else) into <DIR>/.claude/skills/{SKILL_DIR_NAME}/ (--project DIR, default .)
or ~/.claude/skills/{SKILL_DIR_NAME}/ (--user). Re-running updates the copy in place and
removes files an older version placed that this one no longer ships. Then checks that the
scripts' Python dependencies import; if not, prints the one command that installs them and
exits {EXIT_DEPENDENCY} (the files are installed either way)."""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "install", help="install the skill into .claude/skills/", description=DESCRIPTION
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help="project to install into (default: the current directory)",
    )
    where.add_argument("--user", action="store_true", help="install into ~/.claude/skills/")
    parser.add_argument(
        "--python",
        metavar="EXE",
        help="the interpreter that will run the scripts, for the dependency "
        "check (default: this one)",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would change")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    report = install(target_dir(args.project, args.user), dry_run=args.dry_run, python=args.python)
    if args.json:
        print_json(report.to_json())
    else:
        verb = "would install" if report.dry_run else "installed"
        stdout.print(
            f"{verb} {SKILL_DIR_NAME} in {report.destination}: "
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.identical)} unchanged, {len(report.removed)} removed",
            markup=False,
        )
        for rel in report.removed:
            stdout.print(f"  removed {rel}", markup=False)
        if not report.dry_run:
            stdout.print(
                f"Claude Code runs it as /{SKILL_DIR_NAME} FEATURE [--with-tests]", markup=False
            )
    if report.missing:
        print_warning(
            f"the scripts need Python packages that do not import "
            f"({', '.join(report.missing)}); install them with: "
            f"{report.install_command}"
        )
        return EXIT_DEPENDENCY
    return 0
