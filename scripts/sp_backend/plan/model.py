"""The backend plan: the single, reviewable source of truth between spec readers and emitters.

Readers (``sp_backend.readers``) produce a plan; emitters (``sp_backend.emit``) consume it. Every
decision generation needs is explicit here, so a person can review and edit it as YAML.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from sp_backend.plan.envelopes import ANSWER_SHAPES, ERROR_SHAPES, shapes_text

PLAN_VERSION = 1

FieldType = Literal[
    "str",
    "text",
    "int",
    "float",
    "decimal",
    "bool",
    "date",
    "datetime",
    "uuid",
    "enum",
    "email",
    "uri",
    "list[str]",
    "list[int]",
    "object",
    "list[object]",
    "json",
]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
# What each type is stored as and which constraints it takes: one table, asked by validation,
# by emit and by `sp-backend plan-schema` (which prints it).
TEXT_TYPES = frozenset({"str", "text", "email", "uri"})
NUMERIC_TYPES = frozenset({"int", "float", "decimal"})
LIST_TYPES = frozenset({"list[str]", "list[int]", "list[object]"})
OBJECT_TYPES = frozenset({"object", "list[object]"})
# Held in a JSON column: no equality, order, uniqueness or index on the database.
JSON_TYPES = LIST_TYPES | OBJECT_TYPES | {"json"}
CONSTRAINTS_BY_TYPE: dict[str, frozenset[str]] = {
    "min_length": TEXT_TYPES,
    "max_length": TEXT_TYPES,
    "pattern": frozenset({"str", "text"}),
    "ge": NUMERIC_TYPES,
    "le": NUMERIC_TYPES,
    "gt": NUMERIC_TYPES,
    "lt": NUMERIC_TYPES,
    "max_items": LIST_TYPES,
    "item_min_length": frozenset({"list[str]"}),
    "item_max_length": frozenset({"list[str]"}),
    "item_ge": frozenset({"list[int]"}),
    "item_le": frozenset({"list[int]"}),
    "max_digits": frozenset({"decimal"}),
    "decimal_places": frozenset({"decimal"}),
    "values": frozenset({"enum"}),
    "fields": OBJECT_TYPES,
}
# Stored inside a JSON object as they are (no date, decimal or UUID, which JSON holds only as
# text): the types a nested object's own fields may have.
MEMBER_TYPES = TEXT_TYPES | {"int", "float", "bool", "enum"} | LIST_TYPES | OBJECT_TYPES


def _constraint_groups() -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """CONSTRAINTS_BY_TYPE's keys grouped by the types they apply to, in the table's order."""
    groups: dict[frozenset[str], list[str]] = {}
    for key, types in CONSTRAINTS_BY_TYPE.items():
        groups.setdefault(types, []).append(key)
    return [(tuple(keys), types) for types, keys in groups.items()]


def _types_text(types: frozenset[str] | set[str]) -> str:
    """The types in FieldType's order: "int, float or decimal"."""
    ordered = [t for t in FIELD_TYPES if t in types]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1] if len(ordered) > 1 else ordered[0]


# Longest email (RFC 5321's path limit) and URI (what browsers and proxies reliably carry)
# accepted when the plan states no max_length.
EMAIL_MAX_LENGTH = 320
URI_MAX_LENGTH = 2048
# What an email or URI field accepts (app/schemas/rules.py states them in the generated code).
# The OpenAPI also says format email / uri, and clients check those formats (JSON Schema
# validators, ajv-formats): so a pattern accepts only what every such check accepts. An email
# is dot-atoms of ASCII @ a host name, lowercased as accounts are; the lengths of its two
# parts (64, 253) are checked beside the pattern. A host label never has "--" as its 3rd and
# 4th characters (RFC 5891 reserves them for IDNA, whose checks would refuse a wrong one).
# A URI is http(s)://host[:port] then RFC 3986 path, query and fragment characters, ASCII only
# (an IRI's other characters arrive percent-encoded), kept as sent.
# The pieces, as app/schemas/rules.py spells them (tests/test_field_shapes.py holds the two
# compositions equal).
EMAIL_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
HOST_LABEL_PARTS = (
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,2}[A-Za-z0-9])?",
    r"|[A-Za-z0-9][A-Za-z0-9-](?:[A-Za-z0-9][A-Za-z0-9-]|-[A-Za-z0-9])",
    r"[A-Za-z0-9-]{0,58}[A-Za-z0-9])",
)
URI_CHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_LABEL = "".join(HOST_LABEL_PARTS)
EMAIL_PATTERN = rf"^{EMAIL_ATOM}(?:\.{EMAIL_ATOM})*@{_LABEL}(?:\.{_LABEL})+$"
URI_PATTERN = (
    rf"^https?://{_LABEL}(?:\.{_LABEL})*"
    r"(?::[0-9]{1,5})?"
    rf"(?:/{URI_CHAR}*)*(?:\?(?:{URI_CHAR}|[/?])*)?(?:#(?:{URI_CHAR}|[/?])*)?$"
)
EMAIL_LOCAL_MAX_LENGTH = 64
EMAIL_DOMAIN_MAX_LENGTH = 253
# The shortest value each pattern allows (a@b.c, http://a): a max_length below it leaves none.
SHORTEST = {"email": 5, "uri": 8}
# Rules that apply to request bodies only: a stored row must stay readable when they stop holding.
InputRule = Literal["future", "past", "not_blank"]
AuthMode = Literal["shared-secret", "local", "jwks", "none"]
# Settings of token modes: with auth.mode none no token is read, so a plan may not state them.
TOKEN_SETTINGS = (
    "secret_env",
    "algorithms",
    "user_id_claim",
    "user_id_type",
    "issuer",
    "audience",
    "roles_claim",
    "role_column",
    "tenant_claim",
    "tenant_id_type",
    "jwks_url_env",
    "jwks_cache_seconds",
    "jwks_timeout_seconds",
    "token_ttl_minutes",
    "routes_prefix",
    "path_mismatch_status",
    "password",
    "accounts",
)
Algorithm = Literal["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"]

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]
# A feature name as users type it: `task-crud`, `todo_crud` (Spec-Kit folders use both).
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
# A JSON key of a body or answer as the contract spells it (dueDate, SKU, due_date).
JsonKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
# How a resource's JSON keys are spelled: as the field names, or in camelCase (dueDate).
JsonNames = Literal["snake_case", "camelCase"]

# Names the generated modules import or define beside a resource's own class (its key in
# CamelCase, and that with "Dep"): a resource named so would shadow them. tests/test_emit.py
# checks the list against the templates' imports. `User` is not here: only auth.mode local
# has that class, and a users resource beside it is refused as a clash with the users table.
RESERVED_CLASS_NAMES = frozenset(
    {
        "AfterValidator",
        "Annotated",
        "Any",
        "AsyncIterator",
        "BaseModel",
        "BaseSettings",
        "Callable",
        "ClauseElement",
        "ConfigDict",
        "ContextVar",
        "CoreSchema",
        "DataError",
        "DateTime",
        "Decimal",
        "Depends",
        "Dialect",
        "Email",
        "Encoding",
        "Engine",
        "ErrorResponse",
        "Executable",
        "Field",
        "ForbiddenError",
        "Header",
        "IntegrityError",
        "InterfaceError",
        "Iterator",
        "KeyServer",
        "Literal",
        "Lock",
        "Mapping",
        "Match",
        "MemoryStore",
        "Message",
        "MigrationContext",
        "OperationalError",
        "OrderedDict",
        "PasswordHash",
        "Path",
        "Protocol",
        "PublicFormat",
        "Reader",
        "Receive",
        "Request",
        "Response",
        "Responses",
        "Scope",
        "ScriptDirectory",
        "Send",
        "Sequence",
        "Session",
        "Settings",
        "SimpleNamespace",
        "StatementError",
        "StringConstraints",
        "TestClient",
        "TextFormatter",
        "TypeDecorator",
        "TypeEngine",
        "UserCreate",
        "UserId",
        "ValidationError",
    }
)


def resource_class(name: str) -> str:
    """A resource key as the generated class name: line_item -> LineItem."""
    return "".join(part.capitalize() for part in name.split("_") if part)


# Python keywords and names the generated code uses itself cannot be field names.
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "model_config",
        "metadata",
        "registry",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
        "true",
        "false",
        "none",
        "self",
        "session",
        "page",
        "page_size",
        "limit",
        "offset",
        "cursor",
        "sort",
        "order",
        "q",
        "search",
    }
)


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a reviewed plan must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProjectConfig(_Strict):
    name: str = Field("Backend API", description="Human title of the API, shown in /docs.")
    package: Identifier = Field("app", description="Python package the backend lives in.")


class DatabaseConfig(_Strict):
    default_url: str = Field(
        "sqlite:///./app.db",
        description="DATABASE_URL used when the environment sets none (development only).",
    )
    pool_size: int = Field(5, ge=1, le=200)
    max_overflow: int = Field(10, ge=0, le=400)
    pool_recycle_seconds: int = Field(
        300, ge=0, description="Serverless PostgreSQL closes idle connections; recycle before."
    )
    statement_timeout_ms: int = Field(10_000, ge=0, description="0 disables (PostgreSQL only).")


class PasswordRules(_Strict):
    min_length: int = Field(8, ge=6, le=128)
    max_length: int = Field(128, ge=8, le=1024)
    require_digit: bool = False
    require_letter: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> PasswordRules:
        if self.min_length > self.max_length:
            raise ValueError(f"min_length {self.min_length} > max_length {self.max_length}")
        return self


