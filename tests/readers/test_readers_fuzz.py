"""Malformed Markdown, YAML and OpenAPI never raise a traceback: gather either builds a valid
plan or fails with a SpecError naming the file."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sp_backend.errors import SpecError
from sp_backend.plan.model import BackendPlan
from sp_backend.readers.endpoints import find_endpoints
from sp_backend.readers.gather import gather
from sp_backend.readers.markdown import parse_markdown
from sp_backend.readers.types import parse_constraints, parse_type

# Fragments real contracts are made of, shuffled into documents that are mostly wrong.
FRAGMENTS = st.sampled_from(
    [
        "## GET /api/things",
        "## POST /api/things",
        "### DELETE /api/things/{id}",
        "**PATCH** `/api/things/{id}/flip`",
        "| Method | Path |",
        "|---|---|",
        "| GET | /api/x |",
        "| Field | Type | Required |",
        "| name | string | Yes |",
        "| a | b |",
        "```json",
        "```",
        "{",
        "}",
        '"name": "string (required, 1-20 chars)",',
        '"count": 3,',
        "- `name`: string",
        "- `flag`: boolean (default: true)",
        "- `kind`: one of: a, b",
        "**Response (201 Created):**",
        "Query Parameters:",
        "| page_size | integer | 20 | max: 100 |",
        "curl -X PUT http://h/api/x/1",
        "BETTER_AUTH_SECRET",
        "JWKS RS256",
        '{"error": {"code": "X"}}',
        "403 another user",
        "",
        "- `user_id`: The user's UUID",
        "# Title",
        "|",
        "```sql",
        "CREATE TABLE things (",
        "  name VARCHAR(10) NOT NULL,",
        ");",
        "class Thing(SQLModel, table=True):",
        "    n: int = 1",
    ]
)
DOCS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40)), max_size=30).map("\n".join)
FAST = settings(
    max_examples=int(os.environ.get("SPB_FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FAST
@given(DOCS)
def test_markdown_readers_never_crash(text: str) -> None:
    doc = parse_markdown(text, rel="specs/api/x.md")
    for ep in find_endpoints(doc, 0):
        assert ep.path.startswith("/") and ep.source.startswith("specs/api/x.md")


@FAST
@given(st.text(max_size=80))
def test_cell_parsers_never_crash(text: str) -> None:
    parse_constraints(text)
    parse_type(text)


def _run(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    try:
        result = gather(root, "things")
    except SpecError as exc:
        assert "specs/" in str(exc) or str(root) in str(exc)
        return
    assert isinstance(BackendPlan.model_validate(result.plan.model_dump()), BackendPlan)


@FAST
@given(contract=DOCS, schema=DOCS)
def test_gather_on_random_projects(tmp_path_factory, contract: str, schema: str) -> None:
    root = tmp_path_factory.mktemp("p")
    _run(root, {"specs/api/things.md": contract, "specs/database/schema.md": schema})


YAML_BITS = st.sampled_from(
    [
        "openapi: 3.0.0",
        "paths:",
        "  /api/things:",
        "    get: {}",
        "    post:",
        "      requestBody:",
        "        content: {application/json: {schema: {$ref: '#/components/schemas/T'}}}",
        "components: {schemas: {T: {type: object, properties: {n: {type: string}}}}}",
        "  /api/things/{id}: {get: {responses: {'200': {}}}}",
        "paths: 3",
        "- a",
        ": :",
        "  - [",
        "  /x: {get: {parameters: [{name: page_size, in: query, schema: {maximum: 'x'}}]}}",
    ]
)


@FAST
@given(st.lists(st.one_of(YAML_BITS, st.text(max_size=20)), max_size=15).map("\n".join))
def test_openapi_never_crashes(tmp_path_factory, text: str) -> None:
    root = tmp_path_factory.mktemp("o")
    _run(root, {"specs/openapi.yaml": "openapi: 3.0.0\n" + text})
