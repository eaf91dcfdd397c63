"""Human output on a rich console, JSON on stdout for machines, diagnostics on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_error(message: str) -> None:
    stderr.print(f"[bold red]error:[/] {message}", markup=True, emoji=False)


def print_warning(message: str) -> None:
    stderr.print(f"[yellow]warning:[/] {message}", markup=True, emoji=False)