class AuthConfig(_Strict):
    mode: AuthMode = Field(
        "shared-secret",
        description="shared-secret: HS* tokens issued elsewhere (e.g. Better Auth); local: this "
        "backend issues tokens (register/login); jwks: asymmetric tokens, keys from a JWKS URL; "
        "none: no authentication at all, every route open to anyone who can reach the API (a "
        "single-user tool on a private network). Never a default: a plan states it, and then "
        "states no token setting, no resource owner and no custom operation with auth.",
        examples=["none"],
    )
    secret_env: EnvName = Field("JWT_SECRET", description="Environment variable holding the key.")
    algorithms: list[Algorithm] = Field(default_factory=lambda: ["HS256"], min_length=1)
    user_id_claim: str = Field("sub", min_length=1)
    user_id_type: Literal["str", "uuid", "int"] = "str"
    issuer: str | None = None
    audience: str | None = None
    roles_claim: str | None = Field(
        None,
        min_length=1,
        description='The token claim naming the caller\'s roles: one name ("role": '
        '"admin") or a list of names ("roles": ["admin", "editor"]). Read, from a '
        "verified token only, where a resource's access names roles (access.roles, "
        "access.every_row); a token without it holds no role. shared-secret and jwks: the "
        "identity provider's claim; local: the claim the tokens this backend issues carry the "
        "account's auth.role_column in.",
        examples=["role", "roles"],
    )
    role_column: Identifier | None = Field(
        None,
        description="local: the users-table column holding each account's role (one name, none "
        "for a new account), put in the tokens this backend issues under auth.roles_claim, so "
        "a change takes effect at the account's next sign-in. Never set through the API (the "
        "register and profile bodies refuse it): an operator runs `python -m app.roles grant "
        "EMAIL ROLE` (or revoke) on the server, which is also how the first admin is made.",
        examples=["role"],
    )
    tenant_claim: str | None = Field(
        None,
        min_length=1,
        description="The token claim naming the caller's tenant (an organization, workspace or "
        "team id), read from a verified token only, for resources with a tenant column "
        "(resources.<name>.tenant): every caller holding the same value reads and writes the "
        "same rows, other tenants' rows are not found, and a token without the claim is "
        "answered 403. shared-secret and jwks (mode local issues tokens itself and has no "
        "source for a tenant).",
        examples=["org_id", "workspace_id"],
    )
    tenant_id_type: Literal["str", "uuid", "int"] = Field(
        "str", description="The type of the tenant claim's value and of the tenant columns."
    )
    jwks_url_env: EnvName = Field("JWKS_URL", description="jwks: variable holding the key URL.")
    jwks_cache_seconds: int = Field(
        300, ge=1, le=86_400, description="jwks: how long fetched keys are reused."
    )
    jwks_timeout_seconds: float = Field(
        5, gt=0, le=30, description="jwks: bound on one key fetch; past it the answer is 503."
    )
    token_ttl_minutes: int = Field(60, ge=1, le=60 * 24 * 30)
    routes_prefix: str = Field(
        "/api/auth",
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="local: where register, login, token and me live.",
    )
    path_mismatch_status: Literal[403, 404] = Field(
        403, description="Answer when a {user_id} in the path differs from the token's."
    )
    password: PasswordRules = Field(default_factory=PasswordRules)
    accounts: Accounts = Field(
        default_factory=lambda: Accounts(),
        description="local: the users table's profile fields, the account endpoints' paths "
        "and answers, and the sign-in throttle (sp_backend/plan/accounts.py).",
    )
    source: str | None = None

    @model_validator(mode="after")
    def _algorithms_fit_mode(self) -> AuthConfig:
        if self.mode == "none":
            stated = [k for k in TOKEN_SETTINGS if k in self.model_fields_set]
            if stated:
                raise ValueError(
                    f"auth.{stated[0]}: mode 'none' reads no token and has no accounts; "
                    f"drop {', '.join('auth.' + k for k in stated)} or choose a token mode"
                )
            return self
        if self.mode == "jwks" and "algorithms" not in self.model_fields_set:
            self.algorithms = ["RS256"]  # the HS256 default cannot apply to public keys
            # Still a default, not a statement: merging plans must not treat it as one.
            self.__pydantic_fields_set__.discard("algorithms")
        symmetric = [a for a in self.algorithms if a.startswith("HS")]
        if self.mode in ("shared-secret", "local") and len(symmetric) != len(self.algorithms):
            raise ValueError(
                f"mode {self.mode!r} verifies with a shared secret: use HS256, HS384 "
                "or HS512 (asymmetric algorithms need mode 'jwks')"
            )
        if self.mode == "jwks" and symmetric:
            raise ValueError(
                "mode 'jwks' takes asymmetric algorithms only (RS256, ES256, EdDSA, "
                "...): mixing in HS* opens algorithm-confusion attacks"
            )
        clash = self.accounts.clashes(self.routes_prefix)
        if clash:
            raise ValueError(f"accounts: {clash}; give each its own path")
        if self.mode == "local" and self.tenant_claim is not None:
            raise ValueError(
                "auth.tenant_claim: mode 'local' issues its own tokens and its users table has "
                "no tenant to put in them (who joins which organization is not generated); use "
                "shared-secret or jwks, whose identity provider puts the tenant in the token"
            )
        self._role_column_fits()
        return self

    def _role_column_fits(self) -> None:
        """local: roles come from a users-table column, put in the tokens this backend issues;
        a token mode's come from the identity provider."""
        if self.mode != "local":
            if self.role_column is not None:
                raise ValueError(
                    "auth.role_column: only mode 'local' has a users table; the identity "
                    "provider puts the roles in its tokens (auth.roles_claim)"
                )
            return
        if self.roles_claim is not None and self.role_column is None:
            raise ValueError(
                "auth.roles_claim: mode 'local' issues its own tokens: name the users-table "
                "column their roles come from (auth.role_column: role)"
            )
        if self.role_column is None:
            return
        if self.roles_claim is None:
            raise ValueError(
                "auth.role_column: the tokens carry the role in a claim; name it "
                "(auth.roles_claim: role)"
            )
        taken = {"id", "email", "password", "password_hash", "created_at", *self.accounts.fields}
        if self.role_column in taken or self.roles_claim in ("sub", "exp", "iat", "iss", "aud"):
            raise ValueError(
                f"auth.role_column: {self.role_column!r} (claim {self.roles_claim!r}) is taken by "
                "the account's own columns or the token's registered claims; choose another name"
            )


ErrorEnvelope = Literal["error", "success", "detail", "message", "status", "errors"]
Message = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Answers whose message the contract may state in its own words (the rest are the generator's).
ErrorSituation = Literal["validation", "conflict", "not_found", "forbidden"]


class ErrorConventions(_Strict):
    envelope: ErrorEnvelope = Field(
        "error",
        description=shapes_text(ERROR_SHAPES) + ". Invalid input's details: see details.",
        examples=["success"],
    )
    details: Literal["list", "map"] = Field(
        "list",
        description='Validation details: list: [{"field", "message", "type"}]; map: '
        '{"<field>": "<message>"} (the first message of each field).',
        examples=["map"],
    )
    messages: dict[ErrorSituation, Message] = Field(
        default_factory=dict,
        description="The contract's own message for an answer, where it states one; "
        "resources.<name>.messages says it per resource (and per unique field).",
        examples=[{"validation": "Invalid input", "conflict": "Already exists"}],
    )
    not_owner_status: Literal[403, 404] = Field(
        404, description="Someone else's row. 404 does not reveal that the id exists."
    )
    validation_status: Literal[400, 422] = 422
    source: str | None = None

    @model_validator(mode="after")
    def _details_fit_the_envelope(self) -> ErrorConventions:
        if self.envelope == "errors" and self.details == "map":
            raise ValueError(
                "details: map does not fit envelope errors, which lists one object per "
                "problem (its source names the field); use details: list"
            )
        return self


class ResponseConventions(_Strict):
    """How a successful answer carries its object (create, read, update, replace, actions)."""

    envelope: Literal["none", "data", "success", "status"] = Field(
        "none",
        description=shapes_text(ANSWER_SHAPES) + ". With success or status each list answer "
        '(not a bare array) also carries "success": true (or "status": "success") beside its '
        "items.",
        examples=["status"],
    )
    data_key: WireName = Field(
        "data", description="The key holding the object inside the envelope.", examples=["result"]
    )
    message_key: WireName | None = Field(
        None,
        description="The key of a message beside the data in every successful answer, "
        '{"success": true, "message": "Booking created", "data": {...}}; null: no message. '
        "Needs an envelope (data, success or status); the text per operation is "
        "resources.<name>.messages.answers (else a generated one, e.g. 'Booking created').",
        examples=["message"],
    )
    source: str | None = None

    @model_validator(mode="after")
    def _message_has_room(self) -> ResponseConventions:
        if self.message_key is None:
            return self
        if self.envelope == "none":
            raise ValueError(
                "message_key puts a message beside the object: it needs an envelope "
                "(data, success or status); with 'none' it would be one more field of the object"
            )
        if self.message_key in (self.data_key, self.envelope):
            raise ValueError(
                f"message_key {self.message_key!r} is taken by the envelope; expected another key"
            )
        return self

    @property
    def marker(self) -> str | None:
        """The key the envelope adds beside the data and the list items ("success", "status")."""
        return self.envelope if self.envelope in ("success", "status") else None


class ResourceMessages(_Strict):
    """Messages the contract states for one resource: its errors' ("Patient not found") and,
    with responses.message_key, the one beside each successful answer ("Patient created")."""

    not_found: Message | None = Field(None, examples=["Appointment not found"])
    forbidden: Message | None = Field(None, description="not_owner_status 403: someone else's row.")
    conflict: dict[Identifier, Message] = Field(
        default_factory=dict,
        description="Unique field -> the 409 message when its value is taken.",
        examples=[{"email": "Email already registered"}],
    )
    answers: dict[Identifier, Message] = Field(
        default_factory=dict,
        description="Operation (create, read, update, replace, list, or an action's or custom "
        "operation's name) -> the message beside its successful answer (responses.message_key).",
        examples=[{"create": "Booking created", "cancel": "Booking cancelled"}],
    )
    source: str | None = None


OnDelete = Literal["restrict", "cascade", "set_null"]


class Reference(_Strict):
    """A field holding the id of a row of another resource (a foreign key): the referenced
    resource may be in this plan or another plan of the same backend."""

    resource: Identifier = Field(..., description="The referenced resource's name (its key).")
    on_delete: OnDelete = Field(
        "restrict",
        description="When the referenced row is deleted: restrict (the delete is answered 409 "
        "while rows refer to it), cascade (they are deleted with it), set_null (the field "
        "becomes null; the field must be nullable).",
    )
    status: Literal[403, 404, 422] = Field(
        404,
        description="Answer when a create or update names a referenced row that does not exist "
        "or is not the caller's (404 does not reveal that someone else's exists).",
    )
    source: str | None = None


# The types a summary may show of the referenced row (a plain JSON value each).
SUMMARY_TYPES = ("str", "text", "int", "float", "bool", "date", "datetime", "uuid", "email", "uri")


class Summary(_Strict):
    """The referenced row, embedded in this resource's answers: its id and the fields named
    (`"board": {"id": ..., "name": ...}` beside `board_id`)."""

    reference: Identifier = Field(
        ..., description="The reference field of this resource whose row is shown."
    )
    fields: list[Identifier] = Field(
        ...,
        min_length=1,
        description="Fields of the referenced resource shown beside its id (plain values: "
        + ", ".join(SUMMARY_TYPES)
        + ").",
        examples=[["name"]],
    )
    json_name: JsonKey | None = Field(
        None, description="The key on the wire, when not the resource's json_names form."
    )
    source: str | None = None


class Count(_Strict):
    """How many rows of another resource refer to this row (`"cards_count": 3`)."""

    resource: Identifier = Field(..., description="The resource whose rows are counted.")
    field: Identifier | None = Field(
        None,
        description="Its reference field naming this resource; needed only when it has several.",
    )
    json_name: JsonKey | None = Field(
        None, description="The key on the wire, when not the resource's json_names form."
    )
    source: str | None = None


class Embed(_Strict):
    """Related data in every answer of a row (list, read, and the answers of writes), loaded
    in the statement that reads the rows (subqueries, never a query per row); the related rows
    are filtered as the caller would be (the owner filter applies to them too)."""

    summaries: dict[Identifier, Summary] = Field(
        default_factory=dict,
        description="Answer key -> the referenced row shown under it (null when the reference "
        "is null).",
        examples=[{"board": {"reference": "board_id", "fields": ["name"]}}],
    )
    counts: dict[Identifier, Count] = Field(
        default_factory=dict,
        description="Answer key -> the resource whose rows referring to this one are counted.",
        examples=[{"cards_count": {"resource": "card"}}],
    )

    @property
    def keys(self) -> list[str]:
        return [*self.summaries, *self.counts]


def _types_doc() -> str:
    """The type key's description in `sp-backend plan-schema`: what each type is and the
    constraints it takes (from CONSTRAINTS_BY_TYPE, so the two never disagree)."""
    groups = "; ".join(f"{'/'.join(k)}: {_types_text(t)}" for k, t in _constraint_groups())
    return (
        f"email: an address (something@host.tld, at most {EMAIL_MAX_LENGTH} characters), "
        "stored lowercased "
        f"as accounts store theirs; uri: an http or https URL with a host (at most "
        f"{URI_MAX_LENGTH}), kept as "
        'sent; list[int]: JSON integers (true and "1" refused); object: a JSON object whose '
        "own fields (fields:) are validated on create and update and stored together as one "
        "JSON column (PATCH replaces the whole object); list[object]: a list of such objects. "
        "A field inside an object is one of " + _types_text(MEMBER_TYPES) + " (JSON holds "
        "them as they are). Constraints by type: " + groups + "."
    )


class FieldSpec(_Strict):
    type: FieldType = Field(
        ...,
        description=_types_doc(),
        examples=["email", "uri", "list[int]", "object"],
    )
    required: bool = Field(False, description="Must be given on create.")
    nullable: bool | None = Field(None, description="May be null; default: not required.")
    default: Any = None
    description: str | None = None
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=1)
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    pattern: str | None = None
    values: list[str] | None = Field(None, description="Allowed values of an enum, in rank order.")
    max_items: int | None = Field(None, ge=0)
    item_min_length: int | None = Field(
        None, ge=1, description="list[str]: each item at least this long.", examples=[1]
    )
    item_max_length: int | None = Field(None, ge=1)
    item_ge: int | None = Field(None, description="list[int]: each item at least this.")
    item_le: int | None = Field(None, description="list[int]: each item at most this.")
    fields: dict[JsonKey, FieldSpec] | None = Field(
        None,
        description="object, list[object]: the object's own fields, validated on create and "
        "update and stored together as one JSON value (an update replaces the whole object).",
        examples=[
            {
                "lat": {"type": "float", "required": True, "ge": -90, "le": 90},
                "lng": {"type": "float", "required": True, "ge": -180, "le": 180},
            }
        ],
    )
    max_digits: int | None = Field(None, ge=1, le=1000)
    decimal_places: int | None = Field(None, ge=0, le=1000)
    unique: bool = False
    index: bool = False
    read_only: bool = Field(False, description="Server-managed: in responses, never in input.")
    immutable: bool = Field(
        False,
        description="Given on create, never changed after: PATCH and PUT refuse it with the "
        "validation status and a message naming the field; no action may change it.",
        examples=[True],
    )
    references: Reference | None = Field(
        None, description="The field is a foreign key to another resource's id."
    )
    input_rules: list[InputRule] = Field(
        default_factory=list, description="Checked on input only; responses never re-run them."
    )
    example: Any = Field(None, description="A valid value (needed for fields with a pattern).")
    json_name: JsonKey | None = Field(
        None,
        description="The key on the wire when it is not the resource's json_names form of the "
        "field name (e.g. SKU for sku); the column keeps the field name.",
        examples=["SKU", "dueDate"],
    )
    source: str | None = Field(None, description="Where this came from: file:line.")

    @property
    def is_nullable(self) -> bool:
        """Explicit nullable wins; otherwise optional fields without a default may be null."""
        if self.nullable is not None:
            return self.nullable
        return not self.required and self.default is None

    @model_validator(mode="after")
    def _constraints_fit_type(self) -> FieldSpec:
        t = self.type
        textual = t in ("str", "text")
        for keys, types in _constraint_groups():
            if any(getattr(self, k) is not None for k in keys) and t not in types:
                verb = "applies" if len(keys) == 1 else "apply"
                raise ValueError(f"{'/'.join(keys)} {verb} to {_types_text(types)}, not {t}")
        low, high = self.item_min_length, self.item_max_length
        if low is not None and high is not None and low > high:
            raise ValueError(f"item_min_length {low} > item_max_length {high}")
        if self.item_ge is not None and self.item_le is not None and self.item_ge > self.item_le:
            raise ValueError(f"item_ge {self.item_ge} > item_le {self.item_le}")
        if t in OBJECT_TYPES:
            self._check_members()
        if t in SHORTEST and self.max_length is not None and self.max_length < SHORTEST[t]:
            raise ValueError(
                f"max_length {self.max_length} leaves no valid {t}: the shortest is "
                f"{SHORTEST[t]} characters"
            )
        if t == "enum":
            if not self.values:
                raise ValueError("an enum needs values: [a, b, ...]")
            if len(set(self.values)) != len(self.values):
                raise ValueError("enum values must be distinct")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError(f"min_length {self.min_length} > max_length {self.max_length}")
        low = self.ge if self.ge is not None else self.gt
        high = self.le if self.le is not None else self.lt
        if low is not None and high is not None and low > high:
            raise ValueError(f"lower bound {low} > upper bound {high}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a regular expression: {exc}"
                ) from None
        if ("future" in self.input_rules or "past" in self.input_rules) and t not in (
            "date",
            "datetime",
        ):
            raise ValueError(f"input rules future/past apply to date or datetime, not {t}")
        if "not_blank" in self.input_rules and not textual:
            raise ValueError(f"input rule not_blank applies to str or text, not {t}")
        if self.default is not None:
            self._check_default()
        if self.read_only and self.required:
            raise ValueError("a read_only field cannot be required on input")
        if self.read_only and self.immutable:
            raise ValueError(
                "immutable applies to a field the client sets on create; a read_only field is "
                "never set by the client (drop one of them)"
            )
        if self.unique and t in JSON_TYPES | {"text"}:
            raise ValueError(f"unique is not supported on {t}")
        if self.references is not None:
            if t not in ("uuid", "int", "str"):
                raise ValueError(f"a reference holds an id: type uuid, int or str, not {t}")
            if self.references.on_delete == "set_null" and not self.is_nullable:
                raise ValueError("on_delete set_null needs a nullable field (nullable: true)")
            if self.read_only:
                raise ValueError("a reference is written by the client: it cannot be read_only")
        return self

    def _check_default(self) -> None:
        d, t = self.default, self.type
        ok = {
            "str": isinstance(d, str),
            "text": isinstance(d, str),
            "enum": d in (self.values or []),
            "int": isinstance(d, int) and not isinstance(d, bool),
            "float": isinstance(d, (int, float)) and not isinstance(d, bool),
            "decimal": isinstance(d, (int, float, str, Decimal)) and not isinstance(d, bool),
            "bool": isinstance(d, bool),
            "email": isinstance(d, str),
            "uri": isinstance(d, str),
            "list[str]": isinstance(d, list) and all(isinstance(i, str) for i in d),
            "list[int]": isinstance(d, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in d),
            # An object's default would have to satisfy its own fields: left out, it is null.
            "object": False,
            "list[object]": d == [],
            "json": True,
            # Dates, datetimes and UUIDs have no sensible literal default in a shared schema.
            "date": False,
            "datetime": False,
            "uuid": False,
        }[t]
        if not ok:
            allowed = {"enum": f"one of {self.values}", "list[object]": "[] (an empty list)"}.get(
                t, f"a {t} value"
            )
            raise ValueError(f"default {d!r} does not fit type {t}: expected {allowed}")

    def _check_members(self) -> None:
        """An object's own fields: keys a Python attribute can be, of the types JSON holds as
        they are, and none of the settings only a column has."""
        if not self.fields:
            raise ValueError(f"{self.type} needs fields: {{name: {{type: ...}}, ...}}")
        for key, member in self.fields.items():
            if keyword.iskeyword(key) or key.startswith(("_", "model_")) or hasattr(BaseModel, key):
                raise ValueError(
                    f"fields.{key}: the name is taken in Python (a keyword, private, or a "
                    "pydantic BaseModel attribute); rename the key"
                )
            if member.type not in MEMBER_TYPES:
                raise ValueError(
                    f"fields.{key}: {member.type} cannot be held inside a JSON object as it is; "
                    f"a nested field is one of {_types_text(MEMBER_TYPES)}"
                )
            column_only = {
                "unique": member.unique,
                "index": member.index,
                "read_only": member.read_only,
                "immutable": member.immutable,
                "references": member.references is not None,
                "input_rules": bool(member.input_rules),
                "json_name": member.json_name is not None,
            }
            taken = [name for name, used in column_only.items() if used]
            if taken:
                verb = "applies" if len(taken) == 1 else "apply"
                raise ValueError(
                    f"fields.{key}: {', '.join(taken)} {verb} to a resource's own fields, not to "
                    "a field inside an object (the object is validated and stored whole)"
                )


