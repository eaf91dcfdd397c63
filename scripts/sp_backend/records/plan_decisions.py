"""Architecture decisions a backend plan makes, each with the evidence for the significance
test. How the generated code reaches the database is read from the code (backend_facts), not
assumed here."""

from __future__ import annotations

from pathlib import Path

import yaml

from sp_backend.plan.envelopes import ERROR_SHAPES
from sp_backend.plan.model import BackendPlan, Resource
from sp_backend.records.significance import Decision, Significance

AUTH_KEYWORDS = (("jwt",), ("jwks",), ("token", "verif"), ("token", "auth"), ("authentication",))


class PlanDoc:
    """A loaded plan plus its YAML node tree, to cite `file:line` for each key."""

    def __init__(self, path: Path, plan: BackendPlan, display: str) -> None:
        self.path, self.plan, self.display = path, plan, display
        try:
            self.node: yaml.Node | None = yaml.compose(
                path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader
            )
        except (OSError, yaml.YAMLError):
            self.node = None

    def cite(self, *keys: str) -> str:
        """`file:line key.path` of the deepest key present; defaults cite the file only."""
        node, line = self.node, None
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                break
            node = next((v for k, v in node.value if str(k.value) == key), None)
            if node is None:
                break
            line = node.start_mark.line + 1
        dotted = ".".join(keys)
        if line is None or node is None:
            return f"{self.display} ({dotted}: default)"
        return f"{self.display}:{line} ({dotted})"


def plan_decisions(doc: PlanDoc) -> list[Decision]:
    plan = doc.plan
    found = [_token_verification(doc), _pooling(doc), _error_envelope(doc)]
    owned = [r for r in plan.resources.values() if r.owner]
    if owned:
        found.append(_isolation(doc, owned))
    listed = {n: r for n, r in plan.resources.items() if r.operations.list is not None}
    if listed:
        found.append(_pagination(doc, listed))
        found += [
            _search(doc, n, r)
            for n, r in listed.items()
            if r.operations.list and r.operations.list.search
        ]
    if plan.resources:
        found.append(_primary_keys(doc))
    return found


def _token_verification(doc: PlanDoc) -> Decision:
    auth = doc.plan.auth
    algs = "/".join(auth.algorithms)
    where = [doc.cite("auth", "mode")]
    scope = ("every protected endpoint", "the identity provider and frontend", "deployment secrets")
    if auth.mode == "shared-secret":
        return Decision(
            "jwt-shared-secret-verification",
            "JWT verification with a shared secret",
            f"Verify JWTs issued elsewhere with a shared {algs} secret from {auth.secret_env}",
            Significance(
                "the issuer and every verifier must share and rotate one secret; "
                "changing it logs every user out",
                (
                    "JWKS public keys (asymmetric, no shared secret)",
                    "tokens issued by this backend",
                ),
                scope,
            ),
            where,
            AUTH_KEYWORDS,
        )
    if auth.mode == "none":
        return Decision(
            "api-without-authentication",
            "API without authentication",
            "Serve every endpoint to any caller, with no accounts, tokens or per-user rows "
            "(auth.mode none)",
            Significance(
                "anyone who reaches the API reads and changes all data; adding users later "
                "means an owner column on every table and assigning the rows already stored",
                (
                    "shared-secret JWT verification",
                    "tokens issued by this backend (local)",
                    "JWKS public keys",
                ),
                ("every endpoint", "the data model (no owner columns)", "deployment network"),
            ),
            where,
            (*AUTH_KEYWORDS, ("unauthenticated",), ("no", "auth"), ("open", "api")),
        )
    if auth.mode == "jwks":
        return Decision(
            "jwt-jwks-verification",
            "JWT verification with JWKS public keys",
            f"Verify {algs} JWTs against public keys fetched from {auth.jwks_url_env} and cached",
            Significance(
                "ties the backend to the issuer's key endpoint and rotation policy",
                ("a shared HS256 secret", "tokens issued by this backend"),
                scope,
            ),
            where,
            AUTH_KEYWORDS,
        )
    return Decision(
        "local-token-issuance",
        "Tokens issued by this backend",
        f"Issue {algs} access tokens here (register/login, Argon2 password hashes, "
        f"{auth.token_ttl_minutes} min lifetime)",
        Significance(
            "the backend owns user credentials and their migration from then on",
            (
                (
                    "an external identity provider (Better Auth, OAuth) with shared-secret or "
                    "JWKS verification"
                ),
            ),
            (*scope, "the users table"),
        ),
        where,
        (*AUTH_KEYWORDS, ("password",), ("login",)),
    )


def _pooling(doc: PlanDoc) -> Decision:
    db = doc.plan.database
    return Decision(
        "database-connection-pooling",
        "Database connection pooling",
        f"Pool connections per worker ({db.pool_size} + {db.max_overflow} overflow) with "
        f"pool_pre_ping and a {db.pool_recycle_seconds} s recycle, so connections a serverless "
        "PostgreSQL dropped are replaced instead of failing requests",
        Significance(
            "pool size times workers times machines must stay under the database's "
            "connection limit as the service scales out",
            (
                ("NullPool behind an external pooler (PgBouncer, a provider's pooled endpoint)"),
                "no pre-ping: the first query on a dropped connection fails",
            ),
            ("every request", "deployment sizing", "the database's connection limit"),
        ),
        [doc.cite("database")],
        (("pool",), ("pgbouncer",), ("serverless", "postgres")),
        ("pool_pre_ping",),
    )


