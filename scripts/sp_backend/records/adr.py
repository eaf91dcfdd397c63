"""ADR suggestions: decisions from the backend plans and specs/architecture.md that pass the
significance test and that no record in history/adr/ covers yet. Nothing here writes an ADR:
the user decides, then runs `/sp.adr <title>`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sp_backend.errors import PlanError
from sp_backend.plan.load import PLAN_SUFFIX, load_plan, plan_path, plans_dir
from sp_backend.records.architecture_notes import ARCHITECTURE, read_notes
from sp_backend.records.common import slugify
from sp_backend.records.plan_decisions import PlanDoc, plan_decisions
from sp_backend.records.significance import Decision
from sp_backend.records.template import parse_front_matter

ADR_DIR = Path("history") / "adr"
_ADR_PREFIX = re.compile(r"^\s*(adr)?[\s#-]*\d+\s*[:.)\-\u2013\u2014]?\s*", re.IGNORECASE)


def suggestion_line(decision: Decision) -> str:
    """The Spec-Kit Plus wording, one line."""
    what = decision.what.rstrip(". ")
    return (
        f"\U0001f4cb Architectural decision detected: {what}. Document reasoning? "
        f"Run `/sp.adr {decision.slug}`"
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
    suggestions: list[Decision] = field(default_factory=list)
    covered: list[tuple[Decision, Path]] = field(default_factory=list)
    rejected: list[tuple[Decision, list[str]]] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the files the decisions came from
    warnings: list[str] = field(default_factory=list)


def suggest(root: Path, feature: str | None = None) -> Report:
    report = Report()
    candidates: list[Decision] = []
    for doc in _plan_docs(root, feature, report):
        report.read.append(doc.display)
        candidates += plan_decisions(doc)
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
    for decision in _merge(candidates):
        failures = decision.significance.failures()
        adr = covering(decision, adrs)
        if failures:
            report.rejected.append((decision, failures))
        elif adr is not None:
            report.covered.append((decision, adr.path))
        else:
            report.suggestions.append(decision)
    return report


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
    """Cite the architecture notes where they bear on a plan decision."""
    for decision in candidates:
        if decision.slug == "database-connection-pooling":
            decision.sources += serverless
        elif decision.slug == "sync-database-access" and async_db:
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
