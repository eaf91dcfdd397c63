"""ADR suggestions: decisions from the backend plans, the generated code and
specs/architecture.md that pass the significance test and that no record in history/adr/ covers
yet, grouped into decision clusters as Spec-Kit Plus's /sp.adr asks (decisions that would change
together make one ADR). Nothing here writes an ADR: the user decides, then runs
`/sp.adr <title>`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sp_backend.errors import PlanError
from sp_backend.plan.load import PLAN_SUFFIX, load_plan, plan_path, plans_dir
from sp_backend.records.architecture_notes import ARCHITECTURE, read_notes
from sp_backend.records.backend_facts import BACKEND, BackendFacts, describe_handlers, read_backend
from sp_backend.records.common import slugify
from sp_backend.records.plan_decisions import PlanDoc, plan_decisions
from sp_backend.records.significance import Decision, Significance
from sp_backend.records.template import parse_front_matter

ADR_DIR = Path("history") / "adr"
_ADR_PREFIX = re.compile(r"^\s*(adr)?[\s#-]*\d+\s*[:.)\-\u2013\u2014]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ClusterKind:
    slug: str
    title: str
    members: tuple[str, ...]  # slug prefixes of the decisions it groups
    keywords: tuple[tuple[str, ...], ...]  # an ADR whose title holds one group covers it all


CLUSTERS = (
    ClusterKind(
        "authentication-and-data-isolation",
        "Authentication and data isolation",
        ("jwt-", "local-token-issuance", "user-isolation-", "api-without-authentication"),
        (("authentication", "isolation"), ("auth", "isolation"), ("auth", "strategy")),
    ),
    ClusterKind(
        "data-access-architecture",
        "Data access architecture",
        ("database-access-style", "database-connection-pooling", "primary-key-", "caching-"),
        (("data", "access"), ("data", "architecture")),
    ),
    ClusterKind(
        "api-conventions",
        "API conventions",
        ("error-response-envelope", "pagination-"),
        (("api", "convention"),),
    ),
    ClusterKind(
        "background-task-processing",
        "Background task processing",
        ("background-task-processing",),
        (),
    ),
    ClusterKind("file-storage", "File storage", ("file-storage",), ()),
)


@dataclass
class Cluster:
    """One suggestion: decisions that change together, each still citing its sources."""

    kind: ClusterKind
    decisions: list[Decision]

    @property
    def slug(self) -> str:
        return self.kind.slug

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def what(self) -> str:
        parts = [_clause(d.what.rstrip(". ")) for d in self.decisions]
        return f"{self.kind.title}: {'; '.join(parts)}"

    @property
    def sources(self) -> list[str]:
        return [s for d in self.decisions for s in d.sources]


def _clause(text: str) -> str:
    """`text` as a clause after a colon: first letter lowercased unless it starts an acronym."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def cluster_kind(decision: Decision) -> ClusterKind:
    for kind in CLUSTERS:
        if any(decision.slug.startswith(m) for m in kind.members):
            return kind
    return ClusterKind(decision.slug, decision.title, (decision.slug,), ())


def suggestion_line(item: Cluster | Decision) -> str:
    """The Spec-Kit Plus wording, one line."""
    what = item.what.rstrip(". ")
    return (
        f"\U0001f4cb Architectural decision detected: {what}. Document reasoning? "
        f"Run `/sp.adr {item.slug}`"
    )


@dataclass
class ExistingAdr:
    path: Path
    title: str
    tokens: frozenset[str]  # words of the title and the file name
    text: str  # lowercased, for the phrase check
    slugs: frozenset[str]  # the file name's slug and the title's


def read_adrs(root: Path) -> list[ExistingAdr]:
    folder = root / ADR_DIR
    if not folder.is_dir():
        return []
    adrs = []
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        meta = parse_front_matter(text) or {}
        title = str(meta.get("title") or "")
        if not title:
            heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
            title = heading.group(1) if heading else ""
        title = (
            _ADR_PREFIX.sub("", title, count=1)
            if re.match(r"\s*(adr|\d)", title, re.IGNORECASE)
            else title
        )
        file_slug = re.sub(r"^\d+-", "", path.stem)
        tokens = frozenset(slugify(f"{title} {file_slug}").split("-")) - {""}
        adrs.append(
            ExistingAdr(
                path, title.strip(), tokens, text.lower(), frozenset({file_slug, slugify(title)})
            )
        )
    return adrs


def covering(decision: Decision, adrs: list[ExistingAdr]) -> ExistingAdr | None:
    """The first ADR that already documents this decision, if any."""
    for adr in adrs:
        if decision.slug in adr.slugs:
            return adr
        if any(all(_term_in(term, adr.tokens) for term in group) for group in decision.keywords):
            return adr
        if any(phrase in adr.text for phrase in decision.phrases):
            return adr
    return None


def _term_in(term: str, tokens: frozenset[str]) -> bool:
    # Short terms ("id", "403") must match a whole word; longer ones also match word prefixes
    # ("paginat" in "pagination", "cach" in "caching").
    if len(term) <= 3:
        return term in tokens
    return any(token.startswith(term) for token in tokens)


@dataclass
class Report:
    suggestions: list[Cluster] = field(default_factory=list)
    covered: list[tuple[Decision, Path]] = field(default_factory=list)
    rejected: list[tuple[Decision, list[str]]] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the files the decisions came from
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for --explain
    prerequisite: str | None = None  # what /sp.adr needs that the project lacks


