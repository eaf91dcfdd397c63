"""`sp-backend`: one CLI for people and agents. Each subcommand lives in sp_backend/commands/
and is found there, so adding a command touches no shared file."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from sp_backend import __version__, commands
from sp_backend.errors import EXIT_FAILURE, SkillError
from sp_backend.output import print_error

EPILOG = """exit codes: 0 ok, 1 problems found (conflicts, failed checks), 2 bad arguments,
3 plan missing or invalid, 4 specs missing or unreadable, 5 write failed, 6 missing dependency"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sp-backend",
        description="Turn Markdown API contracts into a tested FastAPI + SQLModel backend.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"sp_backend.commands.{info.name}")
        command = module.register(sub)
        command.epilog = EPILOG
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SkillError as exc:
        print_error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
