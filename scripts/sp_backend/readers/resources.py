"""Endpoints grouped into resources: a collection path, its item path ``/{id}``, and actions
``/{id}/name``. What the emitter cannot build (auth routes, chat, nested or non-CRUD paths) is
reported, not forced into the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sp_backend.readers.facts import Endpoint
from sp_backend.readers.words import singular

_AUTH_WORDS = {
    "auth",
    "login",
    "logout",
    "register",
    "signup",
    "signin",
    "sign-up",
    "sign-in",
    "token",
    "tokens",
    "refresh",
    "session",
    "sessions",
    "me",
    "account",
    "profile",
    "password",
    "oauth",
    "jwks",
    ".well-known",
}
# Words that also name things a domain keeps (observing sessions, API tokens, a bank account,
# a public profile): a collection
# named by one of them is a resource when it has item routes and no auth word besides.
_DOMAIN_TOO = {"session", "sessions", "token", "tokens", "account", "profile"}
_NON_CRUD = {
    "chat",
    "chats",
    "webhook",
    "webhooks",
    "events",
    "health",
    "healthz",
    "metrics",
    "subscribe",
    "publish",
    "cron",
    "ws",
    "stream",
}
COLLECTION_RE = re.compile(r"(/[a-z0-9_-]+|/\{user_id\})+")


@dataclass
class Group:
    collection: str
    name: str
    collection_eps: list[Endpoint] = field(default_factory=list)
    item_eps: list[Endpoint] = field(default_factory=list)
    actions: dict[str, Endpoint] = field(default_factory=dict)
    other: list[Endpoint] = field(default_factory=list)

    @property
    def endpoints(self) -> list[Endpoint]:
        return self.collection_eps + self.item_eps + list(self.actions.values()) + self.other

    def find(self, method: str, where: str) -> Endpoint | None:
        eps = self.collection_eps if where == "collection" else self.item_eps
        return next((e for e in eps if e.method == method), None)


def split(path: str) -> tuple[str, str | None, list[str]]:
    """'/api/{user_id}/tasks/{id}/complete' -> ('/api/{user_id}/tasks', '{id}', ['complete'])."""
    segments = path.strip("/").split("/") if path != "/" else []
    for i, seg in enumerate(segments):
        if seg.startswith("{") and seg != "{user_id}":
            return "/" + "/".join(segments[:i]), seg, segments[i + 1 :]
    return "/" + "/".join(segments), None, []


def group(endpoints: list[Endpoint]) -> list[Group]:
    groups: dict[str, Group] = {}
    for ep in endpoints:
        collection, item, rest = split(ep.path)
        literal = [s for s in collection.split("/") if s and not s.startswith("{")]
        name = singular(literal[-1]).replace("-", "_") if literal else "root"
        g = groups.setdefault(collection, Group(collection, name))
        if item is None:
            g.collection_eps.append(ep)
        elif not rest:
            g.item_eps.append(ep)
        elif len(rest) == 1 and not rest[0].startswith("{"):
            g.actions.setdefault(rest[0], ep)
        else:
            g.other.append(ep)
    return list(groups.values())


def unbuildable_reason(g: Group) -> str | None:
    """Why the emitter cannot build this group as a CRUD resource (None when it can)."""
    words = {s.lower() for s in g.collection.split("/") if s}
    auth_words = words & _AUTH_WORDS
    if auth_words and not (auth_words <= _DOMAIN_TOO and g.item_eps):
        return (
            "authentication endpoint: served by the identity provider that issues the tokens "
            "or by the authentication feature's plan, not by this resource"
        )
    if words & _NON_CRUD:
        return "not a CRUD resource (chat, events, webhooks...): write this route by hand"
    if not COLLECTION_RE.fullmatch(g.collection):
        return "path is not a plain /segment/... collection the generator can serve"
    has_collection = {e.method for e in g.collection_eps}
    if not g.item_eps and not {"GET", "POST"} <= has_collection:
        return "no item endpoint (/{id}) and not both GET and POST on the collection"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", g.name):
        return f"cannot name a resource after {g.name!r}"
    return None


__all__ = ["COLLECTION_RE", "Group", "group", "split", "unbuildable_reason"]