# A query parameter or JSON key as the contract spells it (per_page, pageSize, page[size]).
WireName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.\[\]-]{0,62}$")]
PageStyle = Literal["page", "offset", "cursor"]


class Pagination(_Strict):
    style: PageStyle = Field(
        "page", description="page: page/page_size; offset: limit/offset; cursor: keyset."
    )
    default: int = Field(20, ge=1, le=1000)
    max: int = Field(100, ge=1, le=1000)
    page_param: WireName = Field("page", description="style page: the page number parameter.")
    size_param: WireName | None = Field(
        None,
        description="The page size parameter as the contract names it (per_page, size, "
        "pageSize); default: page_size for style page, limit for offset and cursor.",
        examples=["per_page"],
    )
    offset_param: WireName = Field("offset", description="style offset: rows skipped.")
    cursor_param: WireName = Field("cursor", description="style cursor: the next page's cursor.")

    @property
    def size_name(self) -> str:
        return self.size_param or ("page_size" if self.style == "page" else "limit")

    @property
    def param_names(self) -> dict[str, str]:
        """Query parameter of each pagination concept this style reads."""
        size = "page_size" if self.style == "page" else "limit"
        names = {size: self.size_name}
        if self.style == "page":
            names["page"] = self.page_param
        elif self.style == "offset":
            names["offset"] = self.offset_param
        else:
            names["cursor"] = self.cursor_param
        return names

    @model_validator(mode="after")
    def _default_within_max(self) -> Pagination:
        if self.default > self.max:
            raise ValueError(f"default page size {self.default} exceeds max {self.max}")
        names = list(self.param_names.values())
        if len(set(names)) != len(names):
            raise ValueError(f"pagination parameters must have distinct names, not {names}")
        return self


# What a list answer can say about its page, by pagination style. `count`: rows on this page;
# `links`: a Link header with rel="next"/"prev" URLs (metadata 'headers' only).
MetaKey = Literal[
    "total",
    "count",
    "page",
    "page_size",
    "limit",
    "offset",
    "total_pages",
    "has_next",
    "has_previous",
    "next_cursor",
    "links",
]
STYLE_META: dict[str, tuple[str, ...]] = {
    "page": ("total", "count", "page", "page_size", "total_pages", "has_next", "has_previous"),
    "offset": ("total", "count", "limit", "offset", "has_next", "has_previous"),
    "cursor": ("count", "limit", "next_cursor", "has_next"),
}
DEFAULT_META: dict[str, tuple[str, ...]] = {
    "page": ("total", "page", "page_size", "total_pages", "has_next", "has_previous"),
    "offset": ("total", "limit", "offset", "has_next"),
    "cursor": ("limit", "next_cursor", "has_next"),
}
# Header values are text: only numbers and links travel there.
HEADER_META = frozenset({"total", "count", "page", "page_size", "limit", "offset", "total_pages"})
_META_NAMES = {  # headers? -> (pattern, what it is)
    True: (r"[A-Za-z][A-Za-z0-9-]{0,62}", "a header name"),
    False: (r"[A-Za-z_]\w{0,62}", "a JSON key (letters, digits, _)"),
}


class ListResponse(_Strict):
    """The body (and headers) of a list answer, as the contract shows it."""

    items: WireName | None = Field(
        "items",
        description="Key holding the rows; null: the body is a bare JSON array.",
        examples=["data", None],
    )
    metadata: Literal["nested", "flat", "headers", "none"] = Field(
        "nested",
        description="Where the page metadata goes: nested under metadata_key, flat beside the "
        "items, in response headers (X-Total-Count, Link), or nowhere.",
    )
    metadata_key: WireName = Field(
        "pagination", description="metadata nested: the key holding it.", examples=["meta"]
    )
    keys: dict[MetaKey, str] | None = Field(
        None,
        description="Each metadata item answered and its name (a JSON key, or a header name "
        "with metadata 'headers'). Default: the style's usual set under their own names; "
        "headers: {total: X-Total-Count}.",
        examples=[{"total": "total", "page": "page", "page_size": "per_page"}],
    )
    in_envelope: bool = Field(
        False,
        description="The page (its items and metadata) sits inside the envelope's data key, as "
        'a single object does: {"success": true, "data": {"items": [...], "pagination": '
        "{...}}}. Needs responses.envelope data, success or status; false: the items sit "
        "beside the envelope's marker.",
        examples=[True],
    )
    source: str | None = None

    def meta_names(self, style: str) -> dict[str, str]:
        """Metadata item -> its JSON key or header name, for this pagination style."""
        if self.metadata == "none":
            return {}
        if self.keys is not None:
            return dict(self.keys)
        if self.metadata == "headers":
            return {"count": "X-Total-Count"} if style == "cursor" else {"total": "X-Total-Count"}
        return {k: k for k in DEFAULT_META[style]}

    def check(self, style: str) -> None:
        """The shape must fit the pagination style (called by the resource)."""
        if self.items is None and self.metadata not in ("headers", "none"):
            raise ValueError(
                "a bare JSON array (items: null) has no room for metadata: use metadata "
                "'headers' or 'none'"
            )
        if self.metadata == "none" and self.keys:
            raise ValueError("metadata 'none' takes no keys")
        if self.in_envelope and self.items is None:
            raise ValueError(
                "in_envelope puts the page inside the envelope's data key; a bare JSON array "
                "there is items under that key: use items: <the data key>, in_envelope: false"
            )
        names = self.meta_names(style)
        for key, name in names.items():
            if key == "links":
                if self.metadata != "headers":
                    raise ValueError("links travel in a Link header: metadata 'headers' only")
            elif key not in STYLE_META[style]:
                raise ValueError(
                    f"{key!r} is not known on a {style}-style page; use some of "
                    f"{list(STYLE_META[style])}"
                )
            elif self.metadata == "headers" and key not in HEADER_META:
                raise ValueError(f"{key!r} cannot travel in a header; use a Link header (links)")
            pattern, what = _META_NAMES[self.metadata == "headers"]
            if not re.fullmatch(pattern, name):
                raise ValueError(f"keys.{key}: {name!r} is not {what}")
        if style == "cursor" and not {"next_cursor", "links"} & set(names):
            raise ValueError(
                "a cursor page must hand the client the next cursor: add next_cursor to keys "
                "(or links, with metadata 'headers')"
            )
        spelled = list(names.values()) + ([self.items] if self.metadata == "flat" else [])
        lowered = [n.lower() for n in spelled] if self.metadata == "headers" else spelled
        if len(set(lowered)) != len(lowered):
            raise ValueError(f"the list answer's keys must be distinct, not {spelled}")


class SortSpec(_Strict):
    fields: list[str] = Field(default_factory=lambda: ["created_at"])
    default: str = Field("-created_at", description="A sort field, '-' prefix for descending.")
    param: WireName = Field(
        "sort", description="Query parameter naming the field ('-x' descending)."
    )
    order_param: WireName | None = Field(
        None, description="Separate asc/desc parameter (e.g. 'order'), if the contract uses one."
    )


ChoiceValue = bool | str | None


