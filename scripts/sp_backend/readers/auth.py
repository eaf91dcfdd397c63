"""Auth and error conventions: how tokens are verified, which claim holds the user id, what
someone else's row and a validation error answer, and the error body's shape. Signals are read
line by line inside each document; every candidate keeps its file:line and its source rank."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sp_backend.readers.accounts import token_lifetime
from sp_backend.readers.facts import Value
from sp_backend.readers.markdown import Doc

MAX_TOKEN_MINUTES = 60 * 24 * 30  # auth.token_ttl_minutes' bound
_ALGS = r"\b(HS256|HS384|HS512|RS256|RS384|RS512|ES256|ES384|EdDSA)\b"
_SECRET = re.compile(r"\b([A-Z][A-Z0-9_]*(?:SECRET|_KEY)[A-Z0-9_]*)\b")
# CLERK_JWKS_URL, AUTH0_JWKS_URI, JWKS_ENDPOINT: an environment variable naming the key set.
_JWKS_ENV = re.compile(r"\b([A-Z][A-Z0-9_]*JWKS(?:_(?:URL|URI|ENDPOINT))?)\b")
_OTHERS_ROW = re.compile(
    r"another user|other user|other users|someone else|belongs to (?:a |an)?"
    r"(?:different|another)|not owned|not own\b|isn't theirs|not theirs|"
    r"not (?:found )?for (?:this|the authenticated) user|doesn't own|"
    r"does not own|owned by (?:a |an)?(?:different|other|another)",
    re.IGNORECASE,
)
_MISMATCH = re.compile(r"mismatch|does not match|doesn't match|!=|must match", re.IGNORECASE)
_VALIDATION = re.compile(r"validat|invalid input|invalid (?:data|body|request)", re.IGNORECASE)
_CLAIM_CODE = re.compile(r"payload\s*(?:\.get\(\s*|\[\s*)[\"'](\w+)[\"']")
_CLAIM_KEY = re.compile(r"[\"'](sub|user_id|userId|uid|id)[\"']\s*:")
_CLAIM_BULLET = re.compile(r"^\s*[-*|]?\s*`?(sub|user_id|userId|uid)`?\s*[:|-]\s*(.*)$")
# The contract saying, of the whole API, that nobody signs in: "no authentication", "no auth
# required", "single-user, no login", "public API, no tokens", "Authentication: none".
_AUTH_WORD = (
    r"(?:authentication|authorization|auth|log-?ins?|sign[- ]?ins?|user accounts?|accounts)"
)
_NO_AUTH = re.compile(
    rf"\bno {_AUTH_WORD}\b(?! (?:token|header|cookie|credential)s?\b)"
    rf"|\bwithout (?:any )?{_AUTH_WORD}\b"
    rf"|\b{_AUTH_WORD}[\W_]{{0,6}}(?:is |are )?(?:none|not required|not needed|n/a)\b"
    rf"|\b(?:does|do|will)(?: not|n't) (?:require|need|use|have) (?:any )?{_AUTH_WORD}\b"
    r"|\bunauthenticated api\b"
    r"|\bno (?:jwts?|bearer tokens?|tokens|api keys?)\b(?! (?:is|are|was) )"
    # The same statement in the languages specs are commonly written in besides English.
    r"|\bkeine? (?:Authentifizierung|Anmeldung|Login|Autorisierung)\b"  # German
    r"|\bohne (?:Authentifizierung|Anmeldung|Login)\b"
    r"|\b(?:Authentifizierung|Anmeldung) (?:ist )?nicht (?:erforderlich|nötig|notwendig)\b"
    r"|\bsin (?:autenticaci[oó]n|inicio de sesi[oó]n|login)\b"  # Spanish
    r"|\bno (?:requiere|necesita) (?:autenticaci[oó]n|inicio de sesi[oó]n|login)\b"
    r"|\bsans (?:authentification|connexion)\b"  # French
    r"|\b(?:pas d'|aucune )authentification\b|\bauthentification non requise\b"
    r"|\bsem (?:autentica[çc][ãa]o|login)\b"  # Portuguese
    r"|\bn[ãa]o (?:requer|exige) (?:autentica[çc][ãa]o|login)\b"
    r"|\b(?:senza|nessuna) autenticazione\b"  # Italian
    r"|\b(?:geen|zonder) (?:authenticatie|inloggen|login)\b",  # Dutch
    re.IGNORECASE,
)
# ...but not a line about one endpoint or one failure ("401 when no auth token", "GET /health
# (no auth)"), a plan for later or a question.
_NO_AUTH_NOT_GLOBAL = re.compile(
    r"\b40[13]\b|unauthori[sz]ed|forbidden|\bexcept\b|\b(?:GET|POST|PUT|PATCH|DELETE)\b|"
    r"(?:^|[\s`(])/[a-z{]|\blater\b|\bfuture\b|\bphase\b|\bv2\b|\bTODO\b|\?\s*$|"
    r"\bif\b|\bwhen\b|\bunless\b"
    r"|\bsp[äa]ter\b|\bk[üu]nftig|\bzuk[üu]nftig|\bwenn\b|\bfalls\b|\bau(?:ß|ss)er\b"
    r"|\bfutur[oe]?\b|\bplus tard\b|\bm[áa]s adelante\b|\bdepois\b|\bexcepto?\b|\bsauf\b",
    re.IGNORECASE,
)

# Identity services that issue the tokens themselves, and how a backend verifies theirs. A
# contract that names one on a line about signing in or tokens means its sign-up and sign-in
# rows are the service's routes: this backend verifies tokens, it does not issue them.
_PROVIDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbetter[ -]?auth\b.{0,60}\bjwt plugin\b", re.IGNORECASE), "jwks"),
    (re.compile(r"\bbetter[ -]?auth\b", re.IGNORECASE), "shared-secret"),
    (re.compile(r"\bnext-?auth(?:\.js)?\b|\bauth\.js\b", re.IGNORECASE), "shared-secret"),
    (re.compile(r"\bauth0\b", re.IGNORECASE), "jwks"),
    (re.compile(r"\b(?:aws |amazon )?cognito\b", re.IGNORECASE), "jwks"),
    (re.compile(r"\bkeycloak\b", re.IGNORECASE), "jwks"),
    (re.compile(r"\bokta\b", re.IGNORECASE), "jwks"),
    (re.compile(r"\bfirebase auth(?:entication)?\b", re.IGNORECASE), "jwks"),
    # Capitalised only: "a clerk" is a person in many domains.
    (re.compile(r"\bClerk\b"), "jwks"),
)
_AUTH_TOPIC = re.compile(
    r"auth|jwt|token|sign[- ]?(?:in|up|on)|log[- ]?in|session|identity|users?\b|accounts?\b",
    re.IGNORECASE,
)


def provider(line: str) -> str | None:
    """How tokens from the identity service this line names are verified, if it names one on
    a line about authentication."""
    if not _AUTH_TOPIC.search(line):
        return None
    for pattern, mode in _PROVIDERS:
        if pattern.search(line):
            return mode
    return None


@dataclass
class Signals:
    mode: list[Value] = field(default_factory=list)
    secret_env: list[Value] = field(default_factory=list)
    jwks_env: list[Value] = field(default_factory=list)  # the variable holding the JWKS URL
    algorithms: list[Value] = field(default_factory=list)
    claim: list[Value] = field(default_factory=list)
    claim_type: list[Value] = field(default_factory=list)
    not_owner: list[Value] = field(default_factory=list)
    path_mismatch: list[Value] = field(default_factory=list)
    validation: list[Value] = field(default_factory=list)
    envelope: list[Value] = field(default_factory=list)
    envelope_odd: list[Value] = field(default_factory=list)  # project-specific error bodies
    local_endpoints: list[Value] = field(default_factory=list)
    # How long a token lives, in minutes ("tokens expire after 24 hours").
    token_ttl: list[Value] = field(default_factory=list)
    # Lines naming the identity service that issues the tokens (Better Auth, Auth0, ...).
    provider: list[Value] = field(default_factory=list)
    # Lines stating that the API has no authentication at all (auth.mode none).
    no_auth: list[Value] = field(default_factory=list)
    # An OpenAPI document that declares no securitySchemes and no security at all (a hint, not
    # a statement: the reader never plans auth.mode none from it alone).
    unsecured: list[Value] = field(default_factory=list)


def _v(value: object, doc: Doc, line: int, rank: int) -> Value:
    return Value(value, doc.at(line), rank, 0)


def scan(doc: Doc, rank: int, signals: Signals) -> None:
    lines = doc.text.splitlines()
    token_context = 0  # lines since a heading/paragraph talked about the token's payload
    in_fence = False
    fence_lines: list[tuple[int, str]] = []
    for i, line in enumerate(lines, start=1):
        low = line.lower()
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            if in_fence:
                _fence(doc, rank, fence_lines, signals)
                fence_lines = []
            in_fence = not in_fence
            continue
        if in_fence:
            fence_lines.append((i, line))
        if re.search(
            r"payload|claims?\b|token (?:contains|carries|includes)|jwt (?:contains|"
            r"structure)|token structure",
            low,
        ):
            token_context = 12
        elif token_context:
            token_context -= 1
        if not in_fence and _NO_AUTH.search(line) and not _NO_AUTH_NOT_GLOBAL.search(line):
            signals.no_auth.append(_v("none", doc, i, rank))
        if re.search(r"jwks|\.well-known/jwks", low):
            signals.mode.append(_v("jwks", doc, i, rank))
        lifetime = token_lifetime(line)
        if lifetime is not None and 1 <= lifetime <= MAX_TOKEN_MINUTES:
            signals.token_ttl.append(_v(lifetime, doc, i, rank))
        issuer = provider(line)
        if issuer is not None:
            signals.provider.append(_v(issuer, doc, i, rank))
            signals.mode.append(_v(issuer, doc, i, rank))
        elif re.search(r"shared secret|same secret|better_auth_secret", low):
            signals.mode.append(_v("shared-secret", doc, i, rank))
        for m in _SECRET.finditer(line):
            name = m.group(1)
            if "SECRET" in name or re.search(r"(?:JWT|TOKEN|SIGNING|AUTH)\w*_KEY$", name):
                signals.secret_env.append(_v(name, doc, i, rank))
        for m in _JWKS_ENV.finditer(line):
            signals.jwks_env.append(_v(m.group(1), doc, i, rank))
        for m in re.finditer(_ALGS, line):
            signals.algorithms.append(_v(m.group(1), doc, i, rank))
        named = re.search(
            r"[`'\"](sub|user_id|userId|uid)[`'\"]\s+claim|token'?s\s+[`'\"](sub|user_id|userId|uid)[`'\"]",
            line,
        )
        if named:
            signals.claim.append(_v(named.group(1) or named.group(2), doc, i, rank))
            # "the singer's id is the `sub` claim (a UUID)": the id's type, said beside it.
            said = line[named.end() : named.end() + 40]
            if re.search(r"\b(?:uuid|guid)s?\b", said, re.IGNORECASE):
                signals.claim_type.append(_v("uuid", doc, i, rank))
            elif re.search(r"\b(?:an? )?(?:integer|int|number)\b", said, re.IGNORECASE):
                signals.claim_type.append(_v("int", doc, i, rank))
        m = _CLAIM_CODE.search(line)
        if m and m.group(1) in ("sub", "user_id", "userId", "uid", "id"):
            signals.claim.append(_v(m.group(1), doc, i, rank))
        k = _CLAIM_KEY.search(line) if token_context and not in_fence else None
        if k and k.group(1) != "id":
            signals.claim.append(_v(k.group(1), doc, i, rank))
        if token_context and not in_fence:
            b = _CLAIM_BULLET.match(line)
            if b and re.search(r"user|subject|id\b", b.group(2), re.IGNORECASE):
                signals.claim.append(_v(b.group(1), doc, i, rank))
                if re.search(r"\buuid\b", b.group(2), re.IGNORECASE):
                    signals.claim_type.append(_v("uuid", doc, i, rank))
        codes = re.findall(r"\b(40[0-9]|422)\b", line)
        if codes:
            others = _OTHERS_ROW.search(line)
            if others and not _MISMATCH.search(line):
                # Several codes on one line: the one written just before the phrase applies.
                near = [
                    m for m in re.finditer(r"\b(403|404)\b", line) if m.start() < others.start()
                ]
                pick = near[-1] if near else re.search(r"\b(403|404)\b", line)
                if pick:
                    signals.not_owner.append(_v(int(pick.group(1)), doc, i, rank))
            if _MISMATCH.search(line) and "403" in codes:
                signals.path_mismatch.append(_v(403, doc, i, rank))
            if _VALIDATION.search(line) and not re.search(r"token|jwt", low):
                for code in codes:
                    if code in ("400", "422"):
                        signals.validation.append(_v(int(code), doc, i, rank))
        if not in_fence and re.search(r"\{\s*\"detail\"\s*:", line):
            signals.envelope.append(_v("detail", doc, i, rank))
        elif not in_fence and re.search(r"\{\s*\"error\"\s*:\s*\{", line):
            signals.envelope.append(_v("error", doc, i, rank))
        elif not in_fence and re.search(r"\{\s*\"status\"\s*:\s*\"(?:error|fail)\"", line):
            signals.envelope.append(_v("status", doc, i, rank))  # JSend
        elif not in_fence and re.search(r"\{\s*\"errors\"\s*:\s*\[", line):
            signals.envelope.append(_v("errors", doc, i, rank))
        if re.search(r"\{\s*\"error\"\s*:\s*\"", line) and "{" in line:
            signals.envelope_odd.append(_v('{"error": "<code>"}', doc, i, rank))
    if fence_lines:
        _fence(doc, rank, fence_lines, signals)


def error_envelope(body: Any) -> str | None:
    """The error envelope (plan errors.envelope) a failure answer's JSON shows, or None."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("errors"), list) and set(body) <= {"errors", "meta", "links"}:
        return "errors"  # {"errors": [{"status", "detail", ...}]}
    if isinstance(body.get("error"), dict):
        return "success" if body.get("success") is False else "error"
    if "detail" in body and len(body) == 1:
        return "detail"
    if body.get("status") in ("error", "fail"):
        return "status"  # JSend
    return None


