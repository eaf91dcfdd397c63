"""Endpoints grouped into resources: a collection path, its item path ``/{id}``, and actions
``/{id}/name``; a collection under another's item (``/boards/{boardId}/cards[/{cardId}]``) is
a nested resource of its own when it has item routes or both GET and POST. What the emitter
cannot build (auth routes, chat, non-CRUD paths) is reported, not forced into the plan."""

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
# A nested collection: a plain collection, the parent's id, and more collections and ids.
NESTED_RE = re.compile(r"(/[a-z0-9_-]+|/\{user_id\})+(/\{[A-Za-z][A-Za-z0-9_]*\}/[a-z0-9_-]+)+")


@dataclass
class Group:
    collection: str
    name: str
    collection_eps: list[Endpoint] = field(default_factory=list)
    item_eps: list[Endpoint] = field(default_factory=list)
    actions: dict[str, Endpoint] = field(default_factory=dict)
    other: list[Endpoint] = field(default_factory=list)

    @property
    def parent(self) -> tuple[str, str] | None:
        """Nested: (the parent's collection path, the parameter naming its row as the contract
        spells it, e.g. ('/boards', 'boardId')); None for a top-level collection."""
        m = re.fullmatch(r"(.+)/\{([A-Za-z][A-Za-z0-9_]*)\}/[a-z0-9_-]+", self.collection)
        if m is None or m.group(2) == "user_id":
            return None
        return m.group(1), m.group(2)

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


def nested_split(path: str) -> tuple[str, str | None, list[str]] | None:
    """'/boards/{boardId}/cards/{cardId}' -> ('/boards/{boardId}/cards', '{cardId}', []): the
    deepest collection under another's item, or None when the path has none."""
    segments = path.strip("/").split("/")
    for i in range(len(segments) - 1, 1, -1):
        seg, before = segments[i], segments[i - 1]
        if seg.startswith("{") or not before.startswith("{") or before == "{user_id}":
            continue
        collection = "/" + "/".join(segments[: i + 1])
        if not NESTED_RE.fullmatch(collection):
            return None
        rest = segments[i + 1 :]
        if rest and rest[0].startswith("{"):
            return collection, rest[0], rest[1:]
        return (collection, None, rest) if not rest else None
    return None


def _nested_collections(endpoints: list[Endpoint]) -> set[str]:
    """The nested collections the endpoints serve as resources: with both GET and POST, or
    with an item route and GET or POST (else /tasks/{id}/complete stays an action and
    GET /orders/{id}/lines/{line_id} alone a custom operation)."""
    items: set[str] = set()
    methods: dict[str, set[str]] = {}
    for ep in endpoints:
        found = nested_split(ep.path)
        if found is None:
            continue
        collection, item, rest = found
        if item is not None and not rest:
            items.add(collection)
        elif item is None:
            methods.setdefault(collection, set()).add(ep.method)
    return {
        c
        for c, m in methods.items()
        if {"GET", "POST"} <= m or (c in items and m & {"GET", "POST"})
    }


def group(endpoints: list[Endpoint]) -> list[Group]:
    groups: dict[str, Group] = {}
    nested = _nested_collections(endpoints)
    for ep in endpoints:
        found = nested_split(ep.path)
        collection, item, rest = found if found and found[0] in nested else split(ep.path)
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
    if not COLLECTION_RE.fullmatch(g.collection) and g.parent is None:
        return "path is not a plain /segment/... collection the generator can serve"
    has_collection = {e.method for e in g.collection_eps}
    if not g.item_eps and not {"GET", "POST"} <= has_collection:
        return "no item endpoint (/{id}) and not both GET and POST on the collection"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", g.name):
        return f"cannot name a resource after {g.name!r}"
    return None


__all__ = ["COLLECTION_RE", "Group", "group", "nested_split", "split", "unbuildable_reason"]
