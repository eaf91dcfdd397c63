"""Find a feature's spec sources. The contract is required; the lookup order follows the names
real projects use, and every name tried is reported when none exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sp_backend.errors import SpecError

OPENAPI_NAMES = ("openapi", "swagger", "api")
OPENAPI_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Sources:
    root: Path
    feature: str
    contract: Path
    tried: list[str] = field(default_factory=list)
    other_contracts: list[Path] = field(default_factory=list)  # sibling API docs
    openapi: Path | None = None
    schemas: list[Path] = field(default_factory=list)
    architecture: Path | None = None
    feature_docs: list[Path] = field(default_factory=list)
    auth_docs: list[Path] = field(default_factory=list)
    claude: Path | None = None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def roles(self) -> dict[str, str]:
        out = {"contract": self.rel(self.contract)}
        if self.openapi and self.openapi != self.contract:
            out["openapi"] = self.rel(self.openapi)
        if self.schemas:
            out["schema"] = self.rel(self.schemas[0])
        if self.architecture:
            out["architecture"] = self.rel(self.architecture)
        if self.feature_docs:
            out["feature"] = self.rel(self.feature_docs[0])
        if self.claude:
            out["claude"] = self.rel(self.claude)
        return out


def _is_openapi(path: Path) -> bool:
    if path.suffix.lower() not in OPENAPI_SUFFIXES:
        return False
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:4000]
    except OSError:
        return False
    return "openapi" in head or "swagger" in head


def _openapi_files(specs: Path) -> list[Path]:
    if not specs.is_dir():
        return []
    found = [p for p in sorted(specs.rglob("*")) if p.is_file() and _is_openapi(p)]
    # Prefer the conventional names, then the shallowest file.
    return sorted(found, key=lambda p: (p.stem.lower() not in OPENAPI_NAMES, len(p.parts)))


def locate(root: Path, feature: str) -> Sources:
    """The sources for ``feature`` under ``root``; SpecError (exit 4) without a contract."""
    if not root.is_dir():
        raise SpecError(f"{root}: no such project folder (pass --root DIR)")
    specs = root / "specs"
    candidates = [
        specs / "api" / f"{feature}-endpoints.md",
        specs / "api" / f"{feature}.md",
        specs / "api" / "rest-endpoints.md",
        specs / feature / "contracts",
        specs / "features" / feature / "contracts",
        specs / "contracts",
    ]
    tried: list[str] = []
    contract: Path | None = None
    for cand in candidates:
        tried.append(cand.relative_to(root).as_posix() + ("/*.md" if cand.suffix == "" else ""))
        if cand.is_file():
            contract = cand
            break
        if cand.is_dir():
            docs = sorted(p for p in cand.glob("*.md") if p.is_file())
            if docs:
                contract = docs[0]
                break
    openapi = _openapi_files(specs)
    tried.append("specs/**/{openapi,swagger,api}.{yaml,yml,json}")
    if contract is None and openapi:
        contract = openapi[0]
    if contract is None:
        raise SpecError(
            f"{root}: no API contract for feature {feature!r}; tried: "
            + ", ".join(tried)
            + ". Write the contract first (e.g. with /sp.api-designer), then re-run."
        )
    sources = Sources(root, feature, contract, tried)
    if openapi and contract != openapi[0]:
        sources.openapi = openapi[0]
    elif contract.suffix.lower() in OPENAPI_SUFFIXES:
        sources.openapi = contract
    if contract.suffix == ".md":
        sources.other_contracts = [
            p for p in sorted(contract.parent.glob("*.md")) if p != contract and p.is_file()
        ]
    for cand in (
        specs / "database" / "schema.md",
        specs / "schema.md",
        specs / "data-model.md",
        specs / "database" / "data-model.md",
        specs / "database" / "models.md",
        specs / feature / "data-model.md",
    ):
        if cand.is_file():
            sources.schemas.append(cand)
    # Prisma schema files: beside the contract, in the feature's folder, or Prisma's own place.
    for cand in (
        contract.parent / "schema.prisma",
        specs / feature / "schema.prisma",
        specs / "database" / "schema.prisma",
        specs / "schema.prisma",
        root / "prisma" / "schema.prisma",
    ):
        if cand.is_file() and cand not in sources.schemas:
            sources.schemas.append(cand)
    if (specs / "database").is_dir():
        sources.schemas += [
            p for p in sorted((specs / "database").glob("*.md")) if p not in sources.schemas
        ]
    arch = specs / "architecture.md"
    sources.architecture = arch if arch.is_file() else None
    for cand in (
        specs / "features" / f"{feature}.md",
        specs / feature / "spec.md",
        specs / f"{feature}.md",
    ):
        if cand.is_file():
            sources.feature_docs.append(cand)
    auth_globs = (
        "features/auth*.md",
        "features/*better-auth*.md",
        "features/*jwt*.md",
        "api/auth*.md",
        "auth*.md",
        "security.md",
    )
    for pattern in auth_globs:
        for p in sorted(specs.glob(pattern)):
            if p.is_file() and p not in sources.auth_docs and p != contract:
                sources.auth_docs.append(p)
    claude = root / "CLAUDE.md"
    sources.claude = claude if claude.is_file() else None
    return sources


__all__ = ["Sources", "locate"]
