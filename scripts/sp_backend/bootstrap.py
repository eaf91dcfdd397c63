"""Entry for the standalone scripts: a missing dependency is a one-line instruction, not a
traceback. Imports only the standard library at module level for that reason."""

from __future__ import annotations

import importlib
import sys

REQUIRED = {
    "pydantic": "pydantic",
    "jinja2": "jinja2",
    "yaml": "pyyaml",
    "rich": "rich",
    "markdown_it": "markdown-it-py",
    "ruff": "ruff",
    "sqlglot": "sqlglot",
    "inflection": "inflection",
    "jsonref": "jsonref",
}


def missing_dependencies() -> list[str]:
    missing = []
    for module, package in REQUIRED.items():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    return missing


def install_hint(missing: list[str] | None = None) -> str:
    packages = " ".join(f'"{p}"' for p in (missing or list(REQUIRED.values())))
    return f"{sys.executable} -m pip install {packages}"


def run(command: str, argv: list[str]) -> int:
    missing = missing_dependencies()
    if missing:
        print(
            f"sp-backend: missing Python packages ({', '.join(missing)}); install them with: "
            f"{install_hint(missing)}",
            file=sys.stderr,
        )
        return 6
    from sp_backend.cli import main

    return main([command, *argv])
