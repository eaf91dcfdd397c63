"""The whole check: read the contract, compare with the app's OpenAPI, probe a running server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sp_backend.check.app_facts import app_facts
from sp_backend.check.app_openapi import load_app_openapi
from sp_backend.check.compare import PLATFORM_STATUSES, app_operations, compare
from sp_backend.check.contract import read_contract
from sp_backend.check.coverage import coverage
from sp_backend.check.live import Prober, drive, probe
from sp_backend.check.report import CheckReport
from sp_backend.plan.load import load_plan, plan_path
from sp_backend.plan.model import LEFT_OUT, BackendPlan

SAMPLE_USER = {
    "int": "1001",
    "uuid": "00000000-0000-4000-8000-00000000c0de",
    "str": "sp-backend-check-user",
}


def _left_out(root: Path, feature: str, plan_file: Path | None) -> dict[str, str]:
    """Contract lines the reviewed plan explicitly left out ({source: why}); a missing plan
    excuses nothing."""
    path = plan_file or plan_path(root, feature)
    if not path.exists():
        return {}
    plan = load_plan(path)
    out = {u.source: u.what for u in plan.unresolved if u.source and u.resolution == LEFT_OUT}
    out.update({i.source: i.reason for i in getattr(plan, "ignored", [])})
    return out


def check(
    root: Path,
    feature: str,
    *,
    backend: Path | None = None,
    url: str | None = None,
    token: str | None = None,
    plan_file: Path | None = None,
) -> CheckReport:
    backend = backend or root / "backend"
    contract, promises = read_contract(root, feature)
    report = CheckReport(contract=contract, backend=str(backend), url=url)
    doc = load_app_openapi(backend)
    left_out = _left_out(root, feature, plan_file)
    compare(promises, doc, report, left_out)
    path = plan_file or plan_path(root, feature)
    if path.exists():
        reviewed = load_plan(path)
        files = [contract] + [v for k, v in reviewed.sources.items() if k == "schema"]
        before = len(report.mismatches)
        answered = set(PLATFORM_STATUSES)
        for _, _, op in app_operations(doc).values():
            answered |= {int(c) for c in op.get("responses", {}) if str(c).isdigit()}
        coverage(
            root,
            reviewed,
            promises,
            report,
            list(dict.fromkeys(files)),
            answered,
            app_facts(backend, doc),
        )
        report.mismatches[before:] = [
            m for m in report.mismatches[before:] if m.source not in left_out
        ]
    else:
        report.notes.append(f"{path}: no plan, so the contract's coverage was not checked")
    if url:
        plan = load_plan(plan_file or plan_path(root, feature))
        user_id = SAMPLE_USER[plan.auth.user_id_type]
        token = token or _devtoken(backend, plan, user_id, report)
        if token:
            user_id = _subject(token) or user_id
        prober = Prober(url, token, user_id, plan, report)
        served = app_operations(doc)
        drive(prober, promises, set(served))
        for promise in promises:
            if promise.key in served:  # a missing endpoint is reported already
                probe(prober, promise)
    return report


def _devtoken(backend: Path, plan: BackendPlan, user_id: str, report: CheckReport) -> str | None:
    """A token from the backend's own `python -m app.devtoken` (development only); none for a
    backend without authentication (auth.mode none: it has no devtoken and needs no token)."""
    if plan.auth.mode == "none":
        return None
    result = subprocess.run(
        [sys.executable, "-m", "app.devtoken", user_id],
        cwd=backend,
        # the development key only under ENVIRONMENT=development (what the local server runs)
        env={"ENVIRONMENT": "development", **os.environ, "PYTHONPATH": str(backend)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        report.notes.append(
            "no token (pass --token; `python -m app.devtoken` said: "
            f"{result.stderr.strip()[:120]}): authenticated statuses not probed"
        )
        return None
    return result.stdout.strip()


def _subject(token: str) -> str | None:
    import base64
    import json

    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    value = claims.get("sub") if isinstance(claims, dict) else None
    return str(value) if value is not None else None
