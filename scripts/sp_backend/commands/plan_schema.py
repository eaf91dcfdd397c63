"""`sp-backend plan-schema`: print the plan's JSON Schema."""

from __future__ import annotations

import argparse

from sp_backend.output import print_json
from sp_backend.plan.load import plan_json_schema


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "plan-schema",
        help="print the backend plan's JSON Schema",
        description="Print the JSON Schema of a backend plan (always JSON).",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    print_json(plan_json_schema())
    return 0
