"""The base path a Markdown contract states once for every endpoint ("Base URL:
`https://api.example.com/v2`", "All endpoints are under `/api/v1`", "Base path: /v1"), and its
application to the endpoints it lists, as OpenAPI's `servers` URL is applied (readers/openapi.py).
Each phrasing carries its examples; every example is a test (tests/readers/test_base_path.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from sp_backend.readers.facts import Endpoint

# A URL or an absolute path, in backticks or bare, up to whitespace or closing punctuation.
# A path that goes on into a parameter or a wildcard ("/api/{user_id}/tasks", "/tasks/*")
# names some endpoints, not the base of all: no match.
_WHERE = r"[`*_\"']*(?P<where>https?://[^\s`'\"<>)]+|/[A-Za-z0-9._~/-]*)(?![A-Za-z0-9._~/{*-])"

# (examples, pattern): the ways contracts state where every endpoint lives.
PHRASES: list[tuple[tuple[str, ...], re.Pattern[str]]] = [
    (
        (
            "Base URL: `https://api.example.com/v2`",
            "**Base path:** /v1",
            "The base URL is https://ferries.example.org/api/v3",
            "BASE_URL = `http://localhost:8000/api`",
        ),
        re.compile(
            rf"\bbase[\s_-]*(?:url|uri|path|endpoint|route)s?\b[*_`:]*\s*(?:is|=|:|-)?[*_\s]*{_WHERE}",
            re.I,
        ),
    ),
    (
        (
            "All endpoints are under `/api/v1`",
            "Every route is prefixed with /api/v2.",
            "All paths below are relative to `/svc`",
            "All requests go to https://api.example.com/v1",
        ),
        re.compile(
            r"\b(?:all|every)\s+(?:the\s+)?(?:endpoints?|routes?|paths?|requests?|urls?)\b"
            r"[^.`\n]{0,30}?\b(?:(?:are|is|live|sit)\s+)?(?:served\s+)?"
            rf"(?:under|prefixed\s+(?:with|by)|relative\s+to|at|go(?:es)?\s+to|start\s+with)\s+{_WHERE}",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class BasePath:
    path: str  # "/v2": the path part, no trailing slash ("" for a bare host)
    source: str  # file:line


def stated_bases(lines: list[str], rel: str) -> list[BasePath]:
    """Every base path the text states, in order (a line stating one is read once)."""
    found: list[BasePath] = []
    for number, line in enumerate(lines, start=1):
        for _examples, pattern in PHRASES:
            m = pattern.search(line)
            if m:
                found.append(BasePath(_path_of(m.group("where")), f"{rel}:{number}"))
                break
    return found


def _path_of(where: str) -> str:
    where = where.rstrip(".,;:")
    path = urlparse(where).path if "://" in where else where
    return path.rstrip("/")


def apply_base(endpoints: list[Endpoint], base: str) -> None:
    """Serve each endpoint under the base, unless its path already starts with it."""
    if not base:
        return
    for ep in endpoints:
        if ep.path != base and not ep.path.startswith(base + "/"):
            ep.path = base + ep.path


__all__ = ["PHRASES", "BasePath", "apply_base", "stated_bases"]
