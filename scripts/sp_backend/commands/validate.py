"""`sp-backend validate FEATURE`: check a plan without writing anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from sp_backend.emit.backend import prepare
from sp_backend.output import print_json, stdout
from sp_backend.plan.load import load_plan, plan_path


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "validate",
        help="validate a feature's backend plan",
        description="Validate specs/backend/FEATURE.plan.yaml (or --plan FILE) together with "
        "every other plan of the project and the backend they are emitted into, by the same "
        "rules as emit (settings merged across plans, resources defined once, ...); print a "
        "summary.",
    )
    parser.add_argument("feature", help="feature name, e.g. task-crud")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument(
        "--plan", type=Path, help="plan file (default: specs/backend/FEATURE.plan.yaml)"
    )
    parser.add_argument("--out", type=Path, help="backend folder (default: ROOT/backend)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    path = args.plan or plan_path(args.root, args.feature)
    plan = load_plan(path)
    # What emit would refuse is not valid: the same cross-plan and backend checks, no writes.
    prepare(args.root, args.feature, out=args.out, plan_file=args.plan)
    summary = {
        "plan": str(path),
        "valid": True,
        "feature": plan.feature,
        "auth": plan.auth.mode,
        "resources": {
            name: {
                "path": r.path,
                "fields": list(r.fields),
                "operations": [
                    op
                    for op in ("list", "create", "read", "update", "replace", "delete")
                    if getattr(r.operations, op) is not None
                ]
                + list(r.operations.actions),
            }
            for name, r in plan.resources.items()
        },
        "unresolved": [u.model_dump(exclude_none=True) for u in plan.unresolved],
    }
    if args.json:
        print_json(summary)
        return 0
    stdout.print(f"[green]valid[/]: {path}")
    for name, info in summary["resources"].items():
        stdout.print(
            f"  {name} {info['path']}: {len(info['fields'])} fields; "
            f"operations: {', '.join(info['operations'])}"
        )
    for item in plan.unresolved:
        stdout.print(f"  [yellow]unresolved[/]: {item.what} ({item.source or 'no source'})")
    return 0
