"""Access rules in a contract's words: who may read a resource's rows (its owner, every
signed-in user, anyone), who may change them, which operations only a role may call, and which
roles reach every row. Read per operation from its endpoint's own title, description and
section text, through one table of phrasings (ACCESS_PHRASES), each with its examples (every
example is a test: tests/readers/test_access_phrases.py). Only what the words say: a contract
that says nothing keeps the default (each user their own rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WHO = (
    r"(?:admin(?:istrator)?s?|moderators?|editors?|organi[sz]ers?|staff|managers?|curators?"
    r"|reviewers?)"
)
_SIGNED = r"(?:authenticated|signed[- ]in|logged[- ]in|registered)"
_READ = r"(?:browse|view|read|see|list|search|look at|get)"
_WRITE = r"(?:edit|update|change|modify|delete|remove|replace|alter)"
_OWNER = r"(?:owner|author|creator|seller|poster|vendor|uploader|maker)"
# What a tenant is called: the group of users whose rows are shared among them.
_TENANT = r"(organi[sz]ations?|orgs?|workspaces?|teams?|compan(?:y|ies)|tenants?)"
_WHOSE = (
    r"(?:the\s+)?(?:caller's|callers'|requester's|user's|your|their|its|the\s+same|one|"
    r"(?:every|each|any|all)\s+members?\s+of\s+(?:the|their|your|its)|"
    r"members\s+of\s+(?:the|their|your|its))"
)


@dataclass(frozen=True)
class AccessPhrase:
    rule: str  # read:public, read:signed_in, write:owner, role, every_row, tenant
    pattern: str
    examples: tuple[str, ...]


ACCESS_PHRASES: tuple[AccessPhrase, ...] = (
    AccessPhrase(
        "tenant",
        r"\b(?:belongs?|belonging|scoped|shared|visible|kept|limited|restricted)\b[^.]{0,40}?"
        rf"\b(?:to|by|with|within|among|across|inside|in)\s+{_WHOSE}\s+{_TENANT}\b"
        rf"|\b{_TENANT}[- ](?:scoped|wide)\b"
        rf"|\bper[- ]{_TENANT}\b"
        rf"|\b(?:of|for|in|within|from)\s+(?:the\s+)?(?:caller's|callers'|requester's)\s+{_TENANT}\b"
        r"|\b(?:everyone|anyone|colleagues|members|(?:any|every|each|all)\s+\w+)\s+(?:in|of|from)\s+"
        rf"(?:the\s+)?same\s+{_TENANT}\b"
        rf"|\bother\s+{_TENANT}'?s?'?\b[^.]{{0,40}}\b(?:404|not found|never see|cannot see)",
        (
            "Projects belong to the caller's workspace.",
            "Rows are shared by all members of the organisation.",
            "Visible to every member of their team.",
            "Workspace-scoped.",
            "Invoices are kept per company.",
            "Everyone in the same organization can read and edit them.",
            "Any volunteer of the same team may correct a line.",
            "Logs a new line for the caller's organisation.",
            "Other tenants' records answer 404.",
        ),
    ),
    AccessPhrase(
        "read:public",
        r"\b(?:anyone|anybody|everyone|the public|visitors|guests)\b"
        rf"[^.]{{0,30}}\b(?:can|may)\s+{_READ}"
        r"|\bno (?:authentication|auth|token|sign[- ]in|login)\b[^.]{0,12}\b(?:required|needed)"
        r"|\bpublic(?:ly)?\s+(?:readable|visible|accessible|available|endpoint)"
        r"|\bwithout (?:signing in|logging in|authentication|a token|an account)"
        r"|\bauth(?:entication)?\s*:\s*(?:none|not required|public)\b",
        (
            "Anyone can browse the catalogue.",
            "No authentication required.",
            "Publicly readable.",
            "Visitors may view recipes without signing in.",
            "Auth: none",
        ),
    ),
    AccessPhrase(
        "read:signed_in",
        rf"\b(?:readable|visible|viewable|shown)\s+(?:by|to)\s+(?:all|every|any)\s+{_SIGNED}\s+users?"
        rf"|\b(?:any|every|all)\s+{_SIGNED}\s+users?\b[^.]{{0,20}}\b(?:can|may)\s+{_READ}"
        rf"|\b(?:all|every)\s+users?\s+(?:can|may)\s+{_READ}\b[^.]{{0,25}}\b(?:any|every|all|others'?)\b",
        (
            "Readable by all authenticated users.",
            "Any signed-in user can list reviews.",
            "Every logged-in user may view them.",
            "All users can see every review.",
        ),
    ),
    AccessPhrase(
        "write:owner",
        rf"\bonly\s+(?:the|its|their)\s+{_OWNER}\b[^.]{{0,20}}\b(?:can|may)\s+{_WRITE}"
        rf"|\b{_WRITE}s?\b[^.]{{0,20}}\b(?:only|restricted)\s+(?:by|to)\s+(?:the|its)\s+{_OWNER}"
        rf"|\b{_OWNER}[- ]only\b",
        (
            "Only the author may edit.",
            "Only the seller can change or remove a listing.",
            "Updates are restricted to the owner.",
            "Owner-only.",
        ),
    ),
    AccessPhrase(
        "every_row",
        rf"\b({_WHO})\s+(?:can|may)\s+(?:also\s+)?(?:{_WRITE}|moderate)\w*\b[^.]{{0,20}}\b(?:any|every|all|others'?)\b",
        (
            "Moderators may delete any review.",
            "Admins can also edit every listing.",
        ),
    ),
    AccessPhrase(
        "role",
        rf"\b({_WHO})[- ]only\b"
        rf"|\bonly\s+({_WHO})\b"
        rf"|\brestricted\s+to\s+({_WHO})\b"
        r"|\brequires?\s+(?:the\s+)?(?:role|scope)\s+[`'\"]?([A-Za-z][A-Za-z0-9_.:-]*)"
        r"|\b[`'\"]?([A-Za-z][A-Za-z0-9_-]*)[`'\"]?\s+role\s+(?:is\s+)?required\b",
        (
            "Admins only.",
            "Only moderators.",
            "Restricted to organisers.",
            "Requires role `curator`.",
            "The `editor` role is required.",
        ),
    ),
)

# How a role is spelled in the plan: one lowercase word, singular.
_CANONICAL = {"administrator": "admin", "administrators": "admin", "staff": "staff"}


def role_name(word: str) -> str:
    low = word.lower()
    if low in _CANONICAL:
        return _CANONICAL[low]
    return low[:-1] if low.endswith("s") and not low.endswith("ss") else low


@dataclass
class Found:
    """What one operation's text says about access."""

    rules: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    every_row: list[str] = field(default_factory=list)
    tenant: list[str] = field(default_factory=list)  # what the tenant is called (workspace)


