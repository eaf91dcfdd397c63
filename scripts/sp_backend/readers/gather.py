"""The gather step: locate sources, read each, build the plan. Pure: writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sp_backend.errors import SpecError
from sp_backend.plan.model import BackendPlan, Conflict
from sp_backend.readers import auth as auth_reader
from sp_backend.readers.base_path import apply_base, stated_bases
from sp_backend.readers.build import Inputs, build_plan
from sp_backend.readers.conventions import Conventions, read_conventions
from sp_backend.readers.endpoints import find_endpoints, fold
from sp_backend.readers.facts import (
    RANK_CLAUDE,
    RANK_CONTRACT,
    RANK_OTHER_API,
    RANK_PROSE,
    RANK_SCHEMA,
    Endpoint,
    FieldFact,
    TableFacts,
    Value,
)
from sp_backend.readers.locate import Sources, locate
from sp_backend.readers.markdown import Doc, load_markdown, read_text
from sp_backend.readers.models import dotted_facts, models_from_doc, prose_fields
from sp_backend.readers.openapi import openapi_endpoints
from sp_backend.readers.prisma import read_prisma
from sp_backend.readers.resources import group, split

_LOCAL_AUTH = re.compile(r"/(register|login|signup|signin|sign-up|sign-in|token)$")
_NEEDS_TOKEN = re.compile(
    r"Authorization\W{0,3}:?\W{0,3}Bearer|\bauth(?:entication)?\s*(?:required)?\s*:\s*(?:yes|required)",
    re.IGNORECASE,
)


@dataclass
class GatherResult:
    sources: Sources
    plan: BackendPlan
    endpoints: list[Endpoint]  # every endpoint found in the API documents, folded
    resources: dict[str, list[str]]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "feature": plan.feature,
            "contract": self.sources.rel(self.sources.contract),
            "sources": plan.sources,
            "endpoints": [
                {"method": e.method, "path": e.path, "source": e.source} for e in self.endpoints
            ],
            "resources": {
                name: {
                    "path": r.path,
                    "id": r.id,
                    "owner": r.owner,
                    "endpoints": self.resources.get(name, []),
                    "fields": {f: s.type for f, s in r.fields.items()},
                }
                for name, r in plan.resources.items()
            },
            "auth": {
                "mode": plan.auth.mode,
                "secret_env": plan.auth.secret_env,
                "user_id_claim": plan.auth.user_id_claim,
                "user_id_type": plan.auth.user_id_type,
                "user_id_in_path": any(r.path_has_user_id for r in plan.resources.values()),
                "source": plan.auth.source,
            },
            "errors": plan.errors.model_dump(),
            "conflicts": [c.model_dump(exclude_none=True) for c in plan.conflicts],
            "unresolved": [u.model_dump(exclude_none=True) for u in plan.unresolved],
            "warnings": self.warnings,
        }


def _load(sources: Sources, path: Path, warnings: list[str], *, required: bool) -> Doc | None:
    try:
        return load_markdown(path, sources.rel(path))
    except SpecError as exc:
        if required:
            raise
        warnings.append(f"{exc} (skipped)")
        return None


def _unsecured(text: str) -> bool:
    """An OpenAPI document with no securitySchemes and no `security` anywhere."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict):
        return False

    def has_security(node: object) -> bool:
        if isinstance(node, dict):
            return any(
                k in ("security", "securitySchemes") or has_security(v) for k, v in node.items()
            )
        if isinstance(node, list):
            return any(has_security(v) for v in node)
        return False

    return not has_security(data)


def _prisma_file(sources: Sources, path: Path, warnings: list[str]) -> list[TableFacts]:
    rel = sources.rel(path)
    try:
        text = read_text(path, rel)
    except SpecError as exc:
        warnings.append(f"{exc} (skipped)")
        return []
    return read_prisma(text, lambda n: f"{rel}:{n}", RANK_SCHEMA)


