"""What the generated access tests expect: for each operation of a resource with access rules
and each kind of caller, the status the API must answer (and, for a list, whether the owner's
row is in it). The rules are the plan's (resources.<name>.access, auth.roles_claim); this module
only works out their consequences (for a tenant-scoped resource, resources.<name>.tenant, also
across tenants: the rules hold within a tenant, another tenant's rows are never found), so a
test fails when the generated code disagrees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The owner of the row each case starts from, and the other user.
OWNER, OTHER = "alice", "bob"


@dataclass(frozen=True)
class Caller:
    """Who calls: a user (or nobody) and the roles their token holds."""

    key: str  # the test's name for it
    user: str | None  # OWNER, OTHER, or None for no token
    roles: tuple[str, ...] | None  # None: the default token (every role an operation needs)
    # A tenant-scoped resource: "same" (the owner's tenant), "other" or "none" (no claim).
    tenant: str = "same"


@dataclass(frozen=True)
class Case:
    operation: str
    caller: str
    status: int
    listed: bool | None = None  # list: the owner's row is in the page


def callers(r: Any, gate_roles: list[str]) -> list[Caller]:
    """The owner with every role, the owner with none (where a role gates something), another
    user with none and with each role this resource names, and nobody."""
    found = [Caller("owner", OWNER, None)]
    if r.gates:
        found.append(Caller("owner_without_roles", OWNER, ()))
    # Of a tenant-scoped resource, the other user is the owner's colleague (same tenant).
    other = "colleague" if r.tenant else "other_user"
    found.append(Caller(other, OTHER, ()))
    for role in r.plan.access.role_names:
        found.append(Caller(f"{other}_with_{_word(role)}", OTHER, (role,)))
    if r.tenant:
        # Holding every role, and still kept out of the owner's tenant; and the owner's own
        # account, signed without a tenant.
        every_role = tuple(sorted(set(gate_roles) | set(r.plan.access.role_names)))
        found.append(Caller("other_tenant_user", OTHER, every_role, "other"))
        found.append(Caller("owner_without_tenant", OWNER, None, "none"))
    found.append(Caller("anonymous", None, ()))
    return found


def _word(role: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in role).lower()


def _roles(caller: Caller, gate_roles: list[str]) -> set[str]:
    return set(gate_roles) if caller.roles is None else set(caller.roles)


def operations(r: Any) -> list[str]:
    """The operations the access tests call (replace is left to the isolation tests: its body
    depends on which fields it replaces)."""
    names = [n for n in ("list", "read", "create", "update", "delete") if getattr(r.ops, n)]
    return names + [name for name, _ in r.actions]


def success(r: Any, operation: str) -> int:
    if operation == "create":
        return int(r.create_status())
    if operation == "delete":
        return int(r.delete_status())
    action = dict(r.actions).get(operation)
    return int(action.status) if action is not None else 200


def cases(r: Any, gate_roles: list[str]) -> list[Case]:
    found = []
    every_row = set(r.every_row)
    for operation in operations(r):
        gate = set(r.plan.access.roles.get(operation, []))
        reading = operation in ("list", "read")
        for caller in callers(r, gate_roles):
            roles = _roles(caller, gate_roles)
            public = reading and r.read_rule == "public" and not gate
            if caller.user is None:
                found.append(
                    Case(
                        operation,
                        caller.key,
                        200 if public else 401,
                        True if public and operation == "list" else None,
                    )
                )
                continue
            if gate and not gate & roles or caller.tenant == "none":
                found.append(Case(operation, caller.key, 403))
                continue
            if caller.tenant == "other":
                # Creates in its own tenant; never lists, reads nor changes the owner's row.
                if operation == "create":
                    found.append(Case(operation, caller.key, success(r, operation)))
                elif operation == "list":
                    found.append(Case(operation, caller.key, 200, False))
                else:
                    found.append(Case(operation, caller.key, 404))
                continue
            if operation == "create":
                found.append(Case(operation, caller.key, success(r, operation)))
                continue
            foreign = caller.user != OWNER and not every_row & roles
            if reading:
                hidden = foreign and r.reads_owned
                if operation == "list":
                    found.append(Case(operation, caller.key, 200, not hidden))
                else:
                    found.append(
                        Case(operation, caller.key, r.errors.not_owner_status if hidden else 200)
                    )
                continue
            refused = foreign and r.writes_owned
            status = r.errors.not_owner_status if refused else success(r, operation)
            found.append(Case(operation, caller.key, status))
    return found
