"""The contract against a running server: one request per status the contract documents, where
one can be provoked safely (401 without a token, 404 for an id nobody has, the validation status
for an unknown body key, 403 for another user's path, 409 by creating a unique value twice, the
success status with a valid body built from the plan). Rows it creates are its own."""

from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from sp_backend.check.contract import Promise
from sp_backend.check.report import CheckReport, Mismatch
from sp_backend.emit.fields import _valid_values
from sp_backend.emit.samples import distinct_values
from sp_backend.plan.model import ID_RANDOM_LENGTH, BackendPlan, FieldSpec, Resource
from sp_backend.readers.facts import endpoint_key

OTHER_USER = {
    "int": "987654321",
    "uuid": "00000000-0000-4000-8000-00000000beef",
    "str": "sp-backend-check-other-user",
}


@dataclass
class Target:
    resource: Resource
    role: str  # collection | item | action
    action: str | None = None


def _targets(plan: BackendPlan) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for resource in plan.resources.values():
        base, ops = resource.path, resource.operations
        for method in ("GET", "POST"):
            out[endpoint_key(method, base)] = Target(resource, "collection")
        for method in ("GET", "PATCH", "PUT", "DELETE"):
            out[endpoint_key(method, f"{base}/{{id}}")] = Target(resource, "item")
        for name, action in ops.actions.items():
            out[endpoint_key(action.method, base + action.path)] = Target(resource, "action", name)
    return out


class Prober:
    def __init__(
        self, url: str, token: str | None, user_id: str, plan: BackendPlan, report: CheckReport
    ) -> None:
        self.url, self.token, self.user_id = url.rstrip("/"), token, user_id
        self.plan, self.report = plan, report

    @property
    def can_call(self) -> bool:
        """Calls that need a caller can be made: with a token, or to an API without
        authentication (auth.mode none), which needs none."""
        return bool(self.token) or self.plan.auth.mode == "none"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        auth: bool = True,
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth and self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        self.report.probes += 1
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                status, text = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    def concrete(self, path: str, user_id: str | None = None) -> str:
        return path.replace("{user_id}", user_id or self.user_id)

    def valid_body(self, resource: Resource, *, unique: bool = False) -> dict[str, Any]:
        """A valid body; optional unique fields left out unless asked, so creates never clash."""
        body = {}
        for name, spec in resource.fields.items():
            if spec.read_only or (spec.unique and not spec.required and not unique):
                continue
            value = _valid_values(spec, name)[0]
            if spec.unique and isinstance(value, str) and not spec.pattern:
                value = value[: max((spec.max_length or 40) - 9, 1)] + "-" + uuid.uuid4().hex[:8]
            body[name] = value
        if resource.id_given is not None:
            # The client gives the id: a new one per row, so creates never clash.
            ids = _given_ids(resource)[:-1]
            body = {"id": ids[next(_GIVEN_COUNTER) % len(ids)], **body}
        return body

    def create(self, resource: Resource) -> Any:
        status, data = self.request("POST", self.concrete(resource.path), self.valid_body(resource))
        return data.get("id") if status < 300 and isinstance(data, dict) else None

    def missing_id(self, resource: Resource) -> str:
        if resource.id_given is not None:
            # Well formed by the contract's pattern, and past the ids the probes give rows.
            return _given_ids(resource)[-1]
        if resource.id == "str":
            # Well formed (the prefix, then the random part's length), so the answer is a 404.
            return (resource.id_prefix or "") + "0" * ID_RANDOM_LENGTH
        return str(uuid.uuid4()) if resource.id == "uuid" else "2147483646"


_GIVEN_COUNTER = itertools.count()


def _given_ids(resource: Resource) -> list[str]:
    """Distinct ids a client may give rows of `resource` (id_given), by its pattern."""
    given = resource.id_given
    assert given is not None and given.pattern is not None
    spec = FieldSpec(type="str", pattern=given.pattern, max_length=given.max_length)
    first = given.example or _valid_values(spec, "id")[0]
    return [str(v) for v in distinct_values(spec, first, 40)]


def probe(prober: Prober, promise: Promise) -> None:
    target = _targets(prober.plan).get(promise.key)
    label = f"{promise.method} {promise.path}"
    for code in sorted(promise.statuses):
        outcome = _one(prober, promise, target, code)
        if outcome is None:
            prober.report.notes.append(f"{promise.source}: {label}: {code} not probed")
        elif outcome != code:
            prober.report.mismatches.append(
                Mismatch(
                    promise.source,
                    label,
                    "live-status",
                    f"asked for {code} ({promise.statuses[code][:50]}), the server answered "
                    f"{outcome}",
                )
            )


def _path(
    prober: Prober, promise: Promise, target: Target | None, row_id: Any, user_id: str | None = None
) -> str:
    path = prober.concrete(promise.path, user_id)
    segments = [
        str(row_id) if s.startswith("{") and s != "{user_id}" else s for s in path.split("/")
    ]
    return "/".join(segments)


