"""Errors the CLI turns into one clear message and a distinct exit code."""

from __future__ import annotations

# Exit codes, documented in every script's --help.
EXIT_OK = 0
EXIT_FAILURE = 1  # the command ran and found problems (conflicts, failed checks)
EXIT_USAGE = 2  # bad arguments (argparse's own code)
EXIT_PLAN = 3  # the plan is missing or invalid
EXIT_SPEC = 4  # the specs are missing or unreadable
EXIT_WRITE = 5  # files could not be written
EXIT_DEPENDENCY = 6  # a Python dependency is missing


class SkillError(Exception):
    """An error with a message meant for the user, and the exit code that goes with it."""

    exit_code = EXIT_FAILURE


class PlanError(SkillError):
    exit_code = EXIT_PLAN


class SpecError(SkillError):
    exit_code = EXIT_SPEC


class WriteError(SkillError):
    exit_code = EXIT_WRITE