def suggest(root: Path, feature: str | None = None) -> Report:
    report = Report()
    candidates: list[Decision] = []
    for doc in _plan_docs(root, feature, report):
        report.read.append(doc.display)
        candidates += plan_decisions(doc)
    facts = read_backend(root)
    if facts is None:
        report.notes.append(
            f"no generated {BACKEND}/ yet: how routes reach the database is not suggested "
            "until emit has run"
        )
    else:
        access = _access_decision(facts)
        if access is not None:
            candidates.append(access)
    notes = read_notes(root)
    if notes is not None:
        report.read.append(ARCHITECTURE.as_posix())
        candidates += notes.decisions
        _sharpen(candidates, notes.serverless, notes.async_db)
    if not report.read:
        raise PlanError(
            f"{root / plans_dir(Path('.'))}: no *{PLAN_SUFFIX} plans and no "
            f"{ARCHITECTURE}; write a plan first (`sp-backend gather FEATURE`)"
        )
    adrs = read_adrs(root)
    grouped: dict[str, Cluster] = {}
    for decision in _merge(candidates):
        failures = decision.significance.failures()
        kind = cluster_kind(decision)
        adr = covering(decision, adrs) or _covering_cluster(kind, adrs)
        if failures:
            report.rejected.append((decision, failures))
        elif adr is not None:
            report.covered.append((decision, adr.path))
        else:
            grouped.setdefault(kind.slug, Cluster(kind, [])).decisions.append(decision)
    for cluster in grouped.values():
        cluster.decisions.sort(key=lambda d: _member_rank(cluster.kind, d))
    order = {kind.slug: i for i, kind in enumerate(CLUSTERS)}
    report.suggestions = sorted(grouped.values(), key=lambda c: order.get(c.slug, len(order)))
    report.prerequisite = adr_prerequisite(root)
    return report


def _member_rank(kind: ClusterKind, decision: Decision) -> int:
    return next((i for i, m in enumerate(kind.members) if decision.slug.startswith(m)), 99)


def _covering_cluster(kind: ClusterKind, adrs: list[ExistingAdr]) -> ExistingAdr | None:
    for adr in adrs:
        if kind.slug in adr.slugs or any(
            all(_term_in(term, adr.tokens) for term in group) for group in kind.keywords
        ):
            return adr
    return None


def _access_decision(facts: BackendFacts) -> Decision | None:
    """How the generated routes reach the database, as the code says."""
    described = describe_handlers(facts)
    if described is None:
        return None
    mixed = bool(facts.handlers.async_methods and facts.handlers.sync_methods)
    alternatives = (
        ("every route sync over a Session in the threadpool", "every route async on one engine")
        if mixed
        else (
            ("sync handlers in the threadpool",)
            if facts.handlers.async_methods
            else ("async handlers over an async engine (asyncpg or psycopg async)",)
        )
    )
    sources = list(facts.handlers.cites)
    if facts.database_cite:
        sources.append(facts.database_cite)
    return Decision(
        "database-access-style",
        "Database access: async and sync routes",
        f"Serve {described}",
        Significance(
            "every router, service and test follows this split; changing it rewrites them and "
            "the pool sizing",
            alternatives,
            ("every router", "services", "tests", "connection pools"),
        ),
        sources,
        tuple(
            (mode, what)
            for mode in ("sync", "async")
            for what in ("databas", "db", "route", "session", "engine", "access", "handler")
        )
        + (("threadpool",), ("blocking", "io"), ("asyncpg",)),
        ("threadpool", "asyncpg"),
    )


def adr_prerequisite(root: Path) -> str | None:
    """One line on what Spec-Kit Plus's /sp.adr needs that this project lacks, else None.

    /sp.adr reads the current feature's plan (specs/<NNN-feature>/plan.md, written by /sp.plan,
    found from the NNN-feature branch) and stops without it."""
    plans = sorted(p.parent.name for p in (root / "specs").glob("*/plan.md"))
    if not plans:
        return (
            "Note: /sp.adr reads a feature's plan.md (specs/<NNN-feature>/plan.md from "
            "/sp.plan) and this project has none: run /sp.plan first, or ask for the ADR "
            "to be written from the suggestion above."
        )
    branch = git_branch(root)
    if branch and branch not in plans:
        return (
            f"Note: /sp.adr reads the plan.md of the current branch's feature; the branch "
            f"{branch} has no specs/{branch}/plan.md (plans: {', '.join(plans)}): switch to "
            "that feature's branch first."
        )
    return None


def git_branch(root: Path) -> str | None:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out and out != "HEAD" else None


def _plan_docs(root: Path, feature: str | None, report: Report) -> list[PlanDoc]:
    if feature is not None:
        path = plan_path(root, feature)
        return [PlanDoc(path, load_plan(path), _display(path, root))]
    docs = []
    for path in sorted(plans_dir(root).glob(f"*{PLAN_SUFFIX}")):
        try:
            docs.append(PlanDoc(path, load_plan(path), _display(path, root)))
        except PlanError as exc:
            # One broken plan must not hide the decisions of the others.
            report.warnings.append(f"skipped an invalid plan: {exc}")
    return docs


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _sharpen(candidates: list[Decision], serverless: list[str], async_db: list[str]) -> None:
    """Cite the architecture notes where they bear on a decision."""
    for decision in candidates:
        if decision.slug == "database-connection-pooling":
            decision.sources += serverless
        elif decision.slug == "database-access-style" and async_db and "sync def" in decision.what:
            decision.sources += async_db
            decision.what += (
                f" (the architecture notes mention async database access at "
                f"{', '.join(async_db)}: settle it explicitly)"
            )


def _merge(candidates: list[Decision]) -> list[Decision]:
    """One entry per decision across plans; the same decision in two plans cites both."""
    merged: dict[tuple[str, str], Decision] = {}
    for decision in candidates:
        key = (decision.slug, decision.what)
        if key in merged:
            merged[key].sources += [s for s in decision.sources if s not in merged[key].sources]
        else:
            merged[key] = decision
    return list(merged.values())
