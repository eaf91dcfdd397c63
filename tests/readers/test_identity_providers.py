"""Which service issues the tokens, read from the words that name it: such a service's sign-up
and sign-in rows are its own routes, so the backend verifies its tokens and issues none."""

from __future__ import annotations

import pytest

from sp_backend.readers.auth import provider


@pytest.mark.parametrize(
    ("line", "mode"),
    [
        ("All auth endpoints are managed by Better Auth", "shared-secret"),
        ("Sessions come from better-auth; the backend checks the JWT", "shared-secret"),
        ("Better Auth issues tokens with its JWT plugin (keys at /api/auth/jwks)", "jwks"),
        ("Sign-in is handled by NextAuth.js with the JWT strategy", "shared-secret"),
        ("Staff sign in through Auth0 and send the access token", "jwks"),
        ("Users authenticate with AWS Cognito user pools", "jwks"),
        ("Tokens are issued by our Keycloak realm", "jwks"),
        ("Login is Okta's hosted page", "jwks"),
        ("Firebase Authentication issues the ID token we verify", "jwks"),
        ("Clerk manages user sessions", "jwks"),
    ],
)
def test_a_named_identity_service_says_how_its_tokens_are_verified(line: str, mode: str) -> None:
    assert provider(line) == mode


@pytest.mark.parametrize(
    "line",
    [
        "The clerk at the front desk records each parcel",  # a person, not the service
        "Clerk: the person who signed the form",  # a role in a glossary, no auth word
        "Tokens are HS256 JWTs signed with JWT_SECRET",  # no service named
        "We deploy to AWS in eu-west-1",
    ],
)
def test_other_lines_name_no_identity_service(line: str) -> None:
    assert provider(line) is None
