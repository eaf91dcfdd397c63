"""`sp-backend adr`: print ADR suggestions; never writes an ADR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sp_backend.output import print_json, print_warning
from sp_backend.records.adr import suggest, suggestion_line
from sp_backend.records.significance import Decision

DESCRIPTION = """Print ADR suggestions for architecture decisions in the backend plans
(specs/backend/*.plan.yaml, or only FEATURE's) and specs/architecture.md.

A decision is suggested only when it passes all three tests: long-term impact, real
alternatives, cross-cutting scope; and only when no record in history/adr/ covers it yet
(matched by slug, title keywords or key phrases). One line per suggestion:

  📋 Architectural decision detected: <what>. Document reasoning? Run `/sp.adr <title>`

Nothing is written: show the lines to the user and wait for consent.
--json prints a list of {title, slug, what, reason, source, sources, suggestion}."""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "adr", help="print ADR suggestions (writes nothing)", description=DESCRIPTION
    )
    parser.add_argument("feature", nargs="?", help="only this feature's plan (default: all plans)")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also list, on stderr, why other decisions were not suggested",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    report = suggest(args.root, args.feature)
    for warning in report.warnings:
        print_warning(warning)
    if args.explain:
        for decision, adr in report.covered:
            _note(f"covered by {adr}: {decision.slug}")
        for decision, failures in report.rejected:
            _note(f"not significant: {decision.slug} ({'; '.join(failures)})")
    if args.json:
        print_json([_entry(d) for d in report.suggestions])
        return 0
    _write_utf8(
        [suggestion_line(d) for d in report.suggestions]
        or [
            (
                "No new architectural decisions to document "
                f"({len(report.covered)} already covered by history/adr/)."
            )
        ]
    )
    return 0


def _entry(decision: Decision) -> dict[str, object]:
    return {
        "title": decision.title,
        "slug": decision.slug,
        "what": decision.what,
        "reason": decision.significance.reason(),
        "source": decision.sources[0],
        "sources": decision.sources,
        "suggestion": suggestion_line(decision),
    }


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _write_utf8(lines: list[str]) -> None:
    # The wording carries an emoji; a terminal that cannot show it gets a '?', not a crash.
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    stream.write("".join(f"{line}\n" for line in lines))
