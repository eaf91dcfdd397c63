"""The contract against the app's OpenAPI: every endpoint served with the contract's method and
path, its success status, the error statuses it names, and the field names it shows."""

from __future__ import annotations

from typing import Any

from sp_backend.check.app_openapi import operation_schemas
from sp_backend.check.contract import Promise
from sp_backend.check.report import CheckReport, Mismatch
from sp_backend.readers.facts import endpoint_key

METHODS = ("get", "post", "put", "patch", "delete")
# Answered by the app's middleware and error handlers on every route, whatever the OpenAPI
# lists: 405 (with Allow), 413 (body too large), 500 (unexpected, no internals), 503 (database).
PLATFORM_STATUSES = {405, 413, 500, 503}
PUBLIC_PATHS = {"/health"}


def app_operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """endpoint key -> (method, path, operation) for every operation the app serves."""
    out = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method in METHODS:
                out[endpoint_key(method, path)] = (method.upper(), path, op)
    return out


def _near(promise: Promise, served: dict[str, tuple[str, str, dict[str, Any]]]) -> str | None:
    """A served path with the same method and shape that differs in one segment."""
    want = promise.path.strip("/").split("/")
    for method, path, _ in served.values():
        have = path.strip("/").split("/")
        if method == promise.method and len(have) == len(want):
            differ = [
                a
                for a, b in zip(want, have, strict=False)
                if a != b and not (a.startswith("{") and b.startswith("{"))
            ]
            if len(differ) == 1:
                return path
    return None


def compare(
    promises: list[Promise],
    doc: dict[str, Any],
    report: CheckReport,
    left_out: dict[str, str] | None = None,
) -> None:
    """left_out: contract lines ({file:line: why}) the plan's unresolved list says were not
    generated on purpose; their absence is a note, not a mismatch."""
    served = app_operations(doc)
    seen: set[str] = set()
    for promise in promises:
        report.checked += 1
        label = f"{promise.method} {promise.path}"
        found = served.get(promise.key)
        if found is None and promise.source in (left_out or {}):
            report.notes.append(
                f"{label}: not generated, as the plan says: {left_out[promise.source]}"
            )
            continue
        if found is None:
            near = _near(promise, served)
            hint = f"; the app serves {promise.method} {near} (path renamed?)" if near else ""
            report.mismatches.append(
                Mismatch(promise.source, label, "missing-endpoint", f"not served by the app{hint}")
            )
            continue
        seen.add(promise.key)
        _statuses(promise, label, found[2], report)
        _fields(promise, label, doc, found[2], report)
    for key, (method, path, _) in served.items():
        if key not in seen and path not in PUBLIC_PATHS:
            report.notes.append(f"{method} {path}: served but not in the contract")


def _statuses(promise: Promise, label: str, op: dict[str, Any], report: CheckReport) -> None:
    documented = {int(c) for c in op.get("responses", {}) if str(c).isdigit()}
    success = {c for c in documented if 200 <= c < 300}
    wanted = {c for c in promise.statuses if 200 <= c < 300}
    if wanted and not wanted & success:
        report.mismatches.append(
            Mismatch(
                promise.source,
                label,
                "success-status",
                f"the contract answers {_codes(wanted)}, the app {_codes(success)}",
            )
        )
    for code in sorted(c for c in promise.statuses if c >= 300):
        if code not in documented and code not in PLATFORM_STATUSES:
            report.mismatches.append(
                Mismatch(
                    promise.source,
                    label,
                    "error-status",
                    f"the contract names {code} ({promise.statuses[code][:60]}); the app's "
                    f"OpenAPI lists {_codes(documented)}",
                )
            )


def _fields(
    promise: Promise, label: str, doc: dict[str, Any], op: dict[str, Any], report: CheckReport
) -> None:
    request, response = operation_schemas(doc, op)
    if promise.method in ("POST", "PUT", "PATCH") and request:
        for name, source in promise.body_fields.items():
            if name not in request:
                report.mismatches.append(
                    Mismatch(
                        source,
                        label,
                        "request-field",
                        f"request field {name!r} is not accepted by the app",
                    )
                )
    if response:
        for name, source in promise.response_fields.items():
            if name not in response:
                report.mismatches.append(
                    Mismatch(
                        source,
                        label,
                        "response-field",
                        f"response field {name!r} is not in the app's response",
                    )
                )


def _codes(codes: set[int]) -> str:
    return ", ".join(str(c) for c in sorted(codes)) or "none"
