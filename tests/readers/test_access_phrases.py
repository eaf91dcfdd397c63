"""Every example of readers/access.py's phrase table reads as its own rule, and text that
states no access rule reads as none (the default stays: each user their own rows)."""

from __future__ import annotations

import pytest

from sp_backend.readers.access import (
    ACCESS_PHRASES,
    read_text,
    role_name,
    roles_claim,
    tenant_claim,
    tenant_rules,
)

EXAMPLES = [(p.rule, example) for p in ACCESS_PHRASES for example in p.examples]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_each_example_reads_as_its_rule(rule: str, example: str) -> None:
    found = read_text(example)
    if rule == "role":
        assert found.roles, example
    elif rule == "every_row":
        assert found.every_row, example
    elif rule == "tenant":
        assert found.tenant, example
        assert not found.rules, example  # "everyone in the same team" is no public read
    else:
        assert rule in found.rules, example


@pytest.mark.parametrize(
    "text",
    [
        "Returns the caller's own bookings.",
        "Updates the title. 404 when the row is someone else's.",
        "Only published entries are listed.",
        "Deletes the reservation; answers 204.",
        "Written by the platform team; questions to the API desk.",
        "The company address is shown on every invoice.",
    ],
)
def test_text_without_an_access_rule_reads_as_none(text: str) -> None:
    found = read_text(text)
    assert not found.rules and not found.roles and not found.every_row, found
    assert not found.tenant, found


def test_roles_are_named_singular_and_lowercase() -> None:
    assert role_name("Administrators") == "admin"
    assert role_name("moderators") == "moderator"
    assert read_text("Restricted to Curators.").roles == ["curator"]


def test_the_roles_claim_is_read_where_the_contract_names_it() -> None:
    assert roles_claim("the roles ride in the `groups` claim, a list") == "groups"
    assert roles_claim("claim 'role' holds one name") == "role"
    assert roles_claim("the user id is in the `sub` claim") is None


def test_the_tenant_claim_is_read_where_the_contract_names_it() -> None:
    assert tenant_claim("the workspace rides in the `workspace_id` claim") == (
        "workspace_id",
        False,
    )
    assert tenant_claim("claim 'org' holds the organisation's UUID") == ("org", True)
    assert tenant_claim("roles ride in the `groups` claim") is None


def test_tenant_rules_the_plan_cannot_hold_are_left_over() -> None:
    text = (
        "Projects belong to the caller's workspace. Only workspace owners may invite members. "
        "A team of three wrote this."
    )
    assert tenant_rules(text) == ["Only workspace owners may invite members."]