def _fence(doc: Doc, rank: int, fence: list[tuple[int, str]], signals: Signals) -> None:
    text = "\n".join(line for _, line in fence)
    first = fence[0][0] if fence else 0
    compact = re.sub(r"\s+", "", text)
    if compact.startswith('{"errors":['):
        signals.envelope.append(_v("errors", doc, first, rank))
    elif compact.startswith('{"error":{'):
        signals.envelope.append(_v("error", doc, first, rank))
    elif compact.startswith('{"detail":'):
        signals.envelope.append(_v("detail", doc, first, rank))
    elif compact.startswith('{"error":"'):
        signals.envelope_odd.append(_v('{"error": "<code>"}', doc, first, rank))
    elif re.match(r'^\{"success":false,"error":\{', compact):
        signals.envelope.append(_v("success", doc, first, rank))
    elif re.match(r'^\{"status":"(?:error|fail)"', compact):
        signals.envelope.append(_v("status", doc, first, rank))  # JSend
    elif re.match(r'^\{"success":false', compact):
        signals.envelope_odd.append(_v(compact[:60], doc, first, rank))
    # A token payload example: {"sub": ..., "exp": ...} or {"user_id": ..., "exp": ...}
    if '"exp"' in text or "'exp'" in text:
        for line_no, line in fence:
            m = _CLAIM_KEY.search(line)
            if m:
                signals.claim.append(_v(m.group(1), doc, line_no, rank))
                if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", line):
                    signals.claim_type.append(_v("uuid", doc, line_no, rank))
                break


__all__ = ["Signals", "error_envelope", "provider", "scan"]