def gather(root: Path, feature: str, *, everything: bool = False) -> GatherResult:
    sources = locate(root, feature)
    warnings: list[str] = []
    if len(sources.speckit_candidates) > 1:
        warnings.append(
            f"several Spec-Kit folders fit {feature!r}: "
            + ", ".join(sources.speckit_candidates)
            + f"; read {sources.speckit_candidates[0]} (pass its full name to choose another)"
        )
    contract_rel = sources.rel(sources.contract)
    endpoints: list[Endpoint] = []
    models: list[TableFacts] = []
    dotted: list[tuple[str, FieldFact]] = []
    prose: list[FieldFact] = []
    signals = auth_reader.Signals()
    contract_text = ""
    conventions = Conventions()
    base_notes: list[tuple[str, str | None, str]] = []
    base_conflicts: list[Conflict] = []
    if sources.contract.suffix == ".md":
        doc = _load(sources, sources.contract, warnings, required=True)
        assert doc is not None
        warnings.extend(doc.warnings)
        contract_text = doc.text
        endpoints = find_endpoints(doc, RANK_CONTRACT)
        conventions = read_conventions(doc)
        base_notes, base_conflicts = _serve_under_base(doc, endpoints)
        skip = {
            int(e.source.rsplit(":", 1)[1])
            for e in endpoints
            if e.source.rsplit(":", 1)[-1].isdigit()
        }
        models += models_from_doc(doc, RANK_CONTRACT, strict=True, skip=skip)
        auth_reader.scan(doc, RANK_CONTRACT, signals)
    if sources.openapi is not None:
        try:
            eps, oa_models = openapi_endpoints(
                sources.openapi, sources.rel(sources.openapi), RANK_CONTRACT
            )
        except SpecError as exc:
            if sources.openapi == sources.contract:
                raise
            warnings.append(f"{exc} (skipped)")
            eps, oa_models = [], []
        if sources.openapi != sources.contract and endpoints and eps:
            # A companion OpenAPI file that names none of the contract's collections describes
            # another feature (a chat API in another Spec-Kit folder): it does not add to this one.
            ours = {split(e.path)[0] for e in endpoints}
            if not any(split(e.path)[0] in ours for e in eps):
                warnings.append(
                    f"{sources.rel(sources.openapi)}: none of its paths is a collection of "
                    f"{contract_rel}; taken for another feature's API (skipped)"
                )
                eps, oa_models = [], []
                sources.openapi = None
        endpoints += eps
        models += oa_models
        # The error envelope its failure answers' schemas or examples show.
        for ep in eps:
            for body, where in ep.error_examples:
                kind = auth_reader.error_envelope(body)
                if kind is not None:
                    signals.envelope.append(Value(kind, where, RANK_CONTRACT, 0))
        # The document's own words (its descriptions) state auth facts too: "HS256", "the `sub`
        # claim", the secret's variable. Read line by line, like any contract text.
        oa_doc = (
            _load(sources, sources.openapi, warnings, required=False) if sources.openapi else None
        )
        if oa_doc is not None:
            auth_reader.scan(oa_doc, RANK_CONTRACT, signals)
            if _unsecured(oa_doc.text):
                signals.unsecured.append(Value("none", oa_doc.at(1), RANK_CONTRACT, 0))
    contract_eps = fold(endpoints)
    if not contract_eps:
        raise SpecError(
            f"{contract_rel}: no endpoints found; write them as `## GET /path` "
            "headings, `**GET** `/path`` lines or a | Method | Path | table"
        )
    other_eps: list[Endpoint] = []
    for path in sources.other_contracts:
        doc = _load(sources, path, warnings, required=False)
        if doc is None:
            continue
        warnings.extend(doc.warnings)
        other_eps += find_endpoints(doc, RANK_OTHER_API)
        auth_reader.scan(doc, RANK_OTHER_API, signals)
    all_eps = fold(contract_eps + other_eps)
    other_folded = [e for e in all_eps if e.rank != RANK_CONTRACT]
    for path in sources.schemas:
        if path.suffix == ".prisma":
            models += _prisma_file(sources, path, warnings)
            continue
        doc = _load(sources, path, warnings, required=False)
        if doc is not None:
            warnings.extend(doc.warnings)
            models += models_from_doc(doc, RANK_SCHEMA)
            dotted += dotted_facts(doc, RANK_SCHEMA)
            auth_reader.scan(doc, RANK_SCHEMA, signals)
    for path in [
        *sources.feature_docs,
        *([sources.architecture] if sources.architecture else []),
        *sources.auth_docs,
    ]:
        doc = _load(sources, path, warnings, required=False)
        if doc is not None:
            if path in sources.feature_docs:
                prose += prose_fields(doc, RANK_PROSE)
            auth_reader.scan(doc, RANK_PROSE, signals)
    if sources.claude is not None:
        doc = _load(sources, sources.claude, warnings, required=False)
        if doc is not None:
            auth_reader.scan(doc, RANK_CLAUDE, signals)
    for ep in all_eps:
        # A route that itself needs a bearer token does not issue this backend's tokens (it
        # hands out another service's, e.g. POST /api/chatkit/token).
        if ep.method == "POST" and _LOCAL_AUTH.search(ep.path) and not _NEEDS_TOKEN.search(ep.text):
            signals.local_endpoints.append(Value("local", ep.source, ep.rank, 0))
    inputs = Inputs(
        feature=feature,
        sources=sources.roles(),
        contract_rel=contract_rel,
        endpoints=contract_eps,
        other_endpoints=other_folded,
        groups=group(contract_eps),
        models=models,
        dotted=dotted,
        prose=prose,
        signals=signals,
        contract_text=contract_text,
        conventions=conventions,
        notes=base_notes,
        conflicts=base_conflicts,
        everything=everything,
    )
    try:
        built = build_plan(inputs)
    except ValueError as exc:
        raise SpecError(f"{contract_rel}: {exc}") from None
    return GatherResult(sources, built.plan, all_eps, built.resources, warnings)


def _serve_under_base(
    doc: Doc, endpoints: list[Endpoint]
) -> tuple[list[tuple[str, str | None, str]], list[Conflict]]:
    """Prefix the endpoints with the base path the contract states once; two different bases
    are a conflict (the first stated wins) and are said for review."""
    bases = [b for b in stated_bases(doc.text.splitlines(), doc.rel) if b.path]
    if not bases:
        return [], []
    first = bases[0]
    apply_base(endpoints, first.path)
    notes = [
        (
            f"every endpoint is served under the base path {first.path!r} the contract states",
            first.source,
            "prefixed to each path that does not already start with it",
        )
    ]
    conflicts = []
    for other in bases[1:]:
        if other.path != first.path:
            conflicts.append(
                Conflict(
                    what="base path of every endpoint",
                    winner=first.source,
                    loser=other.source,
                    chosen=first.path,
                    overruled=other.path,
                )
            )
            notes.append(
                (
                    f"two base paths are stated: {first.path!r} and {other.path!r}",
                    other.source,
                    f"the first, {first.path!r}, is used; correct the paths if it is not",
                )
            )
    return notes, conflicts


__all__ = ["GatherResult", "gather"]