class ChoiceFilter(_Strict):
    """A query parameter whose words stand for values of a bool or enum field, e.g.
    status=all|pending|completed over `completed` (pending: false, completed: true)."""

    field: str
    values: dict[str, ChoiceValue] = Field(
        ..., description="Each accepted word and the field value it selects; null: no filter."
    )
    default: str | None = Field(None, description="The word assumed when the parameter is absent.")
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ChoiceFilter:
        if len(self.values) < 2:
            raise ValueError("a choice filter needs at least two values")
        for word in self.values:
            if not re.fullmatch(r"[A-Za-z0-9][\w-]{0,40}", word):
                raise ValueError(f"choice {word!r}: letters, digits, '_' or '-' only")
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"default {self.default!r} is not one of {list(self.values)}")
        return self


# The field types each kind of list filter accepts (equality: ?f=v; any_of: ?f=a,b; range:
# ?<param>=bound). Validation and the readers both ask this table.
FILTER_TYPES: dict[str, frozenset[str]] = {
    "equality": frozenset(FIELD_TYPES) - JSON_TYPES - {"text"},
    "any_of": frozenset({"str", "int", "enum", "uuid"}),
    "range": frozenset({"int", "float", "decimal", "date", "datetime"}),
}
ClauseOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "is_null", "not_null"]
# The operators a derived filter's clause may apply to a field of each type (validation and
# the readers both ask this table). A clause on a NULL value is never met, except is_null.
_ORDERED = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "is_null", "not_null"})
_MATCHED = frozenset({"eq", "ne", "is_null", "not_null"})
CLAUSE_OPS: dict[str, frozenset[str]] = {
    **{t: _ORDERED for t in ("int", "float", "decimal", "date", "datetime")},
    **{t: _MATCHED for t in ("str", "enum", "uuid", "bool", "email", "uri")},
    "text": frozenset({"is_null", "not_null"}),
    # A JSON column may hold JSON null rather than SQL NULL: no clause can tell them apart.
    **{t: frozenset() for t in JSON_TYPES},
}
NULL_OPS = frozenset({"is_null", "not_null"})
# Words a clause's value may be instead of a literal: the request's moment (UTC), for fields
# of this type.
CLOCK_WORDS: dict[str, str] = {"now": "datetime", "today": "date"}
# At most this many values in one any_of parameter; more are answered with the validation status.
ANY_OF_MAX = 20
RangeOp = Literal["ge", "le", "gt", "lt"]


class RangeFilter(_Strict):
    """A query parameter bounding a field: ?min_amount=10 is {field: amount, op: ge}."""

    field: str
    op: RangeOp = Field(
        ..., description="ge: field >= value; gt: field > value; le: <=; lt: <.", examples=["ge"]
    )
    source: str | None = None


class Clause(_Strict):
    """One condition on a row: {field: due_on, op: lt, value: today}."""

    field: str = Field(..., description="A field of the resource, or created_at/updated_at.")
    op: ClauseOp = Field(
        ...,
        description="eq, ne, lt, le, gt, ge compare with value; is_null and not_null take "
        "none. Which apply to which field type: CLAUSE_OPS in sp_backend/plan/model.py.",
        examples=["lt"],
    )
    value: bool | int | float | str | None = Field(
        None,
        description="A literal of the field's type, or now (datetime) / today (date): the "
        "request's moment in UTC.",
        examples=["now", 0],
    )

    @model_validator(mode="before")
    @classmethod
    def _dates_as_text(cls, data: Any) -> Any:
        # YAML reads 2030-01-01 as a date: keep the plan's values as the text they were.
        if isinstance(data, dict) and hasattr(data.get("value"), "isoformat"):
            data = {**data, "value": data["value"].isoformat()}
        return data

    @model_validator(mode="after")
    def _value_fits_op(self) -> Clause:
        if self.op in NULL_OPS and self.value is not None:
            raise ValueError(f"op {self.op!r} takes no value; drop value")
        if self.op not in NULL_OPS and self.value is None:
            raise ValueError(f"op {self.op!r} compares with a value; state value (null: is_null)")
        return self


class DerivedFilter(_Strict):
    """A boolean query parameter standing for a condition on the row: ?overdue=true keeps the
    rows meeting every clause, ?overdue=false the others (a NULL never meets a clause)."""

    all_of: list[Clause] = Field(
        ...,
        min_length=1,
        description="The clauses, all of which a row must meet.",
        examples=[[{"field": "due_on", "op": "lt", "value": "today"}]],
    )
    description: str | None = Field(
        None, description="The condition in the contract's words (the OpenAPI states it)."
    )
    source: str | None = None


class ListOperation(_Strict):
    pagination: Pagination = Field(default_factory=Pagination)
    filters: list[str] = Field(default_factory=list, description="Fields filterable by equality.")
    any_of: list[str] = Field(
        default_factory=list,
        description="Fields matched against any of several values, sent comma-separated in one "
        f"parameter named like the field (?status=open,closed); at most {ANY_OF_MAX} values "
        "(a repeated parameter is not read: its last value would win).",
        examples=[["status"]],
    )
    ranges: dict[WireName, RangeFilter] = Field(
        default_factory=dict,
        description="Query parameters bounding a field, by name: "
        "{min_amount: {field: amount, op: ge}, spent_before: {field: spent_on, op: lt}}.",
    )
    choices: dict[str, ChoiceFilter] = Field(
        default_factory=dict,
        description="Query parameters whose words select values of a field (status=pending).",
    )
    derived: dict[WireName, DerivedFilter] = Field(
        default_factory=dict,
        description="Boolean query parameters derived from a condition on the row, by name: "
        "?overdue=true keeps the rows meeting every clause, false the others, absent: no "
        "filter.",
        examples=[
            {
                "overdue": {
                    "all_of": [
                        {"field": "due_at", "op": "lt", "value": "now"},
                        {"field": "returned_at", "op": "is_null"},
                    ]
                },
                "in_stock": {"all_of": [{"field": "quantity", "op": "gt", "value": 0}]},
            }
        ],
    )
    search: list[str] = Field(default_factory=list, description="Text fields searched by q.")
    search_param: WireName = "search"
    sort: SortSpec = Field(default_factory=SortSpec)
    response: ListResponse = Field(
        default_factory=ListResponse,
        description='The answer\'s shape; default {"items": [...], "pagination": {...}}.',
    )
    source: str | None = None
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Where each list convention this list follows is stated, when the contract "
        "states it once for every list (a Pagination or Filtering section) rather than under "
        "this list: the plan term it set (a parameter name, pagination.default, sort.fields) "
        "-> file:line. Informational; the values themselves are the keys above.",
        examples=[{"per_page": "specs/api.md:203", "pagination.max": "specs/api.md:348"}],
    )

    @property
    def filter_params(self) -> list[str]:
        """Query parameters of equality, any_of, range and derived filters, as spelled."""
        return [*self.filters, *self.any_of, *self.ranges, *self.derived]

    @property
    def param_names(self) -> list[str]:
        """Every query parameter this list reads besides filters and choices, as spelled."""
        names = list(self.pagination.param_names.values())
        if self.search:
            names.append(self.search_param)
        if self.pagination.style != "cursor":
            names += [self.sort.param] + ([self.sort.order_param] if self.sort.order_param else [])
        return names


class Operation(_Strict):
    status: int | None = Field(None, ge=200, le=299)
    source: str | None = None


class ReplaceOperation(Operation):
    """PUT /{id}: which fields it replaces, as the contract states them."""

    fields: list[Identifier] | None = Field(
        None,
        description="The fields a PUT body holds and replaces (one left out is reset to its "
        "default, or refused when required); every other field keeps its value and is refused "
        "in the body. Default: every field a PATCH may change.",
        examples=[["title", "notes"]],
    )

    @model_validator(mode="after")
    def _fields_distinct(self) -> ReplaceOperation:
        if self.fields is not None:
            if not self.fields:
                raise ValueError("fields: name at least one field (or drop the key)")
            twice = sorted({f for f in self.fields if self.fields.count(f) > 1})
            if twice:
                raise ValueError(f"fields: {', '.join(twice)} named more than once")
        return self


DeleteAnswer = Literal["none", "message", "object", "marker"]


class DeleteOperation(Operation):
    """DELETE /{id} and what it answers, as the contract shows it."""

    answer: DeleteAnswer = Field(
        "none",
        description="none: an empty body (204, or the stated status); message: "
        '{"<message_key>": "<message>"}, e.g. {"message": "Reservation cancelled"}; object: '
        "the deleted row as read answers it (in responses.envelope); marker: the envelope's "
        'marker alone, {"success": true} or JSend\'s {"status": "success", "data": null} '
        "(responses.envelope success or status). A body needs a status other than 204 "
        "(default 200).",
        examples=["message"],
    )
    message: Message | None = Field(
        None,
        description="answer message: the text, in the contract's words.",
        examples=["Reservation cancelled"],
    )
    message_key: JsonKey = Field(
        "message", description="answer message: the JSON key holding it.", examples=["detail"]
    )

    @model_validator(mode="after")
    def _answer_fits(self) -> DeleteOperation:
        if self.answer == "message" and self.message is None:
            raise ValueError("answer 'message' needs the message (message: ...)")
        if self.answer != "message" and (self.message is not None or self.message_key != "message"):
            raise ValueError(
                f"message and message_key apply to answer 'message', not {self.answer!r}"
            )
        if self.answer != "none" and self.status == 204:
            raise ValueError(
                f"answer {self.answer!r} has a body, which a 204 cannot carry; use 200"
            )
        return self


class Action(_Strict):
    method: Literal["POST", "PATCH", "PUT"] = "PATCH"
    path: str = Field(..., description="Relative to the item path, e.g. '/{id}/complete'.")
    effect: Literal["toggle", "set", "body"] = Field(
        "toggle",
        description="toggle: flips a bool field; set: writes `value`; body: writes the value the "
        'request body carries under the field\'s JSON key ({"status": "shipped"}), validated by '
        "the field's own type and constraints (setting it twice leaves it so).",
        examples=["body"],
    )
    field: Identifier
    value: Any = Field(None, description="Value written by effect 'set'.")
    status: int = Field(200, ge=200, le=299)
    source: str | None = None

    @model_validator(mode="after")
    def _path_shape(self) -> Action:
        if not re.fullmatch(r"/\{id\}/[a-z0-9][a-z0-9_-]*", self.path):
            raise ValueError(f"action path {self.path!r} must look like '/{{id}}/name'")
        if self.effect == "set" and self.value is None:
            raise ValueError("effect 'set' needs a value")
        if self.effect != "set" and self.value is not None:
            raise ValueError(
                f"effect {self.effect!r} takes no value (only effect 'set' writes a fixed one)"
            )
        return self


# A text id (id: str) is id_prefix followed by this many random letters and digits: 62**20,
# about 119 bits, so ids cannot be guessed or enumerated.
ID_RANDOM_LENGTH = 20
ID_PREFIX_PATTERN = r"[A-Za-z0-9]{1,16}[_-]?"

# Characters a client-given id may never hold: it is one segment of a URL path, so no slash,
# no query or fragment mark, no percent escape, no backslash, no space or control character.
UNSAFE_ID_CHARS = "/?#%\\ \t\r\n\x00"
# The longest client-given id (the column's length).
GIVEN_ID_MAX_LENGTH = 255


def _pattern_allows(pattern: str, char: str) -> bool:
    """Whether some position of `pattern` can match `char` (its character classes, literals
    and `.` are read from Python's own regex parser; lookarounds count as matching)."""
    try:
        from re import _constants as sre  # type: ignore[attr-defined]
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - older layout
        import sre_constants as sre  # type: ignore[no-redef]
        import sre_parse  # type: ignore[no-redef]
    code = ord(char)
    categories = {
        sre.CATEGORY_DIGIT: char.isdigit(),
        sre.CATEGORY_NOT_DIGIT: not char.isdigit(),
        sre.CATEGORY_WORD: char.isalnum() or char == "_",
        sre.CATEGORY_NOT_WORD: not (char.isalnum() or char == "_"),
        sre.CATEGORY_SPACE: char.isspace(),
        sre.CATEGORY_NOT_SPACE: not char.isspace(),
    }

    def in_class(items: list[Any]) -> bool:
        negate = bool(items) and items[0][0] is sre.NEGATE
        hit = False
        for op, arg in items:
            if op is sre.LITERAL:
                hit |= code == arg
            elif op is sre.RANGE:
                hit |= arg[0] <= code <= arg[1]
            elif op is sre.CATEGORY:
                hit |= categories.get(arg, True)
        return hit != negate

    def walk(nodes: Any) -> bool:
        for op, arg in nodes:
            if op is sre.LITERAL and arg == code:
                return True
            if op is sre.NOT_LITERAL and arg != code:
                return True
            if op is sre.ANY and char != "\n":
                return True
            if op is sre.IN and in_class(arg):
                return True
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
                if walk(arg[2]):
                    return True
            elif op is sre.SUBPATTERN:
                if walk(arg[-1]):
                    return True
            elif op is getattr(sre, "ATOMIC_GROUP", None):
                if walk(arg):
                    return True
            elif op is sre.BRANCH:
                if any(walk(branch) for branch in arg[1]):
                    return True
        return False

    return walk(sre_parse.parse(pattern))