def _one(prober: Prober, promise: Promise, target: Target | None, code: int) -> int | None:
    method = promise.method
    needs_row = target is not None and target.role in ("item", "action")
    if code == 401:
        row = prober.missing_id(target.resource) if target else "1"
        return prober.request(method, _path(prober, promise, target, row), auth=False)[0]
    if target is None or not prober.can_call:
        return None
    resource = target.resource
    if code == 404 and needs_row:
        body = {} if method in ("PATCH", "PUT") else None
        if method == "PUT":
            body = prober.valid_body(resource)
        return prober.request(
            method, _path(prober, promise, target, prober.missing_id(resource)), body
        )[0]
    if code == prober.plan.errors.validation_status and method in ("POST", "PUT", "PATCH"):
        row = prober.create(resource) if needs_row else None
        if needs_row and row is None:
            return None
        body = {**prober.valid_body(resource), "sp_backend_check_unknown_key": 1}
        return prober.request(method, _path(prober, promise, target, row), body)[0]
    if code == 403 and resource.path_has_user_id:
        other = OTHER_USER[prober.plan.auth.user_id_type]
        row = prober.missing_id(resource)
        return prober.request(
            method,
            _path(prober, promise, target, row, other),
            prober.valid_body(resource) if method != "GET" else None,
        )[0]
    if code == 409 and method == "POST" and target.role == "collection":
        if not any(f.unique for f in resource.fields.values()):
            return None
        body = prober.valid_body(resource, unique=True)
        prober.request("POST", prober.concrete(resource.path), body)
        return prober.request("POST", prober.concrete(resource.path), body)[0]
    if 200 <= code < 300:
        return _success(prober, promise, target)
    return None


def _success(prober: Prober, promise: Promise, target: Target) -> int | None:
    method, resource = promise.method, target.resource
    if target.role == "collection":
        body = prober.valid_body(resource) if method == "POST" else None
        return prober.request(method, prober.concrete(resource.path), body)[0]
    row = prober.create(resource)
    if row is None:
        return None
    body = None
    if method == "PATCH" and target.role == "item":
        body = {}
    elif method == "PUT":
        body = prober.valid_body(resource)
    return prober.request(method, _path(prober, promise, target, row), body)[0]


def _find_id(value: Any) -> Any:
    if isinstance(value, dict):
        if "id" in value and not isinstance(value["id"], (dict, list)):
            return value["id"]
        for item in value.values():
            found = _find_id(item)
            if found is not None:
                return found
    return None


def _answer_check(prober: Prober, promise: Promise, status: int, answer: Any, what: str) -> None:
    from sp_backend.check.shapes import against_answer

    label = f"{promise.method} {promise.path}"
    wanted = {c for c in promise.statuses if 200 <= c < 300}
    if (wanted and status not in wanted) or (not wanted and not 200 <= status < 300):
        prober.report.mismatches.append(
            Mismatch(
                promise.source,
                label,
                "live-example",
                f"{what}: the server answered {status}, the contract "
                f"{', '.join(map(str, sorted(wanted))) or 'a success'}",
            )
        )
        return
    for example in promise.examples:
        if example.role != "response" or example.status not in (None, status):
            continue
        for problem in against_answer(example.value, answer)[:6]:
            prober.report.mismatches.append(
                Mismatch(example.source, label, "live-shape", f"{what}: {problem}")
            )


def drive(prober: Prober, promises: list[Promise], served: set[str]) -> None:
    """The documented examples as requests, in the order a client uses them: create with the
    example body, read, list, update, actions, delete; each answer's status and shape against
    what the contract shows."""
    if not prober.can_call:
        return
    targets = _targets(prober.plan)
    live = [p for p in promises if p.key in served]
    collections = [
        p for p in live if p.method == "POST" and not re.search(r"\{(?!user_id\})", p.path)
    ]
    for create in collections:
        target = targets.get(create.key)
        base = create.path.rstrip("/")
        body = next((e.value for e in create.examples if e.role == "request"), None)
        if body is None and target is not None:
            body = prober.valid_body(target.resource)
        if body is None:
            continue
        status, answer = prober.request("POST", prober.concrete(base), body)
        _answer_check(prober, create, status, answer, "the contract's create example")
        row = _find_id(answer) if status < 300 else None
        if row is None:
            continue
        family = [p for p in live if p.path.startswith(base + "/{") or p.path == base]
        order = {"GET": 0, "PATCH": 2, "PUT": 2, "POST": 3, "DELETE": 9}
        depth0 = base.count("/") + 1
        family.sort(
            key=lambda p: (
                order.get(p.method, 5) + (1 if p.path.count("/") > depth0 else 0),
                p.path.count("/"),
            )
        )
        for p in family:
            if p is create or (p.method == "POST" and p.path == base):
                continue
            path = _path(prober, p, None, row)
            req = None
            if p.method in ("PATCH", "PUT", "POST"):
                req = next((e.value for e in p.examples if e.role == "request"), None)
                if req is None and p.method == "PUT" and target is not None:
                    req = prober.valid_body(target.resource)
                if req is None and p.method == "PATCH" and p.path.endswith("}"):
                    req = {}
            status, answer = prober.request(p.method, path, req)
            _answer_check(prober, p, status, answer, f"{p.method} with the created row")
