"""references/security.md covers each OWASP API Security Top 10 (2023) item and names only
test functions that exist (in the generated-test templates or in this project's tests)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = (REPO / "references" / "security.md").read_text(encoding="utf-8")
ITEMS = [
    "Broken Object Level Authorization",
    "Broken Authentication",
    "Broken Object Property Level Authorization",
    "Unrestricted Resource Consumption",
    "Broken Function Level Authorization",
    "Unrestricted Access to Sensitive Business Flows",
    "Server Side Request Forgery",
    "Security Misconfiguration",
    "Improper Inventory Management",
    "Unsafe Consumption of APIs",
]


def _defined() -> set[str]:
    sources = [
        *(REPO / "assets" / "backend" / "tests").glob("*.j2"),
        *(p for p in (REPO / "tests").rglob("*.py") if "golden" not in p.parts),
    ]
    names: set[str] = set()
    for path in sources:
        for name in re.findall(
            r"^def (test_[\w{}<> .|\"~]+)\(", path.read_text(encoding="utf-8"), re.MULTILINE
        ):
            names.add(re.sub(r"\{\{[^}]*\}\}", "<resource>", name))
    return names


def test_every_item_has_a_section_with_a_test() -> None:
    for number, title in enumerate(ITEMS, start=1):
        heading = f"## API{number} {title}"
        assert heading in PAGE, heading
        section = PAGE.split(heading, 1)[1].split("\n## ", 1)[0]
        assert re.search(r"`test_\w+", section), f"API{number} names no test"


def test_every_named_test_exists() -> None:
    named = set(re.findall(r"`(test_[\w<>]+)`", PAGE))
    assert len(named) >= 25
    assert named - _defined() == set()
