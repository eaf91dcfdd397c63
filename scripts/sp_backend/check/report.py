"""Mismatches between the contract and the app, each located in the contract."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Mismatch:
    source: str  # the contract's file:line
    endpoint: str  # "METHOD /path" as the contract writes it
    kind: str  # missing-endpoint | success-status | error-status | request-field | ...
    message: str

    def line(self) -> str:
        if self.kind == "not-reflected":
            return f"{self.source}: {self.message}"
        return f"{self.source}: {self.endpoint}: {self.message}"


@dataclass
class CheckReport:
    contract: str
    backend: str
    url: str | None = None
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not failures: extra routes, unprobed
    probes: int = 0
    lines_read: int = 0  # normative contract and schema lines looked at for coverage

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "backend": self.backend,
            "url": self.url,
            "endpoints_checked": self.checked,
            "requests_made": self.probes,
            "normative_lines": self.lines_read,
            "ok": not self.mismatches,
            "mismatches": [asdict(m) for m in self.mismatches],
            "notes": self.notes,
        }
