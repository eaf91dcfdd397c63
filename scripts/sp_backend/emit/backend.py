"""Emit one feature's backend: load every plan, render, and write safely."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sp_backend.emit.context import ProjectView, build_project
from sp_backend.emit.migrations import SNAPSHOT, Migrations, plan_migrations
from sp_backend.emit.operations import pending
from sp_backend.emit.render import render_backend
from sp_backend.emit.writer import Manifest, WriteReport, write_files
from sp_backend.errors import PlanError
from sp_backend.plan.load import PLAN_SUFFIX, cite, load_plan, plan_path, plans_dir
from sp_backend.plan.model import BackendPlan

MANIFEST = ".sp-backend/manifest.json"


@dataclass
class EmitResult:
    feature: str
    report: WriteReport
    features: list[str]
    migrations: Migrations | None = None
    # Custom operations whose handler still answers 501 (emit/operations.py: pending).
    to_implement: list[dict[str, Any]] = field(default_factory=list)
    # What the person emitting must not miss (an API open to anyone, ...).
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = {"feature": self.feature, "features": self.features, **self.report.to_json()}
        data["to_implement"] = self.to_implement
        data["warnings"] = self.warnings
        if self.migrations is not None:
            data["migrations"] = self.migrations.to_json()
        return data


def load_project_plans(
    root: Path, feature: str, plan_file: Path | None = None
) -> list[BackendPlan]:
    """The current feature's plan first, then every other plan of the project."""
    current_path = plan_file or plan_path(root, feature)
    current = _load_cited(root, current_path)
    if current.feature != feature:
        raise PlanError(
            f"{current_path}: feature: the plan is for {current.feature!r}, not {feature!r}"
        )
    others = []
    folder = plans_dir(root)
    if folder.is_dir():
        for path in sorted(folder.glob(f"*{PLAN_SUFFIX}")):
            if path.resolve() == current_path.resolve():
                continue
            plan = _load_cited(root, path)
            if plan.feature != feature:
                others.append(plan)
    return [current, *others]


def _load_cited(root: Path, path: Path) -> BackendPlan:
    """A plan whose keys are cited relative to the project root (specs/backend/x.plan.yaml:9),
    as messages and the manifest name them."""
    plan = load_plan(path)
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return plan
    plan._origin = replace(plan._origin, path=shown)
    return plan


def migration_info(features_in_order: list[str], feature: str) -> dict[str, Any]:
    """Each feature gets one revision, chained in the order features were first emitted."""
    index = features_in_order.index(feature)

    def revision(name: str) -> str:
        return f"{features_in_order.index(name) + 1:04d}_{name.replace('-', '_')}"

    return {
        "feature": feature,
        "revision": revision(feature),
        "down_revision": revision(features_in_order[index - 1]) if index else None,
        "file_stem": revision(feature),
    }


# Merged settings that shape the files of each feature (its models, schemas, services, routers,
# tests and migration), not only the project-wide files every emit writes again. Once features
# are emitted with a value, another value would leave their files disagreeing with the new ones.
FEATURE_SETTINGS = (
    "auth.user_id_type",
    "auth.path_mismatch_status",
    "errors.not_owner_status",
    "errors.validation_status",
)


@dataclass
class Prepared:
    """Everything an emit decides before it renders: checked against the plans and the backend."""

    view: ProjectView
    order: list[str]  # features in this backend, in the order they were first emitted
    state: dict[str, Any]
    out_dir: Path
    manifest_path: Path


def decided_settings(view: ProjectView) -> dict[str, dict[str, str | int]]:
    """What the manifest records: each feature-shaping setting, and where a plan stated it."""
    decided = {"auth": view.auth, "errors": view.errors}
    out: dict[str, dict[str, str | int]] = {}
    for key in FEATURE_SETTINGS:
        part, name = key.split(".")
        out[key] = {"value": getattr(decided[part], name), "source": view.stated.get(key, "")}
    return out


