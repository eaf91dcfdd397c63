"""What the readers extract, before any decision: located facts. ``build`` turns them into a plan.

Precedence ranks (lower wins): the API contract outranks the schema, which outranks feature
prose, which outranks CLAUDE.md (product brief, section 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RANK_CONTRACT = 0
RANK_OTHER_API = 1  # other API documents beside the contract (older or related descriptions)
RANK_SCHEMA = 2
RANK_PROSE = 3  # feature specs, architecture, auth docs
RANK_CLAUDE = 4
RANK_NAMES = {
    RANK_CONTRACT: "contract",
    RANK_OTHER_API: "other API document",
    RANK_SCHEMA: "schema",
    RANK_PROSE: "feature prose",
    RANK_CLAUDE: "CLAUDE.md",
}

# Within one source, how specific the place a fact came from is: validation-rule bullets and
# request tables say more than an object table, which says more than a JSON example.
CTX_RULES = 3
CTX_TABLE = 2
CTX_MODEL = 1
CTX_EXAMPLE = 0


@dataclass
class Value:
    """One attribute value with its provenance. ``explicit`` is False for inferred values (a
    type guessed from a JSON example), which never win over, or conflict with, stated ones."""

    value: Any
    source: str
    rank: int
    ctx: int
    explicit: bool = True

    def score(self) -> tuple[int, int, int]:
        return (int(self.explicit), -self.rank, self.ctx)


@dataclass
class FieldFact:
    """Everything one place says about one field. ``attrs`` keys are FieldSpec keys plus
    ``primary_key``, ``foreign_key`` and ``in_input`` (seen in a request body)."""

    name: str
    source: str
    rank: int
    ctx: int
    attrs: dict[str, Value] = field(default_factory=dict)

    def put(self, key: str, value: Any, *, explicit: bool = True) -> None:
        self.attrs[key] = Value(value, self.source, self.rank, self.ctx, explicit)

    def get(self, key: str) -> Any:
        v = self.attrs.get(key)
        return v.value if v else None


@dataclass
class Param:
    name: str
    location: str  # query | path | body
    source: str
    type: str | None = None
    default: str | None = None
    description: str = ""
    pattern: str | None = None  # the contract's regular expression for the value (OpenAPI)
    max_length: int | None = None
    shared: bool = False  # stated once for every list (readers/conventions.py), not by this one


@dataclass
class Endpoint:
    method: str
    path: str
    source: str
    rank: int = RANK_CONTRACT
    file: str = ""
    example: bool = False  # found in a code example (curl, http block): folds into a template
    title: str = ""
    description: str = ""
    statuses: dict[int, str] = field(default_factory=dict)  # status -> text around it
    params: list[Param] = field(default_factory=list)
    body: list[FieldFact] = field(default_factory=list)
    response: list[FieldFact] = field(default_factory=list)
    # Response bodies shown as JSON, parsed, each with where it starts (file:line).
    response_examples: list[tuple[Any, str]] = field(default_factory=list)
    # Failure answers (4xx, 5xx) shown or described by a schema: what the error envelope is.
    error_examples: list[tuple[Any, str]] = field(default_factory=list)
    text: str = ""  # the section's plain text, for rules stated in prose

    @property
    def key(self) -> str:
        return endpoint_key(self.method, self.path)


def endpoint_key(method: str, path: str) -> str:
    """Method + path with parameter names erased (except {user_id}, which carries meaning)."""
    import re

    norm = re.sub(r"\{(?!user_id\})[^}]*\}", "{}", path.rstrip("/") or "/")
    return f"{method.upper()} {norm}"


@dataclass
class TableFacts:
    """A table (or model) described in a schema source: its columns as field facts."""

    name: str
    source: str
    rank: int
    fields: list[FieldFact] = field(default_factory=list)
    # (what, file:line) the source states about the table that no plan key can hold yet
    unresolved: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Extracted:
    endpoints: list[Endpoint] = field(default_factory=list)
    models: list[TableFacts] = field(default_factory=list)  # object tables in contracts, schemas
    prose_fields: list[FieldFact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
