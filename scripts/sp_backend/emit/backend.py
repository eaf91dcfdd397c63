"""Emit one feature's backend: load every plan, render, and write safely."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sp_backend.emit.context import build_project
from sp_backend.emit.render import render_backend
from sp_backend.emit.writer import Manifest, WriteReport, write_files
from sp_backend.errors import PlanError
from sp_backend.plan.load import PLAN_SUFFIX, load_plan, plan_path, plans_dir
from sp_backend.plan.model import BackendPlan

MANIFEST = ".sp-backend/manifest.json"


@dataclass
class EmitResult:
    feature: str
    report: WriteReport
    features: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"feature": self.feature, "features": self.features, **self.report.to_json()}


def load_project_plans(
    root: Path, feature: str, plan_file: Path | None = None
) -> list[BackendPlan]:
    """The current feature's plan first, then every other plan of the project."""
    current_path = plan_file or plan_path(root, feature)
    current = load_plan(current_path)
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
            plan = load_plan(path)
            if plan.feature != feature:
                others.append(plan)
    return [current, *others]


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


def emit(
    root: Path,
    feature: str,
    *,
    out: Path | None = None,
    with_tests: bool = False,
    dry_run: bool = False,
    force: bool = False,
    plan_file: Path | None = None,
) -> EmitResult:
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
    files = render_backend(
        view, feature=feature, migration=migration_info(order, feature), with_tests=with_tests
    )
    report = write_files(
        out_dir,
        files,
        manifest_path=manifest_path,
        force=force,
        dry_run=dry_run,
        state={**state, "features": order},
        create_once=files.create_once,
    )
    return EmitResult(feature, report, order)