def prepare(
    root: Path, feature: str, *, out: Path | None = None, plan_file: Path | None = None
) -> Prepared:
    """Load every plan, merge their settings and check them against what the backend in `out`
    was emitted with; raise PlanError, before anything is written, where they cannot combine."""
    plans = load_project_plans(root, feature, plan_file)
    out_dir = out or root / "backend"
    manifest_path = out_dir / MANIFEST
    state = Manifest.load(manifest_path).state
    order = [f for f in state.get("features", []) if isinstance(f, str)]
    if feature not in order:
        order.append(feature)
    # Features emitted before whose plan has since been removed stay registered only if their
    # plan exists; otherwise their routers would be dropped from main.py silently.
    known = {p.feature for p in plans}
    missing = [f for f in order if f not in known]
    if missing:
        raise PlanError(
            f"{plans_dir(root)}: feature(s) {', '.join(missing)} were emitted into "
            f"{out_dir} but their plan is gone; restore it or remove the feature "
            "from the backend by hand (and from the manifest's state.features)"
        )
    view = build_project(plans, feature, order)
    _check_emitted_settings(view, plans, state, order, out_dir)
    return Prepared(view, order, state, out_dir, manifest_path)


def _check_emitted_settings(
    view: ProjectView,
    plans: list[BackendPlan],
    state: dict[str, Any],
    order: list[str],
    out_dir: Path,
) -> None:
    """Refuse a feature-shaping setting that differs from the one the other features already in
    the backend were emitted with: their files are not written again, so they would disagree
    (a users.id column of one type in the migration and another in the model)."""
    recorded = state.get("settings")
    others = [f for f in order if f != view.current_feature]
    by_feature = {p.feature: p for p in plans}
    if not isinstance(recorded, dict) or not others:
        return
    problems = []
    for key, now in decided_settings(view).items():
        before = recorded.get(key)
        if not isinstance(before, dict) or before.get("value") == now["value"]:
            continue
        was = before.get("source") or (
            "the default: " + ", ".join(cite(by_feature[f], key) for f in others) + " stated none"
        )
        is_now = now["source"] or "the default: no plan states it"
        problems.append(
            f"{key} was {before.get('value')!r} when {', '.join(others)} "
            f"{'was' if len(others) == 1 else 'were'} emitted ({was}); the plans now decide "
            f"{now['value']!r} ({is_now})"
        )
    if not problems:
        return
    migrations = ", ".join(
        f"migrations/versions/{migration_info(order, f)['file_stem']}.py" for f in others
    )
    raise PlanError(
        f"{out_dir}: "
        + "; ".join(problems)
        + f". The files already emitted for {', '.join(others)} ({migrations}, their models, "
        "schemas and tests) are not written again and would disagree with the files emitted "
        "now, so emit refuses and nothing is written. Make the plans decide what was emitted "
        "(state the earlier value in the plan named), or, while no database has applied these "
        "migrations, emit every feature again into a fresh --out folder."
    )


def emit(
    root: Path,
    feature: str,
    *,
    out: Path | None = None,
    with_tests: bool = False,
    dry_run: bool = False,
    force: bool = False,
    plan_file: Path | None = None,
    allow_destructive: bool = False,
) -> EmitResult:
    """`allow_destructive`: let the next revision drop columns or tables the plan no longer has
    (otherwise emit refuses, before writing anything, naming what would be lost)."""
    ready = prepare(root, feature, out=out, plan_file=plan_file)
    order = ready.order
    emitted = [f for f in ready.state.get("features", []) if isinstance(f, str)]
    migrations = plan_migrations(
        ready.view, emitted, ready.out_dir, allow_destructive=allow_destructive
    )
    files = render_backend(
        ready.view, feature=feature, revisions=migrations.revisions, with_tests=with_tests
    )
    files[SNAPSHOT] = migrations.snapshot
    report = write_files(
        ready.out_dir,
        files,
        manifest_path=ready.manifest_path,
        force=force,
        dry_run=dry_run,
        state={**ready.state, "features": order, "settings": decided_settings(ready.view)},
        create_once=files.create_once,
    )
    to_implement = pending(ready.out_dir, ready.view.resources)
    return EmitResult(feature, report, order, migrations, to_implement, warnings(ready.view))


def warnings(view: ProjectView) -> list[str]:
    """Loud notes for the emit summary."""
    if not view.open:
        return []
    where = view.stated.get("auth.mode", "the plan")
    return [
        f"NO AUTHENTICATION: auth.mode is 'none' ({where}); every route of this API is open to "
        "anyone who can reach it, with no accounts and no per-user rows. Serve it on 127.0.0.1 "
        'or a private network only (backend/README.md, "Running it safely"), or choose a token '
        "mode in the plan."
    ]