def _error_envelope(doc: PlanDoc) -> Decision:
    errors = doc.plan.errors
    shape = ERROR_SHAPES[errors.envelope]
    return Decision(
        "error-response-envelope",
        "One error envelope for every error",
        f"Answer every error with one envelope {shape}, validation failures with "
        f"{errors.validation_status}",
        Significance(
            "every client parses this shape; changing it breaks them all",
            ('FastAPI\'s default {"detail": ...}', "RFC 9457 problem+json"),
            ("every endpoint", "frontend error handling", "logs and monitoring"),
        ),
        [doc.cite("errors")],
        (
            ("error", "envelope"),
            ("error", "format"),
            ("error", "response"),
            ("error", "handling"),
            ("problem", "detail"),
        ),
    )


def _isolation(doc: PlanDoc, owned: list[Resource]) -> Decision:
    errors, auth = doc.plan.errors, doc.plan.auth
    status = errors.not_owner_status
    what = (
        f"Filter every query on user-owned rows by the token's user in SQL and answer "
        f"{status} for another user's row"
        + (
            " so other users' ids are not revealed"
            if status == 404
            else " as the contract says (this reveals that the id exists)"
        )
    )
    if any(r.path_has_user_id for r in owned):
        what += f"; a {{user_id}} in the path must match the token ({auth.path_mismatch_status})"
    alternative = (
        "403 Forbidden (reveals that the id exists)"
        if status == 404
        else "404 Not Found (hides that the id exists)"
    )
    return Decision(
        f"user-isolation-{status}",
        "Per-user data isolation",
        what,
        Significance(
            "clients and security reviews rely on the status and on isolation being "
            "enforced in one place",
            (alternative, "row-level security in PostgreSQL"),
            ("every owned resource", "every query", "the API contract"),
        ),
        [doc.cite("errors", "not_owner_status")],
        (("isolation",), ("ownership",), ("tenan",), ("403",), ("404",), ("owner",)),
    )


def _pagination(doc: PlanDoc, listed: dict[str, Resource]) -> Decision:
    by_style: dict[str, list[str]] = {}
    described: dict[str, str] = {}
    for name, res in listed.items():
        op = res.operations.list
        assert op is not None  # filtered by the caller
        p = op.pagination
        by_style.setdefault(p.style, []).append(name)
        described[p.style] = {
            "page": f"page/page_size (default {p.default}, max {p.max}) with a COUNT(*) total",
            "offset": f"limit/offset (default {p.default}, max {p.max}) with a COUNT(*) total",
            "cursor": f"keyset cursors in {op.sort.default} order (default {p.default}, "
            f"max {p.max})",
        }[p.style]
    parts = [f"{described[s]} for {', '.join(names)}" for s, names in by_style.items()]
    others = [s for s in ("page", "offset", "cursor") if s not in by_style]
    names = {"page": "page numbers", "offset": "limit/offset", "cursor": "keyset cursors"}
    first = next(iter(listed))
    return Decision(
        "pagination-strategy",
        "Pagination strategy",
        "Paginate list endpoints by " + "; ".join(parts),
        Significance(
            "clients build their paging on these parameters and response fields",
            tuple(names[s] for s in others),
            ("the API contract", "frontend paging", "database indexes and sort order"),
        ),
        [doc.cite("resources", first, "operations", "list", "pagination")],
        (("paginat",), ("cursor",), ("keyset",)),
    )


def _search(doc: PlanDoc, name: str, res: Resource) -> Decision:
    op = res.operations.list
    fields = ", ".join(op.search) if op else ""
    # Recorded so --explain can show why it is not suggested: one resource, easy to swap later.
    return Decision(
        f"{name}-search",
        f"Search on {name}",
        f"Search {name} by case-insensitive substring on {fields}",
        Significance("", ("full-text search (PostgreSQL tsvector)",), (f"the {name} list",)),
        [doc.cite("resources", name, "operations", "list", "search")],
        (("search",),),
    )


def _primary_keys(doc: PlanDoc) -> Decision:
    kinds: dict[str, list[str]] = {}
    for name, res in doc.plan.resources.items():
        kinds.setdefault(res.id, []).append(name)
    label = {"uuid": "random UUID", "int": "auto-increment integer"}
    what = "Identify rows with " + "; ".join(
        f"{label[k]} primary keys ({', '.join(v)})" for k, v in kinds.items()
    )
    first = next(iter(doc.plan.resources))
    return Decision(
        "primary-key-strategy",
        "Primary key strategy",
        what,
        Significance(
            "ids appear in URLs, foreign keys and clients' caches; changing the type "
            "is a data migration",
            tuple(label[k] for k in ("uuid", "int") if k not in kinds)
            or ("a mix of id types per resource",),
            ("URLs", "foreign keys and migrations", "clients"),
        ),
        [doc.cite("resources", first, "id")],
        (("primary", "key"), ("uuid",), ("identifier",), ("id", "strategy")),
    )