class GivenId(_Strict):
    """A text id the client gives on create (a slug, a code): checked by the contract's pattern
    and length, stored as given, never changed afterwards, and the row's key in every path."""

    pattern: str | None = Field(
        None,
        description="The regular expression every id matches, anchored (^...$), e.g. "
        "^[a-z0-9]+(-[a-z0-9]+)*$. It may not match an empty id nor any character a URL path "
        "segment cannot carry as is (/ ? # % \\ spaces): the id is one segment of the path.",
        examples=["^[a-z0-9]+(-[a-z0-9]+)*$"],
    )
    max_length: int = Field(
        ...,
        ge=1,
        le=GIVEN_ID_MAX_LENGTH,
        description="The longest id (the column's length); the contract's maxLength.",
        examples=[64],
    )
    unique: Literal["owner", "global"] | None = Field(
        None,
        description="Where an id must be unique. owner (the default, and the only choice that "
        "keeps users apart): each user has their own ids, two users may both hold "
        "'blue-room', and a user never learns whether another's id exists. global: one row "
        "per id across every user (public handles), so a 409 tells a caller the id is taken "
        "by someone; only when the contract says so. A resource without an owner column is "
        "global.",
        examples=["owner"],
    )
    example: str | None = Field(
        None, description="A valid id, for the generated tests and the OpenAPI."
    )
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> GivenId:
        if self.pattern is None:
            raise ValueError(
                "a client-given id states the pattern it must match (pattern: "
                "'^[a-z0-9]+(-[a-z0-9]+)*$'): without one any text, a slash among it, "
                "would be a key"
            )
        try:
            compiled = re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(
                f"pattern {self.pattern!r} is not a regular expression: {exc}"
            ) from None
        if not (self.pattern.startswith("^") and self.pattern.endswith("$")):
            raise ValueError(
                f"pattern {self.pattern!r} must be anchored (^...$): the whole id matches it"
            )
        if compiled.fullmatch("") is not None:
            raise ValueError(f"pattern {self.pattern!r} matches an empty id; require a character")
        unsafe = [c for c in UNSAFE_ID_CHARS if _pattern_allows(self.pattern, c)]
        if unsafe:
            shown = ", ".join(repr(c) for c in unsafe)
            raise ValueError(
                f"pattern {self.pattern!r} allows {shown}: an id is one segment of a URL path, "
                "so it may hold none of / ? # % \\ or spaces"
            )
        for segment in (".", ".."):
            if compiled.fullmatch(segment):
                raise ValueError(
                    f"pattern {self.pattern!r} matches {segment!r}, which a URL path reads as a "
                    "directory step; exclude it (e.g. start with a letter or digit)"
                )
        if self.example is not None and not compiled.fullmatch(self.example):
            raise ValueError(f"example {self.example!r} does not match pattern {self.pattern!r}")
        if self.example is not None and len(self.example) > self.max_length:
            raise ValueError(
                f"example {self.example!r} is longer than max_length {self.max_length}"
            )
        return self


# A path parameter of a custom operation besides the item's own {id}.
PathParamType = Literal["str", "int", "uuid"]
_OP_PATH = re.compile(r"(/\{id\}|/\{[a-z][a-z0-9_]*\}|/[a-z0-9][a-z0-9_.-]*)*")


class CustomOperation(_Strict):
    """An endpoint that is neither CRUD nor a plain toggle/set (approve, availability, settings,
    a child created through its parent). emit serves it with its schemas and documented statuses
    and hands its body to a handler the user owns (app/extensions/<collection>_<name>.py), which
    answers 501 until someone implements it."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(
        ...,
        description="Relative to the collection path: '/{id}/approve', '/summary', "
        "'/{id}/variants/{variant_id}' ('' for the collection itself).",
    )
    summary: str | None = Field(None, description="What it does, in the contract's words.")
    params: dict[Identifier, PathParamType] = Field(
        default_factory=dict, description="Types of the path parameters other than {id}."
    )
    query: dict[Identifier, FieldSpec] = Field(
        default_factory=dict, description="Query parameters it reads (all optional)."
    )
    request: dict[Identifier, FieldSpec] | None = Field(
        None, description="Fields of its JSON body; null: it takes no body."
    )
    response: Literal["resource", "none"] | dict[Identifier, FieldSpec] = Field(
        "resource",
        description="resource: the item as the API returns it; none: no body; or the "
        "answer's own fields.",
    )
    response_list: bool = Field(False, description="The answer is a JSON array of those.")
    status: int = Field(200, ge=200, le=299, description="Success status.")
    errors: dict[int, str] = Field(
        default_factory=dict, description="Documented error statuses and when they happen."
    )
    auth: bool = Field(True, description="Needs a signed-in caller.")
    scope: Literal["owner", "any"] = Field(
        "owner",
        description="owner: the {id} must name one of the caller's rows (others answer the "
        "not-owner status before the handler runs); any: the handler decides.",
    )
    example_request: Any = Field(None, description="The contract's example body.")
    example_response: Any = Field(None, description="The contract's example answer.")
    source: str | None = None

    @property
    def on_item(self) -> bool:
        return self.path.startswith("/{id}")

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([a-z][a-z0-9_]*)\}", self.path)

    @model_validator(mode="after")
    def _check(self) -> CustomOperation:
        if not _OP_PATH.fullmatch(self.path) or "{id}" in self.path[1:] and not self.on_item:
            raise ValueError(
                f"operation path {self.path!r} must be relative to the collection, like "
                "'/{id}/approve' or '/summary' ({id} only as the first segment)"
            )
        names = self.path_params
        if len(set(names)) != len(names):
            raise ValueError(f"operation path {self.path!r} repeats a parameter")
        extra = [n for n in names if n != "id"]
        if sorted(extra) != sorted(self.params):
            raise ValueError(
                f"params must type exactly the path parameters besides id: {extra}, "
                f"not {sorted(self.params)}"
            )
        if self.method in ("GET", "DELETE") and self.request is not None:
            raise ValueError(f"a {self.method} operation takes no body (request: null)")
        if self.response == "none" and self.response_list:
            raise ValueError("response 'none' cannot be a list")
        for code in self.errors:
            if not 400 <= code <= 599:
                raise ValueError(f"errors: {code} is not an error status")
        if self.scope == "owner" and not self.auth and self.on_item:
            raise ValueError("scope 'owner' needs auth: a caller to own the row")
        clashes = set(self.query) & set(names)
        if clashes:
            raise ValueError(f"query parameters {sorted(clashes)} clash with path parameters")
        return self


class Operations(_Strict):
    list: ListOperation | None = Field(default_factory=ListOperation)
    create: Operation | None = Field(default_factory=lambda: Operation(status=201))
    read: Operation | None = Field(default_factory=Operation)
    update: Operation | None = Field(
        default_factory=Operation, description="PATCH: partial update, only the fields sent."
    )
    replace: ReplaceOperation | None = Field(
        None,
        description="PUT /{id}: replaces the fields it names (default: every field a PATCH "
        "may change).",
    )
    delete: DeleteOperation | None = Field(
        default_factory=lambda: DeleteOperation(status=204),
        description="DELETE /{id}: its status and what it answers (default: 204, no body).",
    )
    actions: dict[Identifier, Action] = Field(default_factory=dict)
    custom: dict[Identifier, CustomOperation] = Field(
        default_factory=dict,
        description="Endpoints that are not CRUD or toggle/set: served by emit, implemented by "
        "hand in app/extensions/<collection>_<name>.py (501 until then).",
    )

    @model_validator(mode="after")
    def _custom_distinct(self) -> Operations:
        taken = {(a.method, a.path): f"action {n!r}" for n, a in self.actions.items()}
        taken |= {
            (m, p): "CRUD"
            for m, p, op in (
                ("GET", "", self.list),
                ("POST", "", self.create),
                ("GET", "/{id}", self.read),
                ("PATCH", "/{id}", self.update),
                ("PUT", "/{id}", self.replace),
                ("DELETE", "/{id}", self.delete),
            )
            if op is not None
        }
        for name, op in self.custom.items():
            key = (op.method, re.sub(r"\{(?!id\})[^}]*\}", "{}", op.path))
            if key in taken:
                raise ValueError(
                    f"custom operation {name!r} ({op.method} {op.path}) is also "
                    f"served as {taken[key]}"
                )
            taken[key] = f"custom operation {name!r}"
        return self


RoleName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")]


def role_word(role: str) -> str:
    """A role as a Python name's part (the generated gate is named after it): 'shop-admin' ->
    'shop_admin'. Two roles with one word would share a gate, so the plan refuses that."""
    return "".join(ch if ch.isalnum() else "_" for ch in role).lower()


ReadRule = Literal["owner", "signed_in", "public"]
WriteRule = Literal["owner", "signed_in"]
# The operations a role may gate, besides the resource's actions (by name).
GATED_OPERATIONS = ("list", "read", "create", "update", "replace", "delete")


class Access(_Strict):
    """Who may read and who may change a resource's rows, beyond "each user their own"."""

    read: ReadRule | None = Field(
        None,
        description="Who lists and gets rows. owner: each caller only their own rows (the "
        "owner filter, in SQL); signed_in: every signed-in caller every row; public: anyone, "
        "with or without a token, every row. Default: owner with an owner column, else "
        "signed_in.",
        examples=["signed_in", "public"],
    )
    write: WriteRule | None = Field(
        None,
        description="Who updates, replaces, acts on and deletes a row. owner: only the row's "
        "owner (someone else's row answers errors.not_owner_status); signed_in: every "
        "signed-in caller. Create always stores the caller as the owner. Default: owner with "
        "an owner column, else signed_in.",
        examples=["owner"],
    )
    roles: dict[Identifier, list[RoleName]] = Field(
        default_factory=dict,
        description="Operation (list, read, create, update, replace, delete, or an action's "
        "name) -> the roles allowed to call it (any one of them; auth.roles_claim carries "
        "them). A caller holding none is answered 403. The read and write rules still apply.",
        examples=[{"delete": ["admin"], "publish": ["admin", "editor"]}],
    )
    every_row: list[RoleName] = Field(
        default_factory=list,
        description="Roles whose holders read and change every row, not only their own (the "
        "owner filter lets them through, in SQL); e.g. moderators. Needs an owner column.",
        examples=[["admin"]],
    )
    source: str | None = None

    def read_rule(self, owned: bool) -> ReadRule:
        return self.read or ("owner" if owned else "signed_in")

    def write_rule(self, owned: bool) -> WriteRule:
        return self.write or ("owner" if owned else "signed_in")

    @property
    def role_names(self) -> list[str]:
        """Every role this resource names, sorted."""
        names = {role for roles in self.roles.values() for role in roles} | set(self.every_row)
        return sorted(names)


