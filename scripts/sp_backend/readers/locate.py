"""Find a feature's spec sources. The contract is required; the lookup order follows the names
real projects use, and every name tried is reported when none exists."""

from __future__ import annotations

import re
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
    speckit_candidates: list[str] = field(default_factory=list)  # Spec-Kit folders that fit

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


_ROUTE_LINE = re.compile(r"(?m)^[\s>*\-`|#0-9.)]*(?:GET|POST|PUT|PATCH|DELETE)\*{0,2}`?\s+`?/\S*")


def _lists_routes(path: Path, at_least: int = 2) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    return len(_ROUTE_LINE.findall(text)) >= at_least


def _speckit_folders(specs: Path, feature: str) -> list[Path]:
    """Numbered Spec-Kit folders (`specs/001-user-scoped-tasks`) whose name holds every word of
    the feature's name (singular or plural), fewest other words first; not the feature's own
    folder (`specs/FEATURE`), which the fixed names above already cover."""
    from sp_backend.readers.words import singular

    if not specs.is_dir():
        return []
    wanted = {
        singular(w) for w in re.split(r"[^a-z0-9]+", feature.lower()) if w and not w.isdigit()
    }
    if not wanted:
        return []
    found: list[tuple[int, str, Path]] = []
    for folder in sorted(p for p in specs.iterdir() if p.is_dir()):
        m = re.fullmatch(r"\d{3,}-(.+)", folder.name)
        if not m or folder.name == feature:
            continue
        words = {singular(w) for w in re.split(r"[^a-z0-9]+", m.group(1).lower()) if w}
        if wanted <= words:
            found.append((len(words - wanted), folder.name, folder))
    return [p for _, _, p in sorted(found)]


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
        # the numbered Spec-Kit folder the feature's words name (`002-garden-plots`)
        *[folder / "contracts" for folder in _speckit_folders(specs, feature)[:1]],
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
    if contract is None:
        # A README-style contract: an API folder's README (or index), or the project's own
        # README, when it lists routes (`GET /path` lines, in fences, lists or paragraphs).
        for cand in (
            specs / "api" / "README.md",
            specs / "api" / "index.md",
            specs / "README.md",
            root / "README.md",
        ):
            tried.append(cand.relative_to(root).as_posix() + " (with route lines)")
            if cand.is_file() and _lists_routes(cand):
                contract = cand
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
        # a whole-application contract's module file for the feature (its models)
        specs / "modules" / f"{feature}.md",
    ):
        if cand.is_file():
            sources.schemas.append(cand)
    speckit = _speckit_folders(specs, feature)
    if speckit:
        # A Spec-Kit feature folder named for the feature (`001-user-scoped-tasks` for
        # `tasks`): its data model and spec are this feature's own files.
        sources.speckit_candidates = [sources.rel(p) for p in speckit]
        chosen = speckit[0]
        if (chosen / "data-model.md").is_file() and chosen / "data-model.md" not in sources.schemas:
            sources.schemas.append(chosen / "data-model.md")
        if (chosen / "spec.md").is_file():
            sources.feature_docs.append(chosen / "spec.md")
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
    # A flat Spec-Kit folder keeps its feature spec beside the plan (`spec.md`,
    # `feature-tasklist-mvp.md`): the only one there, or the one whose name has the feature's.
    flat = [p for p in (specs / "spec.md", *sorted(specs.glob("feature*.md"))) if p.is_file()]
    named = [p for p in flat if feature.lower().rstrip("s") in p.stem.lower()]
    spec = flat if len(flat) == 1 else named
    if len(spec) == 1 and spec[0] not in sources.feature_docs:
        sources.feature_docs.append(spec[0])
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
