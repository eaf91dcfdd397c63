"""What the contract promises, per endpoint: method, path, statuses and field names, each with
the contract's file and line. Read with the same readers as `gather`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sp_backend.errors import SpecError
from sp_backend.readers.endpoints import find_endpoints, fold
from sp_backend.readers.facts import RANK_CONTRACT, Endpoint, endpoint_key
from sp_backend.readers.locate import locate
from sp_backend.readers.markdown import load_markdown
from sp_backend.readers.openapi import openapi_endpoints


@dataclass
class Promise:
    method: str
    path: str
    source: str  # file:line of the endpoint's declaration
    statuses: dict[int, str] = field(default_factory=dict)
    body_fields: dict[str, str] = field(default_factory=dict)  # name -> file:line
    response_fields: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return endpoint_key(self.method, self.path)


def _promise(ep: Endpoint) -> Promise:
    body = {f.name: f.source for f in ep.body}
    response = {f.name: f.source for f in ep.response}
    return Promise(ep.method, ep.path, ep.source, dict(ep.statuses), body, response)


def read_contract(root: Path, feature: str) -> tuple[str, list[Promise]]:
    """The contract's path (relative to root) and one promise per endpoint it declares."""
    sources = locate(root, feature)
    rel = sources.rel(sources.contract)
    endpoints: list[Endpoint] = []
    if sources.contract.suffix == ".md":
        endpoints += find_endpoints(load_markdown(sources.contract, rel), RANK_CONTRACT)
    if sources.openapi is not None and sources.openapi == sources.contract:
        endpoints += openapi_endpoints(sources.openapi, rel, RANK_CONTRACT)[0]
    promises = [_promise(ep) for ep in fold(endpoints)]
    if not promises:
        raise SpecError(f"{rel}: no endpoints found to check")
    return rel, promises