class Resource(_Strict):
    table: Identifier
    path: str = Field(
        ...,
        description="Collection path, e.g. /api/tasks or /api/{user_id}/tasks; under a parent "
        "(see parent), the parent's path, its id and this collection: "
        "/api/boards/{board_id}/cards.",
    )
    parent: Identifier | None = Field(
        None,
        description="Nested routes: the reference field naming the row this resource lives "
        "under (a field with references to a resource of this plan). The path is the parent "
        "resource's path, then /{<this field>}, then this collection's segment; the id in the "
        "path scopes every query (with the owner), is what create stores (never a body's), and "
        "a parent that is missing or not the caller's is answered with the reference's status. "
        "Several levels nest the same way (the parent has a parent of its own).",
        examples=["board_id"],
    )
    id: Literal["uuid", "int", "str"] = Field(
        "uuid",
        description="The type of the row's id: uuid (random, made by the server), int (numbered "
        "by the database) or str, a text id made by the server as id_prefix followed by "
        f"{ID_RANDOM_LENGTH} random letters and digits from a cryptographic source (unguessable, "
        "never in order), as Stripe-style contracts show them (inv_3kd9Qx...). A malformed id "
        "in a path is answered with the validation status, as for a uuid.",
        examples=["str"],
    )
    id_prefix: str | None = Field(
        None,
        description="id str: the text every generated id starts with, e.g. inv_ or cus_ (1 to "
        "16 letters or digits, then optionally _ or -). Only for id: str.",
        examples=["inv_"],
    )
    id_given: GivenId | None = Field(
        None,
        description="id str: the client gives the id on create (a slug or a code, in the "
        "create body as id) instead of the server making one; its pattern and length are the "
        "contract's, it is never changed afterwards (PATCH and PUT refuse it), a duplicate is "
        "answered 409 in the error envelope, and paths, references and nested routes name the "
        "row by it. Unique per owner unless unique: global. Not with id_prefix.",
        examples=[{"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "max_length": 64}],
    )
    owner: Identifier | None = Field(
        "user_id", description="Column holding the owning user's id; null for unowned resources."
    )
    owner_in_response: bool = True
    tenant: Identifier | None = Field(
        None,
        description="Rows belong to a tenant (an organization, workspace or team), not to one "
        "user: the column holding the tenant's id, set from the token's auth.tenant_claim on "
        "create (never from a body). Every statement is filtered by it in SQL, so every "
        "caller of the same tenant reads (and, unless access.write is owner, changes) the same "
        "rows and another tenant's row is not found (404). The access rules apply within the "
        "tenant: the default becomes every member (signed_in); write: owner keeps changes to "
        "the row's creator (the owner column).",
        examples=["org_id"],
    )
    timestamps: bool = True
    json_names: JsonNames = Field(
        "snake_case",
        description="How JSON keys are spelled on the wire (bodies, answers, filters, sort "
        "words); columns stay snake_case. A field's json_name overrides it.",
        examples=["camelCase"],
    )
    fields: dict[Identifier, FieldSpec]
    operations: Operations = Field(default_factory=Operations)
    messages: ResourceMessages = Field(
        default_factory=ResourceMessages,
        description="The contract's error messages for this resource (not found, taken values).",
    )
    access: Access = Field(
        default_factory=Access,
        description="Who reads and who changes rows (owner, signed_in, public), operations "
        "only a role may call, and roles that reach every row. Default: each user their own "
        "rows (with an owner column), every signed-in caller (without).",
        examples=[{"read": "public", "write": "owner", "roles": {"delete": ["admin"]}}],
    )
    embed: Embed = Field(
        default_factory=Embed,
        description="Related data in the answers: summaries of referenced rows and counts of "
        "rows referring to this one, as the contract's examples show them.",
        examples=[{"summaries": {"board": {"reference": "board_id", "fields": ["name"]}}}],
    )
    source: str | None = None

    @property
    def path_has_user_id(self) -> bool:
        return "{user_id}" in self.path

    @property
    def path_params(self) -> list[str]:
        """The parameters of the collection path ({user_id}, the parents' ids), in order."""
        return re.findall(r"\{([a-z][a-z0-9_]*)\}", self.path)

    def _parent_fits(self) -> None:
        """A path parameter besides {user_id} is a parent's id: the parent field's own at the
        end (the parent resource's path before it is checked by the plan)."""
        params = [p for p in self.path_params if p != "user_id"]
        if len(set(self.path_params)) != len(self.path_params):
            raise ValueError(f"path {self.path!r} repeats a parameter")
        if self.parent is None:
            if params:
                raise ValueError(
                    f"path {self.path!r} names {{{params[-1]}}}: a nested collection states its "
                    f"parent (parent: {params[-1]}, a reference field)"
                )
            return
        where = f"parent {self.parent!r}"
        spec = self.fields.get(self.parent)
        if spec is None or spec.references is None:
            raise ValueError(
                f"{where}: not a reference field of this resource; the parent is a field with "
                f"references: {{resource: ...}}"
            )
        if spec.is_nullable or spec.references.on_delete == "set_null":
            raise ValueError(
                f"{where}: a nested row always has its parent: the field cannot be nullable "
                "nor on_delete set_null (use restrict or cascade)"
            )
        ends_under_parent = re.search(r"\}/[a-z0-9_-]+$", self.path) is not None
        if not params or params[-1] != self.parent or not ends_under_parent:
            raise ValueError(
                f"{where}: the path must end with /{{{self.parent}}}/<collection>, "
                f"not {self.path!r}"
            )
        if self.owner is not None and self.owner == self.parent:
            raise ValueError(f"{where}: the owner column cannot be the parent")

    @property
    def default_owned(self) -> bool:
        """Rows are each user's own unless access says otherwise: with an owner column and no
        tenant (a tenant's rows are its members' by default)."""
        return self.owner is not None and self.tenant is None

    def _tenant_fits(self) -> None:
        if self.tenant is None:
            return
        where = f"tenant {self.tenant!r}"
        if self.tenant == self.owner or self.tenant in self.fields:
            raise ValueError(
                f"{where}: the tenant column is its own column, set from the token: it cannot "
                "be the owner column nor a field of the body"
            )
        if self.tenant in RESERVED_FIELD_NAMES:
            raise ValueError(f"{where}: a reserved name (id, timestamps, query parameters)")
        if self.access.read == "public":
            raise ValueError(
                "access.read: 'public' reads carry no token, so no tenant: a tenant's rows are "
                "read by its members (signed_in, the default) or their owners (owner)"
            )
        if self.path_has_user_id:
            raise ValueError(
                f"{where}: a path with {{user_id}} is one user's own collection; a tenant's "
                "rows are its members', so the path cannot name a user"
            )
        if self.parent is not None:
            raise ValueError(
                f"{where}: a nested resource is reached through its parent; tenant scopes on "
                "nested routes are not generated (scope the top resource and leave its "
                "children's routes to app/extensions/)"
            )

    def _access_fits(self) -> None:
        """The access rules name this resource's operations and fit its owner column."""
        access = self.access
        where = "access"
        if self.owner is None and access.write == "owner":
            raise ValueError(
                f"{where}.write: 'owner' needs an owner column (owner: ...); without one every "
                "signed-in caller changes rows (signed_in), or gate writes with access.roles"
            )
        if self.owner is None and access.read == "owner":
            raise ValueError(f"{where}.read: 'owner' needs an owner column (owner: ...)")
        if self.owner is None and access.every_row:
            raise ValueError(
                f"{where}.every_row: without an owner column every caller reaches every row "
                "already; drop it"
            )
        if self.path_has_user_id and access.read_rule(True) != "owner":
            raise ValueError(
                f"{where}.read: a path with {{user_id}} is the caller's own collection; "
                f"{access.read!r} reads other users' rows, so the path cannot name one"
            )
        if self.parent is not None and access != Access():
            raise ValueError(
                f"{where}: a nested resource is reached through its parent, whose rows the path "
                "checks are the caller's (a public child of a private parent would show what "
                "the parent hides); access rules for nested routes are not generated"
            )
        ops = self.operations
        known = [n for n in GATED_OPERATIONS if getattr(ops, n) is not None] + list(ops.actions)
        for name, roles in access.roles.items():
            if name not in known:
                raise ValueError(
                    f"{where}.roles.{name}: not an operation of this resource; use one of: "
                    f"{', '.join(known)} (a custom operation's handler decides for itself)"
                )
            if not roles:
                raise ValueError(f"{where}.roles.{name}: name at least one role (or drop it)")

    def _given_id_access_fits(self) -> None:
        """Ids unique per owner name a row only together with its owner: every read and write
        must be the caller's own rows (a rule reaching other users' rows would meet several
        rows of one id)."""
        if not self.keyed_per_owner:
            return
        access = self.access
        wide = [
            name
            for name, rule in (
                ("read", access.read_rule(True)),
                ("write", access.write_rule(True)),
            )
            if rule != "owner"
        ]
        if access.every_row:
            wide.append("every_row")
        if wide:
            raise ValueError(
                f"id_given: ids unique per owner (the default) name a row only with its owner, "
                f"but access.{wide[0]} reaches other users' rows, where one id names several; "
                "keep access to the owner or make the ids unique: global"
            )

    def answering_operations(self) -> list[str]:
        """The operations whose success answer carries a body (a message may ride beside it)."""
        ops = self.operations
        crud = ("list", "create", "read", "update", "replace")
        names = [name for name in crud if getattr(ops, name) is not None]
        if ops.delete is not None and ops.delete.answer == "object":
            names.append("delete")  # the deleted row, in the envelope
        names += list(ops.actions)
        names += [name for name, op in ops.custom.items() if op.response != "none"]
        return names

    def wire(self, name: str) -> str:
        """The JSON key of a field, the owner column, the id or a timestamp."""
        spec = self.fields.get(name)
        if spec is not None and spec.json_name is not None:
            return spec.json_name
        return camel_case(name) if self.json_names == "camelCase" else name

    def op_wire(self, name: str, spec: FieldSpec) -> str:
        """The JSON key of a custom operation's own field (body, answer or query parameter):
        its json_name, else the resource's convention."""
        if spec.json_name is not None:
            return spec.json_name
        return camel_case(name) if self.json_names == "camelCase" else name

    def wire_names(self) -> dict[str, str]:
        """Every key a body or answer can hold, by its attribute name."""
        names = ["id", *([self.owner] if self.owner else []), *self.fields]
        if self.timestamps:
            names += ["created_at", "updated_at"]
        return {name: self.wire(name) for name in names}

    @property
    def id_length(self) -> int | None:
        """id str: the length of every id (the prefix and the random part), or the longest a
        client may give."""
        if self.id != "str":
            return None
        if self.id_given is not None:
            return self.id_given.max_length
        return len(self.id_prefix or "") + ID_RANDOM_LENGTH

    @property
    def id_pattern(self) -> str | None:
        """id str: the regular expression every id matches (the path refuses others)."""
        if self.id != "str":
            return None
        if self.id_given is not None:
            return self.id_given.pattern
        return f"^{re.escape(self.id_prefix or '')}[0-9A-Za-z]{{{ID_RANDOM_LENGTH}}}$"

    @property
    def id_unique(self) -> Literal["owner", "global"] | None:
        """A client-given id: where it is unique (owner unless stated, global without one)."""
        if self.id_given is None:
            return None
        if self.owner is None:
            return "global"
        return self.id_given.unique or "owner"

    @property
    def keyed_per_owner(self) -> bool:
        """The row's key is (id, owner): ids the client gives, unique per owner."""
        return self.id_unique == "owner"

    def _id_fits(self) -> None:
        if self.id_given is not None:
            if self.id != "str":
                raise ValueError(
                    f"id_given: a client-given id is text (id: str), not id: {self.id}"
                )
            if self.id_prefix is not None:
                raise ValueError(
                    "id_given and id_prefix: an id is either given by the client or made by "
                    "the server as id_prefix + random letters; drop one"
                )
            if self.owner is None and self.id_given.unique == "owner":
                raise ValueError(
                    "id_given.unique: 'owner' needs an owner column; without one ids are "
                    "unique across the table (global)"
                )
            return
        if self.id != "str":
            if self.id_prefix is not None:
                raise ValueError(
                    f"id_prefix applies to a text id (id: str), not to id: {self.id}; drop "
                    "id_prefix or make the id str"
                )
            return
        if self.id_prefix is None:
            raise ValueError(
                "id: str is made by the server as id_prefix + random letters and digits; "
                "state id_prefix (e.g. inv_), or id_given when the client gives the id"
            )
        if not re.fullmatch(ID_PREFIX_PATTERN, self.id_prefix):
            raise ValueError(
                f"id_prefix {self.id_prefix!r} must be 1 to 16 letters or digits, then "
                "optionally _ or - (like inv_ or cus-): it is part of URLs"
            )

    @model_validator(mode="after")
    def _consistent(self) -> Resource:
        self._id_fits()
        if not re.fullmatch(r"(/[a-z0-9_-]+|/\{[a-z][a-z0-9_]*\})+", self.path):
            raise ValueError(
                f"path {self.path!r} must be like /api/items or /api/{{user_id}}/items "
                "(lowercase segments ending with the collection's own; {user_id} and, with a "
                "parent, the parents' ids the only parameters)"
            )
        self._parent_fits()
        self._access_fits()
        self._tenant_fits()
        self._given_id_access_fits()
        if self.path_has_user_id and self.owner is None:
            raise ValueError("a path with {user_id} needs an owner column")
        if not self.fields:
            raise ValueError("a resource needs at least one field")
        for name in self.fields:
            if name in RESERVED_FIELD_NAMES or name == self.owner:
                raise ValueError(
                    f"field name {name!r} is reserved (id, timestamps, the owner "
                    "column, query parameters and Python keywords are)"
                )
        wires: dict[str, str] = {}
        for name, key in self.wire_names().items():
            if key in wires:
                raise ValueError(
                    f"fields {wires[key]!r} and {name!r} both have the JSON key {key!r}; "
                    "give one a json_name"
                )
            wires[key] = name
        known = set(self.fields) | ({"created_at", "updated_at"} if self.timestamps else set())
        known_with_id = known | {"id"}
        ops = self.operations
        if ops.list is not None:
            _check_filters(ops.list, self.fields, self.timestamps)
            for f in ops.list.search:
                if f not in self.fields or self.fields[f].type not in ("str", "text"):
                    raise ValueError(f"search field {f!r} must be a str or text field")
            sort = ops.list.sort
            for f in sort.fields:
                if f not in known_with_id:
                    raise ValueError(f"sort field {f!r} is not a field of this resource")
                if f in self.fields and self.fields[f].type in JSON_TYPES:
                    raise ValueError(f"sort field {f!r}: {self.fields[f].type} cannot be sorted")
            if sort.default.lstrip("-") not in sort.fields:
                raise ValueError(
                    f"default sort {sort.default!r} must be one of the sort fields "
                    f"{sort.fields} (with '-' for descending)"
                )
            if ops.list.pagination.style == "cursor" and sort.order_param:
                raise ValueError("cursor pagination sorts by its default order; drop order_param")
            ops.list.response.check(ops.list.pagination.style)
            spelled = ops.list.param_names + ops.list.filter_params
            if len(set(spelled)) != len(spelled):
                raise ValueError(f"list query parameters must have distinct names, not {spelled}")
            taken = {"page", "page_size", "limit", "offset", "cursor", "sort", "order", "search"}
            taken |= set(spelled) | set(self.fields)
            for param, choice in ops.list.choices.items():
                where = f"list choice {param!r}"
                if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", param) or keyword.iskeyword(param):
                    raise ValueError(f"{where}: the name must be a lower-case identifier")
                if param in taken:
                    raise ValueError(f"{where}: the name is taken by a field or list parameter")
                field = self.fields.get(choice.field)
                if field is None or field.type not in ("bool", "enum"):
                    raise ValueError(f"{where}: {choice.field!r} is not a bool or enum field")
                for word, value in choice.values.items():
                    ok = value is None or (
                        isinstance(value, bool)
                        if field.type == "bool"
                        else isinstance(value, str) and value in (field.values or [])
                    )
                    if not ok:
                        allowed = "true, false" if field.type == "bool" else field.values
                        raise ValueError(
                            f"{where}: {word!r} selects {value!r}; expected null or one of "
                            f"{allowed}"
                        )
        for name in self.messages.conflict:
            if name not in self.fields or not self.fields[name].unique:
                raise ValueError(f"messages.conflict: {name!r} is not a unique field")
        for op_name, op in ops.custom.items():
            for part in ("request", "response", "query"):
                specs = getattr(op, part)
                if not isinstance(specs, dict):
                    continue
                seen: dict[str, str] = {}
                for name, spec in specs.items():
                    key = self.op_wire(name, spec)
                    if key in seen:
                        raise ValueError(
                            f"operations.custom.{op_name}.{part}: {seen[key]!r} and {name!r} "
                            f"both have the JSON key {key!r}; give one a json_name of its own"
                        )
                    seen[key] = name
        answering = self.answering_operations()
        for name in self.messages.answers:
            if name not in answering:
                raise ValueError(
                    f"messages.answers: {name!r} is not an operation of this resource that "
                    f"answers with a body; expected one of {sorted(answering)}"
                )
        if ops.replace is not None and ops.replace.fields is not None:
            for name in ops.replace.fields:
                field = self.fields.get(name)
                if field is None:
                    raise ValueError(
                        f"operations.replace.fields: {name!r} is not a field of this resource; "
                        f"expected one of {sorted(self.fields)}"
                    )
                if field.read_only or field.immutable:
                    kind = "read_only (set by the server)" if field.read_only else "immutable"
                    raise ValueError(
                        f"operations.replace.fields: {name!r} is {kind}, so no PUT replaces it"
                    )
        for name, action in ops.actions.items():
            field = self.fields.get(action.field)
            if field is None:
                raise ValueError(f"action {name!r} changes {action.field!r}, which is not a field")
            if action.effect == "toggle" and field.type != "bool":
                raise ValueError(f"action {name!r} toggles {action.field!r}, which is not bool")
            if field.immutable:
                raise ValueError(
                    f"action {name!r} changes {action.field!r}, which is immutable "
                    "(never changed after create)"
                )
        self._embed_fits()
        del known
        return self

    def embed_wire(self, key: str) -> str:
        """The JSON key of an embedded summary or count."""
        spec = self.embed.summaries.get(key) or self.embed.counts.get(key)
        if spec is not None and spec.json_name is not None:
            return spec.json_name
        return camel_case(key) if self.json_names == "camelCase" else key

    def _embed_fits(self) -> None:
        """Embedded keys are new answer keys: none is a field's name or JSON key, and each
        summary shows the row of one of this resource's own references."""
        wires = {key: name for name, key in self.wire_names().items()}
        names = set(self.wire_names())
        seen: dict[str, str] = {}
        for key in self.embed.keys:
            kind = "summaries" if key in self.embed.summaries else "counts"
            where = f"embed.{kind}.{key}"
            if key in seen:
                raise ValueError(f"{where}: {key!r} is both a summary and a count; keep one")
            if key in names or key in RESERVED_FIELD_NAMES or key.startswith("_"):
                raise ValueError(
                    f"{where}: {key!r} is the name of a field of this resource (or reserved); "
                    "name the embedded key differently"
                )
            wire = self.embed_wire(key)
            if wire in wires:
                raise ValueError(
                    f"{where}: its JSON key {wire!r} is that of {wires[wire]!r}; give it a "
                    "json_name of its own"
                )
            if wire in seen.values():
                raise ValueError(f"{where}: its JSON key {wire!r} is another embedded key's")
            seen[key] = wire
        for key, summary in self.embed.summaries.items():
            where = f"embed.summaries.{key}.reference"
            spec = self.fields.get(summary.reference)
            if spec is None or spec.references is None:
                refs = sorted(n for n, f in self.fields.items() if f.references is not None)
                raise ValueError(
                    f"{where}: {summary.reference!r} is not a reference field of this resource; "
                    f"expected one of {refs or 'none (add references: {resource: ...})'}"
                )
            if len(set(summary.fields)) != len(summary.fields):
                raise ValueError(f"embed.summaries.{key}.fields: {summary.fields} repeats a field")


def _check_filters(
    listing: ListOperation, fields: dict[str, FieldSpec], timestamps: bool = True
) -> None:
    """Each filter names a field of a type its kind accepts (FILTER_TYPES, CLAUSE_OPS), and no
    parameter name is spelled twice or taken by pagination, sort, search or a field."""

    def field_of(where: str, kind: str, name: str) -> None:
        if name not in fields:
            raise ValueError(f"{where}: list filter {name!r} is not a field of this resource")
        t = fields[name].type
        if t not in FILTER_TYPES[kind]:
            accepted = ", ".join(sorted(FILTER_TYPES[kind]))
            raise ValueError(f"{where}: {name!r} is {t}; {kind} filters accept {accepted}")

    for i, f in enumerate(listing.filters):
        field_of(f"operations.list.filters[{i}]", "equality", f)
    for i, f in enumerate(listing.any_of):
        where = f"operations.list.any_of[{i}]"
        field_of(where, "any_of", f)
        if f in listing.filters:
            raise ValueError(
                f"{where}: {f!r} is in filters too (any_of with one value is equality)"
            )
    others = [*listing.param_names, *listing.filters, *listing.any_of, *listing.choices]

    def claim(where: str, param: str) -> None:
        """The parameter's name, and the attribute it is read into, are its own."""
        if param in others or param in fields:
            raise ValueError(
                f"{where}: the name is taken by a field or another list parameter "
                f"(pagination, sort, search, filters: {others})"
            )
        attribute = python_name(param)
        concepts = {"page", "page_size", "limit", "offset", "cursor", "search", "sort", "order"}
        if attribute in set(fields) | concepts or any(python_name(o) == attribute for o in others):
            raise ValueError(f"{where}: the name reads as {attribute!r}, which is taken")
        others.append(param)

    for param, bound in listing.ranges.items():
        where = f"operations.list.ranges.{param}"
        field_of(where, "range", bound.field)
        claim(where, param)
    stamps = {"created_at": "datetime", "updated_at": "datetime"} if timestamps else {}
    for param, derived in listing.derived.items():
        where = f"operations.list.derived.{param}"
        for i, clause in enumerate(derived.all_of):
            problem = clause_problem(clause, fields, stamps)
            if problem:
                raise ValueError(f"{where}.all_of[{i}]: {problem}")
        claim(where, param)


def clause_problem(
    clause: Clause, fields: dict[str, FieldSpec], stamps: dict[str, str]
) -> str | None:
    """Why a clause cannot apply to these fields (None: it can): the field is unknown, the
    operator does not fit its type (CLAUSE_OPS), or the value does not parse as that type."""
    spec = fields.get(clause.field)
    field_type = spec.type if spec is not None else stamps.get(clause.field)
    if field_type is None:
        known = ", ".join([*fields, *stamps])
        return f"{clause.field!r} is not a field of this resource (one of: {known})"
    if not CLAUSE_OPS[field_type]:
        return f"{clause.field!r} is {field_type}; no clause applies to {field_type} fields"
    if clause.op not in CLAUSE_OPS[field_type]:
        fitting = ", ".join(sorted(CLAUSE_OPS[field_type]))
        return f"{clause.field!r} is {field_type}; op {clause.op!r} does not apply (use {fitting})"
    if clause.op in NULL_OPS:
        if spec is None or not spec.is_nullable:
            return f"{clause.field!r} is never null; op {clause.op!r} would be always or never met"
        return None
    expected = _value_problem(clause.value, field_type, spec)
    return f"value {clause.value!r} {expected}" if expected else None


def _value_problem(value: Any, field_type: str, spec: FieldSpec | None) -> str | None:
    """What a literal of `field_type` should look like, when `value` is not one."""
    if isinstance(value, str) and value in CLOCK_WORDS:
        clock = CLOCK_WORDS[value]
        return (
            None
            if clock == field_type
            else f"is a {clock} word; {field_type} fields take a literal"
        )
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if field_type == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else "is not an int"
    if field_type == "float":
        return None if number else "is not a number"
    if field_type == "decimal":
        try:
            ok = number or (isinstance(value, str) and Decimal(value).is_finite())
        except ArithmeticError:
            ok = False
        return None if ok else "is not a decimal number"
    if field_type == "bool":
        return None if isinstance(value, bool) else "is not true or false"
    if not isinstance(value, str):
        return f"is not text (a {field_type} value is written as a string)"
    if field_type == "enum":
        allowed = spec.values if spec is not None else []
        return None if value in (allowed or []) else f"is not one of {allowed}"
    parsers = {
        "uuid": "a UUID",
        "date": "an ISO date or today",
        "datetime": "an RFC 3339 date-time with its offset, or now",
    }
    if field_type in parsers:
        try:
            if field_type == "uuid":
                UUID(value)
            elif field_type == "date":
                date.fromisoformat(value)
            elif datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is None:
                raise ValueError("no offset")
        except ValueError:
            return f"is not {parsers[field_type]}"
    return None


def python_name(param: str) -> str:
    """The attribute a query parameter is read into (from -> from_, min-price -> min_price)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", param).lower()
    return f"{name}_" if keyword.iskeyword(name) or name in ("model_config",) else name


# The resolution of an unresolved entry whose endpoint the backend does not serve on purpose
# (`sp-backend check` reports such an endpoint as a note, not a mismatch).
LEFT_OUT = "left out of the generated backend"


class Unresolved(_Strict):
    what: str
    source: str | None = None
    resolution: str | None = Field(None, description="The safe default applied meanwhile.")


class Ignored(_Strict):
    """A contract or schema line the plan deliberately does not reflect, and why (`sp-backend
    check` lists every normative line no plan item cites, except these)."""

    source: str = Field(..., description="The line, file:line.", pattern=r"^.+:\d+$")
    reason: str = Field(..., min_length=3, description="Why the backend does not follow it.")


class Conflict(_Strict):
    what: str
    winner: str = Field(..., description="The source whose value was used, file:line.")
    loser: str = Field(..., description="The overruled source, file:line.")
    chosen: Any = None
    overruled: Any = None


class BackendPlan(_Strict):
    plan_version: Literal[1] = PLAN_VERSION
    feature: Slug
    project: ProjectConfig = Field(default_factory=ProjectConfig)
    sources: dict[str, str] = Field(default_factory=dict, description="Role -> spec file read.")
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    errors: ErrorConventions = Field(default_factory=ErrorConventions)
    responses: ResponseConventions = Field(
        default_factory=ResponseConventions,
        description="The envelope of successful answers (default: the object itself).",
    )
    resources: dict[Identifier, Resource] = Field(default_factory=dict)
    unresolved: list[Unresolved] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    ignored: list[Ignored] = Field(
        default_factory=list,
        description="Contract lines left out on purpose, each with its reason.",
    )
    # Where the plan was read from (set by sp_backend.plan.load), so that checks across plans
    # can cite the file and line of each key; None for a plan built in code.
    _origin: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> BackendPlan:
        tables = [r.table for r in self.resources.values()]
        dupes = sorted({t for t in tables if tables.count(t) > 1})
        if dupes:
            raise ValueError(f"two resources share the table(s) {dupes}")
        if not self.resources and self.auth.mode != "local":
            raise ValueError("a plan needs resources, or auth.mode 'local' (the auth feature)")
        for name in self.resources:
            if resource_class(name) in RESERVED_CLASS_NAMES:
                raise ValueError(
                    f"resources.{name}: its class {resource_class(name)} would shadow a name "
                    f"the generated code uses; rename the key (e.g. {name}_record: the path "
                    "and table stay as they are)"
                )
        self._field_classes_distinct()
        if self.auth.mode == "none":
            self._without_owners()
        self._answers_have_room()
        self._parents_in_plan()
        self._roles_have_claim()
        self._tenants_have_claim()
        self._embeds_in_plan()
        return self

    def _tenants_have_claim(self) -> None:
        """A tenant column is filled from auth.tenant_claim; rows of a tenant are reached only
        through that tenant's filter (no reference nor nested route leads into them)."""
        if self.auth.mode == "none":
            return  # refused with every other rule that needs a caller
        scoped = {name for name, r in self.resources.items() if r.tenant is not None}
        for name in sorted(scoped):
            if self.auth.tenant_claim is None:
                raise ValueError(
                    f"resources.{name}.tenant: rows belong to a tenant, but auth.tenant_claim is "
                    "not set; name the token claim that carries the tenant's id (e.g. "
                    "auth.tenant_claim: org_id)"
                )
        for name, r in self.resources.items():
            for field, spec in r.fields.items():
                ref = spec.references
                if ref is not None and ref.resource in scoped:
                    raise ValueError(
                        f"resources.{name}.fields.{field}.references: {ref.resource!r} is "
                        "tenant-scoped; references into a tenant's rows are not generated "
                        "(the reference check knows owners, not tenants): keep the id a plain "
                        "field and check it in app/extensions/"
                    )

    def _embeds_in_plan(self) -> None:
        """Each summary's fields are fields of the referenced resource, each counted resource
        refers to this one; resources of other plans are checked when the backend is emitted
        (sp_backend.emit.embeds)."""
        for name, r in self.resources.items():
            for key, summary in r.embed.summaries.items():
                ref = r.fields[summary.reference].references
                target = self.resources.get(ref.resource) if ref is not None else None
                if target is not None:
                    problem = summary_field_problem(target, summary.fields)
                    if problem:
                        raise ValueError(
                            f"resources.{name}.embed.summaries.{key}.fields: {problem}"
                        )
            for key, count in r.embed.counts.items():
                where = f"resources.{name}.embed.counts.{key}"
                child = self.resources.get(count.resource)
                if child is None:
                    # Another plan's resource: checked at emit, where every plan is known.
                    continue
                problem = count_field_problem(name, count.resource, child, count.field)
                if problem:
                    raise ValueError(f"{where}: {problem}")

    def _roles_have_claim(self) -> None:
        """A role rule needs the token claim that carries roles; a public read of a child
        under an owned parent would show rows whose parent is private."""
        words: dict[str, str] = {}
        for name, r in self.resources.items():
            for role in r.access.role_names:
                other = words.setdefault(role_word(role), role)
                if other != role:
                    raise ValueError(
                        f"resources.{name}.access: roles {other!r} and {role!r} differ only in "
                        "case or punctuation, so one check would pass both; expected names "
                        "that differ in letters or digits"
                    )
        for name, r in self.resources.items():
            if self.auth.mode == "none":
                return  # refused with every other rule that needs a caller
            access = r.access
            if (access.roles or access.every_row) and self.auth.roles_claim is None:
                key = "roles" if access.roles else "every_row"
                raise ValueError(
                    f"resources.{name}.access.{key}: names roles, but auth.roles_claim is not "
                    "set; name the token claim that carries them (e.g. auth.roles_claim: role)"
                )

    def _parents_in_plan(self) -> None:
        """A nested resource's path continues its parent resource's: the parent's path, the
        parent's id, the collection. (A parent path that nests back under its child could not
        be continued, so parents never go round in a circle.)"""
        for name, r in self.resources.items():
            if r.parent is None:
                continue
            where = f"resources.{name}.parent"
            ref = r.fields[r.parent].references
            if ref is None:  # refused by the resource itself
                continue
            target = ref.resource
            parent = self.resources.get(target)
            if parent is None:
                raise ValueError(
                    f"{where}: {r.parent!r} refers to {target!r}, which is not a resource of "
                    f"this plan; nested routes continue the parent's path, so both are planned "
                    f"together (resources: {', '.join(sorted(self.resources))})"
                )
            if target == name:
                raise ValueError(f"{where}: a resource cannot be nested under itself")
            segment = r.path.rsplit("/", 1)[-1]
            expected = f"{parent.path}/{{{r.parent}}}/{segment}"
            if r.path != expected:
                raise ValueError(
                    f"{where}: the path {r.path!r} must continue the parent's ({target}: "
                    f"{parent.path!r}): {expected!r}"
                )

    def _field_classes_distinct(self) -> None:
        """An enum's alias and an object's class are named after resource and field
        (sighting.location -> SightingLocation): none may be another resource's class."""
        classes = {resource_class(name): name for name in self.resources}
        for name, resource in self.resources.items():
            for field, spec in resource.fields.items():
                if spec.type not in ("enum", "object", "list[object]"):
                    continue
                alias = resource_class(name) + resource_class(field)
                alias += "Item" if spec.type == "list[object]" else ""
                if alias in classes:
                    raise ValueError(
                        f"resources.{name}.fields.{field}: its class {alias} is the class of "
                        f"resources.{classes[alias]} too; rename the field or that resource"
                    )

    def _answers_have_room(self) -> None:
        """The keys the envelope adds beside a list's items ("success", "status", the message
        key) need an object answer and must not be list keys of the contract's own."""
        added = [k for k in (self.responses.marker, self.responses.message_key) if k]
        what = {
            "success": "the envelope 'success' puts \"success\": true",
            "status": 'the envelope \'status\' puts "status": "success"',
        }
        for name, r in self.resources.items():
            listing = r.operations.list
            if listing is not None and listing.response.in_envelope:
                if self.responses.envelope == "none":
                    raise ValueError(
                        f"resources.{name}.operations.list.response.in_envelope: the page goes "
                        "inside the envelope's data key, and responses.envelope is none; set "
                        "the envelope (data, success or status) or in_envelope: false"
                    )
                continue  # the envelope's keys sit beside the page, not among its keys
            if listing is not None and added and listing.response.items is None:
                key = added[0]
                told = what.get(key, f"responses.message_key puts {key!r}")
                raise ValueError(
                    f"resources.{name}: {told} beside the list's items; a bare JSON array "
                    "(items: null) has no room for it"
                )
            for key in added:
                if listing is not None and key in _top_keys(listing):
                    raise ValueError(
                        f"resources.{name}: a list key is called {key!r}, which the envelope takes"
                    )
            delete = r.operations.delete
            if delete is not None and delete.answer == "marker" and self.responses.marker is None:
                raise ValueError(
                    f"resources.{name}.operations.delete: answer 'marker' is the envelope's "
                    "marker alone, and responses.envelope has none; set the envelope to success "
                    "or status, or answer none"
                )
            if r.messages.answers and self.responses.message_key is None:
                raise ValueError(
                    f"resources.{name}: messages.answers states messages beside the answers, "
                    "but responses.message_key is null; set it to the key that holds them "
                    "(e.g. 'message')"
                )

    def _without_owners(self) -> None:
        """auth.mode none: refuse what needs a caller (each problem with its key path), then
        leave the defaults that assume one out (no owner column, custom operations open)."""
        problems = list(_open_problems(self))
        if problems:
            raise ValueError("\n".join(problems))  # one located line each (plan/load.py)
        for resource in self.resources.values():
            resource.owner = None
            resource.__pydantic_fields_set__.discard("owner")
            for op in resource.operations.custom.values():
                op.auth, op.scope = False, "any"
                op.__pydantic_fields_set__.difference_update({"auth", "scope"})


def _open_problems(plan: BackendPlan) -> Iterator[str]:
    """What a plan with auth.mode none states that needs a caller: `key.path: why` each."""
    for name, r in plan.resources.items():
        where = f"resources.{name}"
        if "owner" in r.model_fields_set and r.owner is not None:
            yield (
                f"{where}.owner: auth.mode 'none' has no users to own rows; drop the key or "
                "set it to null"
            )
        if "owner_in_response" in r.model_fields_set:
            yield f"{where}.owner_in_response: auth.mode 'none' has no owner column; drop it"
        if r.path_has_user_id:
            yield (
                f"{where}.path: {r.path!r} names a {{user_id}}, which needs a signed-in "
                "caller; auth.mode 'none' has none"
            )
        if r.tenant is not None:
            yield (
                f"{where}.tenant: auth.mode 'none' reads no token, so no tenant; drop it or "
                "choose a token mode"
            )
        access = r.access
        if access.roles or access.every_row:
            yield (
                f"{where}.access.{'roles' if access.roles else 'every_row'}: auth.mode 'none' "
                "has no signed-in caller to hold a role; drop it or choose a token mode"
            )
        if access.read not in (None, "public") or access.write is not None:
            rule = "read" if access.read not in (None, "public") else "write"
            yield (
                f"{where}.access.{rule}: auth.mode 'none' has no signed-in callers nor owners: "
                "every route is open to anyone; drop it"
            )
        for op_name, op in r.operations.custom.items():
            at = f"{where}.operations.custom.{op_name}"
            if "auth" in op.model_fields_set and op.auth:
                yield f"{at}.auth: auth.mode 'none' has no signed-in caller; use auth: false"
            if "scope" in op.model_fields_set and op.scope == "owner":
                yield f"{at}.scope: auth.mode 'none' has no row owners; use scope: any"
    if "not_owner_status" in plan.errors.model_fields_set:
        yield "errors.not_owner_status: auth.mode 'none' has no row owners; drop it"
    if "forbidden" in plan.errors.messages:
        yield "errors.messages.forbidden: auth.mode 'none' forbids nothing; drop it"


def summary_field_problem(target: Resource, fields: list[str]) -> str | None:
    """Why a summary cannot show these fields of `target` (None when it can)."""
    for f in fields:
        if f == "id":
            return "'id' is always shown; list only the other fields"
        spec = target.fields.get(f)
        if spec is None:
            known = ", ".join(sorted(target.fields))
            return f"{f!r} is not a field of the referenced resource (its fields: {known})"
        if spec.type not in SUMMARY_TYPES:
            return (
                f"{f!r} is {spec.type}; a summary shows plain values ({', '.join(SUMMARY_TYPES)})"
            )
    return None


def count_field_problem(
    parent: str, child_name: str, child: Resource, field: str | None
) -> str | None:
    """Why rows of `child` cannot be counted per `parent` row (None when they can)."""
    refs = [n for n, f in child.fields.items() if f.references and f.references.resource == parent]
    if field is not None:
        if field not in refs:
            return (
                f"field {field!r} of {child_name!r} is not a reference to {parent!r} "
                f"(its references to it: {refs or 'none'})"
            )
        return None
    if not refs:
        return (
            f"{child_name!r} has no field referring to {parent!r}, so none of its rows belong "
            "to one; count a resource whose field has references: {resource: " + parent + "}"
        )
    if len(refs) > 1:
        return f"{child_name!r} refers to {parent!r} by {refs}; name one as field"
    return None


def camel_case(name: str) -> str:
    """due_date -> dueDate; a name without underscores is unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _top_keys(listing: ListOperation) -> list[str | None]:
    """The keys at the top of a list answer."""
    shape = listing.response
    if shape.metadata == "nested":
        return [shape.items, shape.metadata_key]
    if shape.metadata == "flat":
        return [shape.items, *shape.meta_names(listing.pagination.style).values()]
    return [shape.items]


# The accounts settings build on FieldSpec; AuthConfig refers to them by name.
from sp_backend.plan.accounts import Accounts  # noqa: E402

FieldSpec.model_rebuild()
AuthConfig.model_rebuild()
BackendPlan.model_rebuild()
