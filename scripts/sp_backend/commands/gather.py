"""`sp-backend gather FEATURE`: read the project's specs and write the backend plan draft."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sp_backend.errors import EXIT_FAILURE, SpecError
from sp_backend.output import print_json, print_warning, stdout
from sp_backend.plan.load import dump_plan, plan_path, plans_dir
from sp_backend.readers.gather import GatherResult, gather

MANIFEST = ".plans-manifest.json"
HEADER = (
    "# Backend plan draft written by `sp-backend gather {feature}` from the specs listed "
    "under sources.\n# Review it (see unresolved and conflicts), edit freely, then run "
    "`sp-backend validate {feature}`.\n# Re-running gather never overwrites your edits: a "
    "new draft goes beside as .new.\n"
)


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "gather",
        help="read the specs and write the feature's backend plan draft",
        description="Find the feature's API contract (specs/api/FEATURE-endpoints.md, "
        "specs/api/FEATURE.md, specs/api/rest-endpoints.md, a contracts/ folder, an OpenAPI "
        "file), read the schema, architecture, feature spec and CLAUDE.md, and write "
        "specs/backend/FEATURE.plan.yaml with every guess listed under unresolved.",
    )
    parser.add_argument("feature", help="feature name, e.g. task-crud")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--dry-run", action="store_true", help="write nothing; show the result")
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite a plan that was edited since gather wrote it",
    )
    parser.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="a whole-application contract: plan every resource it serves into FEATURE's "
        "plan (without it, gather plans the part FEATURE names and lists the rest)",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", args.feature):
        raise SpecError(
            f"feature {args.feature!r}: use lowercase letters, digits, '-' and '_' (e.g. task-crud)"
        )
    result = gather(args.root, args.feature, everything=args.everything)
    text = HEADER.format(feature=args.feature) + dump_plan(result.plan)
    target = plan_path(args.root, args.feature)
    write = _write(args.root, target, text, force=args.force, dry_run=args.dry_run)
    if args.json:
        print_json({**result.summary(), "plan": str(target), "write": write})
    else:
        for warning in result.warnings:
            print_warning(warning)
        _human(result, target, write)
    return EXIT_FAILURE if write.get("action") == "conflict" else 0


def _write(root: Path, target: Path, text: str, *, force: bool, dry_run: bool) -> dict[str, str]:
    """Through the emitter's writer: same rules as generated files (identical / created /
    updated / conflict beside as .new), atomic, manifest of what gather wrote last."""
    from sp_backend.emit.writer import write_files

    out_dir = plans_dir(root)
    report = write_files(
        out_dir, {target.name: text}, manifest_path=out_dir / MANIFEST, force=force, dry_run=dry_run
    )
    result = report.files[0]
    out = {"action": result.action, "dry_run": str(dry_run).lower()}
    if result.beside:
        out["beside"] = str(out_dir / result.beside)
    return out


def _human(result: GatherResult, target: Path, write: dict[str, str]) -> None:
    s = result.summary()
    stdout.print(f"contract: {s['contract']}")
    others = {k: v for k, v in s["sources"].items() if k != "contract"}
    if others:
        stdout.print("also read: " + ", ".join(f"{k} {v}" for k, v in others.items()))
    stdout.print(f"endpoints found: {len(s['endpoints'])}")
    for name, r in s["resources"].items():
        stdout.print(f"[bold]{name}[/] {r['path']} (id {r['id']}, owner {r['owner']})")
        for ep in r["endpoints"]:
            stdout.print(f"  {ep}")
        # Types as written (list[int]), not read as console markup.
        fields = ", ".join(f"{f}: {t}" for f, t in r["fields"].items())
        stdout.print(f"  fields: {fields}", markup=False)
    a = s["auth"]
    e = s["errors"]
    if a["mode"] == "none":
        stdout.print(
            f"[bold red]auth: none[/] (the contract says so, {a['source']}): NO AUTHENTICATION, "
            "every route open to anyone who reaches the API, nothing owned per user"
        )
        stdout.print(f"errors: envelope {e['envelope']}, validation {e['validation_status']}")
    else:
        stdout.print(
            f"auth: {a['mode']} (secret {a['secret_env']}, claim {a['user_id_claim']}, "
            f"user id {a['user_id_type']}{', in the path' if a['user_id_in_path'] else ''})"
        )
        stdout.print(
            f"errors: envelope {e['envelope']}, someone else's row {e['not_owner_status']}, "
            f"validation {e['validation_status']}"
        )
    for c in s["conflicts"]:
        stdout.print(
            f"[yellow]conflict[/] {c['what']}: {c.get('chosen')!r} from {c['winner']} "
            f"over {c.get('overruled')!r} from {c['loser']}"
        )
    for u in s["unresolved"]:
        stdout.print(
            f"[yellow]unresolved[/] {u['what']} ({u.get('source') or 'no source'})"
            + (f" -> {u['resolution']}" if u.get("resolution") else "")
        )
    action = write["action"]
    if write["dry_run"] == "true":
        stdout.print(f"dry run: would be {action}: {target}")
    elif action == "conflict":
        stdout.print(
            f"[red]conflict[/]: {target} was edited since gather wrote it; the new "
            f"draft is at {write.get('beside')} (use --force to overwrite)"
        )
    else:
        stdout.print(f"plan {action}: {target}")
