"""What the generated backend actually does, read from its code: which route handlers are
`async def` and which are plain `def`, and what the database module pools with. ADR suggestions
state these facts instead of assuming them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

BACKEND = Path("backend")
_METHODS = ("get", "post", "put", "patch", "delete")
_READS = ("GET",)


@dataclass
class Handlers:
    async_methods: set[str] = field(default_factory=set)
    sync_methods: set[str] = field(default_factory=set)
    cites: list[str] = field(default_factory=list)  # file:line of the first handler of each kind


@dataclass
class BackendFacts:
    handlers: Handlers
    async_reader: str | None  # "an asyncpg pool" when database.py reads through asyncpg
    pre_ping: bool
    database_cite: str | None


def read_backend(root: Path, out: Path = BACKEND) -> BackendFacts | None:
    """Facts of `root/out`, or None when no backend has been generated there."""
    routers = root / out / "app" / "routers"
    if not routers.is_dir():
        return None
    handlers = Handlers()
    for path in sorted(routers.glob("*.py")):
        _scan(path, path.relative_to(root).as_posix(), handlers)
    database = root / out / "app" / "database.py"
    text = database.read_text(encoding="utf-8", errors="replace") if database.is_file() else ""
    return BackendFacts(
        handlers,
        "an asyncpg pool" if "import asyncpg" in text else None,
        "pool_pre_ping" in text,
        database.relative_to(root).as_posix() if text else None,
    )


def _scan(path: Path, display: str, handlers: Handlers) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for method in _route_methods(node):
            is_async = isinstance(node, ast.AsyncFunctionDef)
            bucket = handlers.async_methods if is_async else handlers.sync_methods
            if not bucket:
                handlers.cites.append(f"{display}:{node.lineno}")
            bucket.add(method)


def _route_methods(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    found = []
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in _METHODS:
            found.append(call.attr.upper())
    return found


def describe_handlers(facts: BackendFacts) -> str | None:
    """One clause: how the generated routes reach the database; None when there are none."""
    h = facts.handlers
    if not h.async_methods and not h.sync_methods:
        return None
    order = [m.upper() for m in _METHODS]

    def names(methods: set[str]) -> str:
        return ", ".join(m for m in order if m in methods)

    on_reader = f" on {facts.async_reader}" if facts.async_reader else ""
    threadpool = "sync def handlers, which FastAPI runs in its threadpool"
    if not h.sync_methods:
        return f"every route ({names(h.async_methods)}) with async def handlers{on_reader}"
    if not h.async_methods:
        return f"every route ({names(h.sync_methods)}) with {threadpool}"
    return (
        f"{names(h.async_methods)} with async def handlers{on_reader} and "
        f"{names(h.sync_methods)} with {threadpool}"
    )
