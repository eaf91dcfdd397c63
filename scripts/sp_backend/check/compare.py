"""The contract, as it reads literally, against the app's OpenAPI: every endpoint served with the
contract's method and path; its success status and every status its section names; the query
parameters and body fields it names, with the bounds it states; and every JSON example, key by
key and type by type, against the app's request and response schemas."""

from __future__ import annotations

from typing import Any

from sp_backend.check.app_openapi import resolve
from sp_backend.check.literal import Promise
from sp_backend.check.report import CheckReport, Mismatch
from sp_backend.check.shapes import _branches, against_schema

METHODS = ("get", "post", "put", "patch", "delete")
# Answered by the app's middleware and error handlers on every route, whatever the OpenAPI
# lists: 405 (with Allow), 413 (body too large), 500 (unexpected, no internals), 503 (database).
PLATFORM_STATUSES = {405, 413, 431, 500, 503}
PUBLIC_PATHS = {"/health", "/ready"}


def endpoint_key(method: str, path: str) -> str:
    import re

    norm = re.sub(r"\{(?!user_id\})[^}]*\}", "{}", path.rstrip("/") or "/")
    return f"{method.upper()} {norm}"


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
    """left_out: contract lines ({file:line: why}) the plan says were not generated on purpose
    (unresolved with resolution LEFT_OUT, or ignored); their absence is a note, not a mismatch."""
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
        op = found[2]
        _statuses(promise, label, op, report)
        _fields(promise, label, doc, op, report)
        _query(promise, label, op, report)
        _bounds(promise, label, doc, op, report)
        _examples(promise, label, doc, op, report)
    for key, (method, path, _) in served.items():
        if key not in seen and path not in PUBLIC_PATHS:
            report.notes.append(f"{method} {path}: served but not in the contract")


def _statuses(promise: Promise, label: str, op: dict[str, Any], report: CheckReport) -> None:
    documented = {int(c) for c in op.get("responses", {}) if str(c).isdigit()}
    success = {c for c in documented if 200 <= c < 300}
    wanted = {c for c in promise.statuses if 200 <= c < 300}
    if wanted and not wanted & success:
        first = min(wanted, key=lambda c: _line(promise.status_sources.get(c, promise.source)))
        report.mismatches.append(
            Mismatch(
                promise.status_sources.get(first, promise.source),
                label,
                "success-status",
                f"the contract answers {_codes(wanted)}, the app {_codes(success)}",
            )
        )
    for code in sorted(c for c in promise.statuses if c >= 300):
        if code not in documented and code not in PLATFORM_STATUSES:
            report.mismatches.append(
                Mismatch(
                    promise.status_sources.get(code, promise.source),
                    label,
                    "error-status",
                    f"the contract names {code} ({promise.statuses[code][:60]}); the app's "
                    f"OpenAPI lists {_codes(documented)}",
                )
            )


def request_schema(op: dict[str, Any]) -> Any:
    return op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")


def response_schema(op: dict[str, Any], status: int | None) -> tuple[int | None, Any]:
    responses = op.get("responses", {})
    if status is None:
        codes = sorted(int(c) for c in responses if str(c).isdigit() and str(c).startswith("2"))
        status = codes[0] if codes else None
    answer = responses.get(str(status)) if status is not None else None
    if answer is None:
        return status, None
    return status, answer.get("content", {}).get("application/json", {}).get("schema", False)


