"""The accounts of a backend that issues its own tokens, as the contract writes them: which route
registers, signs in, signs out, answers the signed-in account, updates its profile and changes
its password; the profile fields a caller gives on register; what sign-in and register answer;
how long a token lives and what a password must be. Each finding keeps its file:line; a route
the generator cannot serve as written is a note, never dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sp_backend.readers import phrases
from sp_backend.readers.facts import Endpoint, FieldFact

# What an account route does, by its method and the last words of its path. One table: the
# first role whose methods and words fit is the route's.
ROLES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("password", frozenset({"POST", "PUT", "PATCH"}), ("password", "change-password")),
    ("register", frozenset({"POST"}), ("register", "signup", "sign-up", "join", "users")),
    ("login", frozenset({"POST"}), ("login", "log-in", "signin", "sign-in", "session", "sessions")),
    ("logout", frozenset({"POST", "DELETE"}), ("logout", "log-out", "signout", "sign-out")),
    ("logout", frozenset({"DELETE"}), ("session", "sessions")),
    ("me", frozenset({"GET"}), ("me", "profile", "account", "whoami")),
    ("profile", frozenset({"PATCH", "PUT"}), ("me", "profile", "account")),
)
# Flows the generated accounts do not serve (they need mail or stored sessions).
UNSERVED = re.compile(r"forgot|reset|verify|verification|confirm|refresh|magic|otp|oauth|callback")
SERVABLE_PATH = re.compile(r"^(/[a-z0-9_-]+)+$")
# Keys of the register body that are the account itself, not profile fields.
_ACCOUNT_KEYS = re.compile(
    r"^(?:id|email|e_?mail|username_or_email|password\w*|\w*_password|confirm\w*|"
    r"created_at|updated_at)$"
)
_LENGTHS = ("min_length", "max_length")
_TOKEN_KEYS = ("access_token", "accessToken", "token", "jwt", "id_token", "idToken", "auth_token")
_JWT_LIKE = re.compile(r"^eyJ[\w-]*\.")
_UNITS = {"m": 1, "h": 60, "d": 60 * 24}
TOKEN_LIFETIME = re.compile(
    r"\b(?:tokens?|jwts?|access tokens?|sessions?)\b[^.\n]{0,60}?"
    r"\b(?:expires?|expiry|expiration|valid|lifetime|ttl|lasts?|lives?)\b[^.\n\d]{0,24}?"
    r"(\d{1,5})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.IGNORECASE,
)


@dataclass
class AccountsReading:
    # role -> (method, path, source)
    routes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    profile: dict[str, list[FieldFact]] = field(default_factory=dict)
    password: list[FieldFact] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # Accounts keys read (answers, statuses)
    # The account id's type as an example answer shows it ("id": 7 -> int), with where.
    id_type: tuple[str, str] | None = None
    notes: list[tuple[str, str | None, str]] = field(default_factory=list)


def role_of(ep: Endpoint) -> str | None:
    words = [w for w in ep.path.lower().split("/") if w and not w.startswith("{")]
    if not words:
        return None
    last = words[-1]
    for role, methods, names in ROLES:
        if ep.method in methods and (last in names or (role == "password" and "password" in last)):
            if role == "register" and last == "users" and "auth" not in words:
                continue  # POST /users is a resource's create unless it sits under auth
            return role
    return None


def read_accounts(endpoints: list[Endpoint]) -> AccountsReading:
    """The account routes among `endpoints` (the contract's authentication endpoints)."""
    out = AccountsReading()
    for ep in endpoints:
        role = None if UNSERVED.search(ep.path.lower()) else role_of(ep)
        if role is None:
            out.notes.append(
                (
                    f"{ep.method} {ep.path} is an account route the generated accounts do not "
                    "serve (register, sign-in, sign-out, me, profile and password change are)",
                    ep.source,
                    "not served: write it in app/extensions/ if the API needs it",
                )
            )
            continue
        if role in out.routes:
            out.notes.append(
                (
                    f"{ep.method} {ep.path} is a second {role} route (the first: "
                    f"{out.routes[role][0]} {out.routes[role][1]})",
                    ep.source,
                    "served once, at the first",
                )
            )
            continue
        if not SERVABLE_PATH.fullmatch(ep.path):
            out.notes.append(
                (
                    f"{ep.method} {ep.path}: an account route with path parameters",
                    ep.source,
                    f"served at the default {role} path instead",
                )
            )
            continue
        if role == "logout" and ep.method != "POST":
            out.notes.append(
                (
                    f"{ep.method} {ep.path}: sign-out is served as POST",
                    ep.source,
                    "POST at the same path",
                )
            )
        out.routes[role] = (ep.method, ep.path, ep.source)
        _read_route(role, ep, out)
    return out


def _read_route(role: str, ep: Endpoint, out: AccountsReading) -> None:
    success = sorted(code for code in ep.statuses if 200 <= code < 300)
    shown = _first_object(ep)
    if shown is not None and role in ("register", "login", "me"):
        _id_type(shown, ep, out)
    if role == "register":
        # "The password takes at least 12 characters": the rule said in a sentence.
        for sentence in re.split(r"(?<=[.;])\s+|\n\s*\n", ep.text):
            if re.search(r"\bpasswords?\b", sentence, re.IGNORECASE):
                said = {k: v for k, v in phrases.read(sentence).items() if k in _LENGTHS}
                if said:
                    rule = FieldFact("password", ep.source, ep.rank, 0)
                    for key, value in said.items():
                        rule.put(key, value)
                    out.password.append(rule)
        for fact in ep.body:
            name = fact.name
            if re.fullmatch(r"password", name, re.IGNORECASE):
                out.password.append(fact)
            elif not _ACCOUNT_KEYS.fullmatch(_snake(name)):
                out.profile.setdefault(_snake(name), []).append(fact)
        if success and success[0] in (200, 201):
            out.data["register_status"] = success[0]
        answer = _first_object(ep)
        if answer is not None and _token_key(answer) is not None:
            out.data["register_answer"] = "login"
    elif role == "login":
        answer = _first_object(ep)
        if answer is not None:
            _login_answer(answer, ep, out)
    elif role == "logout":
        if success and success[0] in (200, 204):
            out.data["logout_status"] = success[0]
    elif role == "profile":
        out.data["profile_method"] = ep.method
        for fact in ep.body:
            if not _ACCOUNT_KEYS.fullmatch(_snake(fact.name)):
                out.profile.setdefault(_snake(fact.name), []).append(fact)
    elif role == "password":
        out.data["password_method"] = ep.method
        if success and success[0] in (200, 204):
            out.data["password_status"] = success[0]
        wrong = [
            code
            for code, text in sorted(ep.statuses.items())
            if code in (400, 401, 403) and re.search(r"wrong|incorrect|invalid|match", text, re.I)
        ]
        if wrong:
            out.data["wrong_password_status"] = wrong[0]
        keys = [f.name for f in ep.body if "password" in f.name.lower()]
        current = [k for k in keys if re.search(r"current|old|existing", k, re.IGNORECASE)]
        new = [k for k in keys if re.search(r"new", k, re.IGNORECASE)]
        if len(current) == 1 and len(new) == 1:
            out.data["current_password_key"], out.data["new_password_key"] = current[0], new[0]
        elif keys:
            out.notes.append(
                (
                    f"{ep.method} {ep.path}: which body key holds the current password and which "
                    f"the new one is not clear ({', '.join(keys)})",
                    ep.source,
                    "current_password and new_password",
                )
            )


def _first_object(ep: Endpoint) -> dict[str, Any] | None:
    for example, _where in ep.response_examples:
        if isinstance(example, dict):
            return example
    return None


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _id_type(answer: dict[str, Any], ep: Endpoint, out: AccountsReading) -> None:
    """The account id's type where an answer shows the account (itself or under a key)."""
    if out.id_type is not None:
        return
    shown = [answer, *(v for v in answer.values() if isinstance(v, dict))]
    for account in shown:
        if "email" in account and "id" in account:
            value = account["id"]
            if isinstance(value, int) and not isinstance(value, bool):
                out.id_type = ("int", ep.source)
            elif isinstance(value, str) and _UUID.match(value):
                out.id_type = ("uuid", ep.source)
            return


def _token_key(answer: dict[str, Any]) -> str | None:
    for key, value in answer.items():
        if key in _TOKEN_KEYS or (isinstance(value, str) and _JWT_LIKE.match(value)):
            return key
    return None


def _login_answer(answer: dict[str, Any], ep: Endpoint, out: AccountsReading) -> None:
    token = _token_key(answer)
    if token is None:
        out.notes.append(
            (
                f"{ep.method} {ep.path}: the sign-in answer's example has no token key "
                f"({', '.join(answer)})",
                ep.source,
                'the default answer {"access_token", "token_type", "expires_in"}',
            )
        )
        return
    user = next(
        (k for k, v in answer.items() if isinstance(v, dict) and ("email" in v or "id" in v)),
        None,
    )
    shape: dict[str, Any] = {
        "token_key": token,
        "token_type": "token_type" in answer,
        "expires_in": "expires_in" in answer,
    }
    if user is not None:
        shape["user_key"] = user
    unknown = [k for k in answer if k not in (token, user, "token_type", "expires_in")]
    if unknown:
        out.notes.append(
            (
                f"{ep.method} {ep.path}: the sign-in answer also shows {', '.join(unknown)}",
                ep.source,
                "not answered",
            )
        )
    out.data["login_answer"] = shape


def token_lifetime(line: str) -> int | None:
    """Minutes a token lives, where the line says it: "tokens expire after 24 hours"."""
    m = TOKEN_LIFETIME.search(line)
    if m is None:
        return None
    unit = m.group(2).lower()[0]
    return int(m.group(1)) * _UNITS[unit]


def _snake(name: str) -> str:
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+", name):
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return name


__all__ = ["ROLES", "AccountsReading", "read_accounts", "role_of", "token_lifetime"]
