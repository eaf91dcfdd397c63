"""`sp-backend emit FEATURE`: generate (or safely regenerate) the backend from the plans."""

from __future__ import annotations

import argparse
from pathlib import Path

from sp_backend.emit.backend import emit
from sp_backend.errors import EXIT_FAILURE
from sp_backend.output import print_json, stdout

STYLE = {
    "created": "green",
    "updated": "cyan",
    "identical": "dim",
    "conflict": "bold red",
    "forced": "yellow",
    "kept": "dim",
}


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "emit",
        help="generate the backend for a feature from its plan",
        description="Render the FastAPI + SQLModel backend for FEATURE from "
        "specs/backend/FEATURE.plan.yaml (and every other plan in the project, for the files "
        "that list all features). Re-running is safe: identical files are left alone, files "
        "the generator wrote and nobody changed are updated, hand-edited files are never "
        "overwritten without --force (the new version is written beside them as NAME.new); "
        "the extension modules for your own code are created once and always kept.",
    )
    parser.add_argument("feature", help="feature name, e.g. task-crud")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--out", type=Path, help="backend folder (default: ROOT/backend)")
    parser.add_argument(
        "--plan", type=Path, help="plan file (default: specs/backend/FEATURE.plan.yaml)"
    )
    parser.add_argument("--with-tests", action="store_true", help="also generate the test suite")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    parser.add_argument("--force", action="store_true", help="overwrite hand-edited files")
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="let the next migration drop the columns and tables the plan no longer has "
        "(without it emit refuses, writing nothing, and names them)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    result = emit(
        args.root,
        args.feature,
        out=args.out,
        with_tests=args.with_tests,
        dry_run=args.dry_run,
        force=args.force,
        plan_file=args.plan,
        allow_destructive=args.allow_destructive,
    )
    report = result.report
    if args.json:
        print_json(result.to_json())
    else:
        verb = "would write" if report.dry_run else "wrote"
        stdout.print(f"{args.feature}: {verb} {report.out_dir}")
        for f in report.files:
            extra = f" -> new version in {f.beside}" if f.beside else ""
            stdout.print(f"  [{STYLE[f.action]}]{f.action:>9}[/] {f.path}{extra}")
        migrations = result.migrations
        for revision in migrations.revisions if migrations else []:
            stdout.print(
                f"  migration {revision['file_stem']}.py "
                f"(after {revision['down_revision'] or 'nothing'}):"
            )
            for op in migrations.operations if migrations else []:
                stdout.print(f"    - {op.summary}", markup=False)
                for note in op.notes:
                    stdout.print(f"      {note}", markup=False)
        counts = report.to_json()["summary"]
        stdout.print("  " + ", ".join(f"{n} {a}" for a, n in counts.items() if n))
        if result.to_implement:
            stdout.print(
                f"  [bold yellow]{len(result.to_implement)} operation(s) to implement[/] "
                "(each answers 501 until its handler is written; its tests fail until then):"
            )
            for op in result.to_implement:
                stdout.print(
                    f"    {op['endpoint']}: {op['handler']} (contract: {op['source']})",
                    markup=False,
                )
        for warning in result.warnings:
            stdout.print("  [bold red]WARNING[/] ", end="")
            stdout.print(warning, markup=False)
        if report.conflicts:
            stdout.print(
                "[bold red]hand-edited files were kept[/]: merge the .new versions, "
                "or re-run with --force to overwrite"
            )
    return EXIT_FAILURE if report.conflicts else 0