def _properties(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in _branches(doc, schema):
        out.update(b.get("properties", {}))
        items = b.get("items")
        if items is not None:
            out.update(_properties(doc, items))
    return out


def _all_names(doc: dict[str, Any], schema: Any, depth: int = 0) -> set[str]:
    names: set[str] = set()
    if depth > 5:
        return names
    for name, child in _properties(doc, schema).items():
        names.add(name)
        names |= _all_names(doc, child, depth + 1)
    return names


def _fields(
    promise: Promise, label: str, doc: dict[str, Any], op: dict[str, Any], report: CheckReport
) -> None:
    request = set(_properties(doc, request_schema(op)))
    if promise.method in ("POST", "PUT", "PATCH") and request:
        for name, source in promise.body_fields.items():
            if name not in request:
                report.mismatches.append(
                    Mismatch(
                        source,
                        label,
                        "request-field",
                        f"request field {name!r} is not accepted by the app (it takes "
                        f"{', '.join(sorted(request))})",
                    )
                )
        named = set(promise.body_fields) | {
            k
            for e in promise.examples
            if e.role == "request" and isinstance(e.value, dict)
            for k in e.value
        }
        if promise.body_fields:
            for b in _branches(doc, request_schema(op)):
                for name in b.get("required", []):
                    if name not in named:
                        report.mismatches.append(
                            Mismatch(
                                promise.source,
                                label,
                                "undocumented-required",
                                f"the app requires body field {name!r}, which the contract "
                                "does not name",
                            )
                        )
    _, schema = response_schema(op, None)
    response = _all_names(doc, schema) if schema else set()
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


def _query(promise: Promise, label: str, op: dict[str, Any], report: CheckReport) -> None:
    params = op.get("parameters", [])
    accepted = {p["name"] for p in params if p.get("in") == "query"}
    for name, param in promise.query.items():
        if name not in accepted:
            report.mismatches.append(
                Mismatch(
                    param.source,
                    label,
                    "query-parameter",
                    f"query parameter {name!r} is not accepted by the app (it takes "
                    f"{', '.join(sorted(accepted)) or 'none'})",
                )
            )
    for p in params:
        if p.get("in") == "query" and p.get("required") and p["name"] not in promise.query:
            report.mismatches.append(
                Mismatch(
                    promise.source,
                    label,
                    "undocumented-required",
                    f"the app requires query parameter {p['name']!r}, which the contract "
                    "does not name",
                )
            )


def _bounds(
    promise: Promise, label: str, doc: dict[str, Any], op: dict[str, Any], report: CheckReport
) -> None:
    body = _properties(doc, request_schema(op))
    query = {p["name"]: p.get("schema", {}) for p in op.get("parameters", [])}
    for param in promise.params:
        if not param.bounds:
            continue
        schema = body.get(param.name) if param.where == "body" else None
        if param.where == "query":
            schema = query.get(param.name)
        if schema is None:
            continue  # a missing name is reported on its own
        have = _schema_bounds(doc, schema)
        for key, want in param.bounds.items():
            got = have.get(key)
            same = sorted(got) == sorted(want) if key == "enum" and got else got == want
            if not same:
                report.mismatches.append(
                    Mismatch(
                        param.source,
                        label,
                        "constraint",
                        f"{param.name}: the contract says {key} {_show(want)}, the app "
                        f"{'has ' + _show(got) if got is not None else 'does not enforce it'}",
                    )
                )


def _schema_bounds(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in _branches(doc, schema):
        if b.get("type") == "null":
            continue
        for key in ("minLength", "maxLength", "maxItems", "minimum", "maximum", "enum"):
            if key in b:
                out.setdefault(key, b[key])
        items = resolve(doc, b.get("items"))
        if isinstance(items, dict):
            for ib in _branches(doc, items):
                if "enum" in ib:
                    out.setdefault("enum", ib["enum"])
    return out


def _examples(
    promise: Promise, label: str, doc: dict[str, Any], op: dict[str, Any], report: CheckReport
) -> None:
    for example in promise.examples:
        if example.role == "request":
            schema = request_schema(op)
            if schema is None:
                if promise.method in ("POST", "PUT", "PATCH"):
                    report.mismatches.append(
                        Mismatch(
                            example.source,
                            label,
                            "request-shape",
                            "the contract shows a request body; the app takes none",
                        )
                    )
                continue
            problems = against_schema(doc, example.value, schema, request=True)
            kind = "request-shape"
        else:
            status = example.status
            if status == -1:
                status = next(
                    (int(c) for c in op.get("responses", {}) if str(c).startswith("4")), None
                )
            code, schema = response_schema(op, status)
            if code is None or schema is None:
                continue  # the status itself is reported by _statuses
            if schema is False:
                report.mismatches.append(
                    Mismatch(
                        example.source,
                        label,
                        "response-shape",
                        f"the contract shows a body for {code}; the app's {code} has none",
                    )
                )
                continue
            problems = against_schema(doc, example.value, schema, request=False)
            kind = "response-shape"
        for problem in problems[:6]:
            report.mismatches.append(Mismatch(example.source, label, kind, problem))


def _show(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _line(source: str) -> int:
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _codes(codes: set[int]) -> str:
    return ", ".join(str(c) for c in sorted(codes)) or "none"