def read_text(text: str) -> Found:
    found = Found()
    # "Everyone in the same team can read them" is a tenant's, not a public read: a rule
    # whose words lie within a tenant phrasing's is that phrasing's.
    tenant_spans = [
        m.span()
        for phrase in ACCESS_PHRASES
        if phrase.rule == "tenant"
        for m in re.finditer(phrase.pattern, text, re.IGNORECASE)
    ]
    for phrase in ACCESS_PHRASES:
        for m in re.finditer(phrase.pattern, text, re.IGNORECASE):
            if phrase.rule.startswith("read:") and any(
                start <= m.start() < end for start, end in tenant_spans
            ):
                continue
            if phrase.rule == "role":
                word = next(g for g in m.groups() if g)
                found.roles.append(role_name(word))
            elif phrase.rule == "every_row":
                found.every_row.append(role_name(m.group(1)))
            elif phrase.rule == "tenant":
                found.tenant.append(tenant_word(next(g for g in m.groups() if g)))
            else:
                found.rules.add(phrase.rule)
    return found


# The token claim the contract names for roles: `roles` claim, claim `role`.
_CLAIM = re.compile(r"[`'\"](\w+)[`'\"]\s+claim\b|\bclaim\s+[`'\"](\w+)[`'\"]", re.IGNORECASE)


def roles_claim(text: str) -> str | None:
    for m in _CLAIM.finditer(text):
        name = m.group(1) or m.group(2)
        if "role" in name.lower() or "group" in name.lower() or "scope" in name.lower():
            return name
    return None


def tenant_word(word: str) -> str:
    """organisations -> organisation, companies -> company, org -> org: singular, lowercase."""
    low = word.lower()
    if low.endswith("ies"):
        return low[:-3] + "y"
    return low[:-1] if low.endswith("s") else low


# A sentence naming a tenant that states a rule (for what the tenant reading leaves over).
_TENANT_RULE = re.compile(
    rf"\b{_TENANT}\b[^.]*\b(?:must|only|cannot|can't|may|shall|never|always|not allowed)\b"
    rf"|\b(?:must|only|cannot|can't|may|shall|never|always)\b[^.]*\b{_TENANT}\b",
    re.IGNORECASE,
)


def tenant_rules(text: str) -> list[str]:
    """The sentences of `text` that state a rule about tenants (members, owners, invitations)
    which the tenant phrasings do not read: the plan holds only "rows of one tenant"."""
    found: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if not _TENANT_RULE.search(sentence):
            continue
        if any(re.search(p.pattern, sentence, re.IGNORECASE) for p in ACCESS_PHRASES):
            continue
        if sentence.strip() not in found:
            found.append(sentence.strip())
    return found


def tenant_claim(text: str) -> tuple[str, bool] | None:
    """The token claim naming the caller's tenant, as the contract names it (`org_id` claim),
    and whether the same sentence calls its value a uuid."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for m in _CLAIM.finditer(sentence):
            name = m.group(1) or m.group(2)
            if re.search(r"org|workspace|team|tenant|compan", name, re.IGNORECASE):
                return name, re.search(r"\buuids?\b", sentence, re.IGNORECASE) is not None
    return None
