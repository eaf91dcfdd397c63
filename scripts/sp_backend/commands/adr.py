"""`sp-backend adr`: print ADR suggestions; never writes an ADR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sp_backend.output import print_json, print_warning
from sp_backend.records.adr import Cluster, suggest, suggestion_line

DESCRIPTION = """Print ADR suggestions for the architecture decisions in the backend plans
(specs/backend/*.plan.yaml, or only FEATURE's), the generated code in backend/ (which routes
are async def, what the database module pools with) and specs/architecture.md (roadmap and
future-phase sections are not decisions and are skipped).

A decision counts only when it passes all three tests: long-term impact, real alternatives,
cross-cutting scope; and only when no record in history/adr/ covers it yet (matched by slug,
title keywords or key phrases). Decisions that change together are one decision cluster, as
/sp.adr asks, and one line:

  📋 Architectural decision detected: <cluster>: <decisions>. Document reasoning?
  Run `/sp.adr <title>`   (one line)

When the project lacks what /sp.adr needs (a feature's plan.md), a last line starting with
"Note:" says so. Nothing is written: show the lines to the user and wait for consent.
--json prints {suggestions: [{title, slug, what, decisions, sources, source, suggestion}],
adr_prerequisite}."""


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
        for note in report.notes:
            _note(note)
        for decision, adr in report.covered:
            _note(f"covered by {adr}: {decision.slug}")
        for decision, failures in report.rejected:
            _note(f"not significant: {decision.slug} ({'; '.join(failures)})")
    if args.json:
        print_json(
            {
                "suggestions": [_entry(c) for c in report.suggestions],
                "adr_prerequisite": report.prerequisite,
            }
        )
        return 0
    lines = [suggestion_line(c) for c in report.suggestions] or [
        (
            "No new architectural decisions to document "
            f"({len(report.covered)} already covered by history/adr/)."
        )
    ]
    if report.suggestions and report.prerequisite:
        lines.append(report.prerequisite)
    _write_utf8(lines)
    return 0


def _entry(cluster: Cluster) -> dict[str, object]:
    return {
        "title": cluster.title,
        "slug": cluster.slug,
        "what": cluster.what,
        "decisions": [
            {
                "slug": d.slug,
                "title": d.title,
                "what": d.what,
                "reason": d.significance.reason(),
                "sources": d.sources,
            }
            for d in cluster.decisions
        ],
        "source": cluster.sources[0],
        "sources": cluster.sources,
        "suggestion": suggestion_line(cluster),
    }


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _write_utf8(lines: list[str]) -> None:
    # The wording carries an emoji; a terminal that cannot show it gets a '?', not a crash.
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    stream.write("".join(f"{line}\n" for line in lines))
