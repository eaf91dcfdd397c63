"""`sp-backend check FEATURE`: the contract against the generated app (and a running server)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sp_backend.check.run import check
from sp_backend.errors import EXIT_FAILURE
from sp_backend.output import print_json, stdout


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "check",
        help="check the generated app against the feature's API contract",
        description="Compare the contract as it reads literally (its endpoint sections, JSON "
        "examples per status, parameters, bounds and every status each section names; Markdown "
        "or OpenAPI) with the generated app's OpenAPI, and list every normative line of the "
        "contract and schema that no plan item cites as its source (`not reflected in the "
        "plan`) unless the plan's ignored list gives a reason. With --url, also drive the "
        "contract's examples against a running server (create, read, list, update, actions, "
        "delete) and ask for each documented status it can provoke safely. Each finding names "
        "the file and line; exit 0 only when there is none, 1 otherwise.",
    )
    parser.add_argument("feature", help="feature name, e.g. task-crud")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--backend", type=Path, help="backend folder (default: ROOT/backend)")
    parser.add_argument(
        "--plan", type=Path, help="plan file (default: specs/backend/FEATURE.plan.yaml)"
    )
    parser.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help="bearer token for --url (default: python -m app.devtoken)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    report = check(
        args.root,
        args.feature,
        backend=args.backend,
        url=args.url,
        token=args.token,
        plan_file=args.plan,
    )
    if args.json:
        print_json(report.to_json())
    else:
        where = f" and {report.url}" if report.url else ""
        stdout.print(
            f"{args.feature}: {report.contract} against {report.backend}{where}: "
            f"{report.checked} endpoints, {report.probes} requests"
        )
        for m in report.mismatches:
            stdout.print(f"  [bold red]mismatch[/] {m.line()}", markup=True)
        for note in report.notes:
            stdout.print(f"  [dim]note[/] {note}", markup=True)
        if not report.mismatches:
            stdout.print("  [green]the app matches the contract[/]", markup=True)
    return EXIT_FAILURE if report.mismatches else 0
